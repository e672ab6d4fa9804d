/**
 * `jwt-keys revoke-previous SECRET`: the leaked-key runbook in one command. Rotate now, so the
 * leaked key stops signing, then have the rotation function retire it at once (no grace), so
 * tokens it signed stop verifying as soon as applications refresh their key cache. The
 * function, not this command, removes the label: it also publishes the "key retired" event.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';

import { type MaintenanceEvent, type MaintenanceResult } from '../contract';

import { CliError } from './cli-error';
import { type CommandContext } from './context';
import { keyLabel } from './format';
import { rotationDocument, startRotation } from './rotate';
import { readSecretState } from './secret-state';

export async function revokePrevious(context: CommandContext): Promise<void> {
  const before = await readSecretState(context.secretsManager, context.secretId);
  const functionArn = before.rotationLambdaArn;
  if (functionArn === undefined) {
    throw new CliError(`secret "${context.secretId}" has no rotation function configured`);
  }
  const leaked = before.current;
  context.progress(`step 1/2: rotating away from ${keyLabel(leaked)}`);
  const outcome = await startRotation({ ...context, wait: true }, before);
  context.progress(
    `step 2/2: revoking ${keyLabel(outcome.after?.previous)} through ${functionArn}`,
  );
  const result = await invokeMaintenance(context, functionArn, {
    action: 'revoke-previous',
    secretId: before.arn,
    kid: outcome.after?.previous?.kid ?? '',
  });
  if (context.json) {
    context.print(
      JSON.stringify(
        {
          ...rotationDocument('revoke-previous', outcome),
          previous: null,
          previousGraceEndsAt: null,
          revoked: result.retired ?? null,
          outcome: result.outcome ?? null,
        },
        null,
        2,
      ),
    );
    return;
  }
  context.print(`revoked the previous key of secret "${before.name}"`);
  context.print(`  AWSCURRENT   ${keyLabel(outcome.after?.current)} (new)`);
  context.print(
    `  revoked      ${result.retired === undefined ? 'nothing (no previous key)' : `kid ${result.retired.kid}`}`,
  );
  context.print(
    '  tokens signed with the revoked key stop verifying once applications refresh their keys ' +
      '(within their cache period, or at once on the "key retired" event)',
  );
}

export async function invokeMaintenance(
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
      `the rotation function failed on ${event.action}: ${error.errorType ?? 'Error'}: ${error.errorMessage ?? text}`,
    );
  }
  return payload as MaintenanceResult;
}
