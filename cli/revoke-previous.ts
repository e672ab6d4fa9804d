/**
 * `jwt-keys revoke-previous SECRET`: the leaked-key runbook in one command.
 * 1. Discard the standby key: whoever read the secret's versions may have read it too, so the
 *    next key must be fresh, not the standby promoted.
 * 2. Rotate now, so the leaked key (the current one) stops signing; the new key is fresh.
 * 3. Have the rotation function retire the leaked key at once (no grace), naming it by kid, so
 *    tokens it signed stop verifying as soon as applications refresh their key cache. The
 *    function refuses ('not-previous') when that key no longer holds AWSPREVIOUS (another
 *    rotation ran meanwhile): then nothing is dropped, and this command fails saying so.
 * The function, not this command, moves the labels: it also publishes the "key retired" event.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';

import { type MaintenanceEvent, type MaintenanceResult } from '../contract';

import { CliError } from './cli-error';
import { type CommandContext } from './context';
import { keyLabel } from './format';
import { checkCanRotate, rotationDocument, startRotation } from './rotate';
import { readSecretState } from './secret-state';

export async function revokePrevious(context: CommandContext): Promise<void> {
  const before = await readSecretState(context.secretsManager, context.secretId);
  const functionArn = before.rotationLambdaArn;
  if (functionArn === undefined) {
    throw new CliError(
      'ERR_ROTATION_DISABLED',
      `secret "${context.secretId}" has no rotation function configured`,
    );
  }
  const leakedKid = before.current?.kid;
  if (leakedKid === undefined) {
    throw new CliError(
      'ERR_REVOKE_FAILED',
      `the AWSCURRENT value of secret "${context.secretId}" is not a valid key document, so no ` +
        'kid names the key to revoke; run "jwt-keys status" to see what it holds',
    );
  }
  checkCanRotate(context, before);

  context.progress(
    `step 1/3: discarding the standby key ${before.standby === undefined ? '(none)' : `kid ${before.standby.kid}`} through ${functionArn}`,
  );
  const discarded = await invokeMaintenance(context, functionArn, {
    action: 'discard-standby',
    secretId: before.arn,
  });
  if (discarded.outcome !== 'standby-discarded' && discarded.outcome !== 'no-standby') {
    throw new CliError(
      'ERR_ROTATION_FUNCTION_FAILED',
      `the rotation function did not discard the standby key of secret "${context.secretId}" ` +
        `(outcome ${discarded.outcome}); nothing was rotated`,
    );
  }

  context.progress(`step 2/3: rotating away from kid ${leakedKid}`);
  const outcome = await startRotation({ ...context, wait: true }, before);

  context.progress(`step 3/3: revoking kid ${leakedKid} through ${functionArn}`);
  const result = await invokeMaintenance(context, functionArn, {
    action: 'revoke-previous',
    secretId: before.arn,
    kid: leakedKid,
  });
  if (result.outcome !== 'retired') {
    throw new CliError('ERR_REVOKE_FAILED', revokeFailure(context.secretId, leakedKid, result));
  }
  const current = outcome.after?.current;
  const fresh = current?.kid !== undefined && current.kid === outcome.rotationId;

  if (context.json) {
    context.print(
      JSON.stringify(
        {
          ...rotationDocument('revoke-previous', outcome),
          previous: null,
          previousGraceEndsAt: null,
          revoked: result.retired ?? null,
          outcome: result.outcome,
          standbyDiscarded: discarded.versionId ?? null,
          currentIsFresh: fresh,
        },
        null,
        2,
      ),
    );
  } else {
    context.print(`revoked the previous key of secret "${before.name}"`);
    context.print(`  AWSCURRENT   ${keyLabel(current)} (new${fresh ? ', fresh' : ''})`);
    context.print(`  revoked      kid ${result.retired?.kid ?? leakedKid}`);
    context.print(
      `  standby      ${discarded.versionId === undefined ? 'none to discard' : `version ${discarded.versionId} discarded`}; ` +
        `new standby ${outcome.after?.standby === undefined ? 'none' : `kid ${outcome.after.standby.kid}`}`,
    );
    context.print(
      '  tokens signed with the revoked key stop verifying once applications refresh their keys ' +
        '(within their cache period, or at once on the "key retired" event)',
    );
  }
  if (!fresh) {
    throw new CliError(
      'ERR_REVOKE_FAILED',
      `the new current key of secret "${context.secretId}" (${keyLabel(current)}) is not the ` +
        `fresh key of rotation ${outcome.rotationId}: a standby key appeared between the discard ` +
        'and the rotation; run "jwt-keys revoke-previous" again',
    );
  }
}

function revokeFailure(secretId: string, kid: string, result: MaintenanceResult): string {
  switch (result.outcome) {
    case 'not-previous':
      return (
        `nothing revoked: the leaked key (kid ${kid}) no longer holds AWSPREVIOUS of secret ` +
        `"${secretId}" (another rotation ran meanwhile, or it was already retired); run ` +
        `"jwt-keys status ${secretId}" and check that kid ${kid} is in no labelled version`
      );
    case 'superseded':
      return (
        `nothing revoked: a rotation moved AWSPREVIOUS of secret "${secretId}" while kid ${kid} ` +
        'was being revoked; run "jwt-keys status" and revoke again if it still holds AWSPREVIOUS'
      );
    default:
      return (
        `nothing revoked: the rotation function answered ${result.outcome} for kid ${kid} ` +
        `of secret "${secretId}"`
      );
  }
}

async function invokeMaintenance(
  context: CommandContext,
  functionArn: string,
  event: MaintenanceEvent,
): Promise<MaintenanceResult> {
  const response = await context.lambda.send(
    new InvokeCommand({ FunctionName: functionArn, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  const text = response.Payload === undefined ? '' : Buffer.from(response.Payload).toString('utf8');
  let payload: unknown;
  try {
    payload = text === '' ? {} : JSON.parse(text);
  } catch {
    payload = {};
  }
  if (response.FunctionError !== undefined) {
    const error = payload as { errorType?: string; errorMessage?: string };
    throw new CliError(
      'ERR_ROTATION_FUNCTION_FAILED',
      `the rotation function failed on ${event.action}: ${error.errorType ?? 'Error'}: ${error.errorMessage ?? text}`,
    );
  }
  return payload as MaintenanceResult;
}
