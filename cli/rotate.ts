/**
 * `jwt-keys rotate SECRET [--force]`: starts a rotation now. Refused unless forced, and the
 * output says what forcing costs:
 * - while the previous key is in its grace period: Secrets Manager keeps one AWSPREVIOUS, so
 *   rotating drops that key early and the tokens it signed stop verifying;
 * - while the standby key is younger than the secret's standby minimum age (the longest
 *   verifier cache stated to the construct): a verifier may not have fetched it yet, and would
 *   refuse the tokens it signs.
 */
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';

import { STANDBY_MINIMUM_AGE_TAG } from '../contract';

import { CliError } from './cli-error';
import { type CommandContext } from './context';
import { formatDuration, iso, keyLabel } from './format';
import {
  readSecretState,
  type SecretState,
  type YoungStandby,
  youngStandbyOf,
} from './secret-state';
import { waitForRotation } from './wait-for-rotation';

export interface RotationOutcome {
  readonly before: SecretState;
  readonly after?: SecretState;
  readonly rotationId: string;
  readonly droppedEarly?: SecretState['previous'];
  /** The standby key promoted (--force) before its minimum age. */
  readonly youngStandby?: YoungStandby;
}

export async function rotate(context: CommandContext): Promise<void> {
  const before = await readSecretState(context.secretsManager, context.secretId);
  const inGrace =
    before.previous !== undefined &&
    before.previousGraceEndsAt !== undefined &&
    before.previousGraceEndsAt.getTime() > context.now();
  if (inGrace && !context.force) {
    throw new CliError(
      'ERR_REFUSED_UNLESS_FORCED',
      `refusing to rotate secret "${context.secretId}": the previous key (${keyLabel(before.previous)}) ` +
        `is in its grace period until ${before.previousGraceEndsAt.toISOString()}; rotating now ` +
        'drops it early and the tokens it signed stop verifying. Re-run with --force to rotate anyway.',
    );
  }
  const young = youngStandbyOf(before, context.now());
  if (young !== undefined && !context.force) {
    throw new CliError(
      'ERR_REFUSED_UNLESS_FORCED',
      `refusing to rotate secret "${context.secretId}": the standby key (kid ${young.kid}) is ` +
        `${formatDuration(young.ageSeconds * 1000)} old, younger than the ` +
        `${formatDuration(young.minimumAgeSeconds * 1000)} verifiers may cache keys (tag ` +
        `${STANDBY_MINIMUM_AGE_TAG} = ${young.minimumAgeSeconds}); promoting it now may sign ` +
        'tokens that verifiers refuse until they refresh. Re-run with --force to rotate anyway.',
    );
  }
  if (inGrace) {
    context.progress(
      `--force: the previous key (${keyLabel(before.previous)}) is dropped before its grace period ` +
        `ends (${before.previousGraceEndsAt.toISOString()}); tokens it signed stop verifying`,
    );
  }
  if (young !== undefined) {
    context.progress(
      `--force: the standby key (kid ${young.kid}) is promoted at ` +
        `${formatDuration(young.ageSeconds * 1000)} old, under the ` +
        `${formatDuration(young.minimumAgeSeconds * 1000)} verifiers may cache keys; tokens it ` +
        'signs may be refused until they refresh',
    );
  }
  const outcome = await startRotation(context, before);
  const result = {
    ...outcome,
    droppedEarly: inGrace ? before.previous : undefined,
    youngStandby: young,
  };
  if (context.json) {
    context.print(JSON.stringify(rotationDocument('rotate', result), null, 2));
    return;
  }
  printRotation(context, result);
}

/** Checks the secret can rotate, starts the rotation and (unless --no-wait) waits for it. */
export async function startRotation(
  context: CommandContext,
  before: SecretState,
): Promise<RotationOutcome> {
  checkCanRotate(context, before);
  const started = await context.secretsManager.send(
    new RotateSecretCommand({ SecretId: before.arn }),
  );
  const rotationId = started.VersionId ?? '';
  context.progress(`rotation ${rotationId} started`);
  if (!context.wait) return { before, rotationId };
  await waitForRotation(context, rotationId);
  const after = await readSecretState(context.secretsManager, context.secretId);
  return { before, after, rotationId };
}

/** Fails, changing nothing, when Secrets Manager would refuse or stall a new rotation. */
export function checkCanRotate(context: CommandContext, before: SecretState): void {
  if (!before.rotationEnabled) {
    throw new CliError(
      'ERR_ROTATION_DISABLED',
      `rotation is disabled on secret "${context.secretId}": enable it (redeploy the stack, or ` +
        'RotateSecret with the rotation function) before rotating',
    );
  }
  if (before.stalePendingVersionId !== undefined) {
    throw new CliError(
      'ERR_ROTATION_UNFINISHED',
      `an earlier rotation of secret "${context.secretId}" is unfinished (AWSPENDING on version ` +
        `${before.stalePendingVersionId}): run "jwt-keys repair ${context.secretId}" first`,
    );
  }
}

function printRotation(context: CommandContext, outcome: RotationOutcome): void {
  if (outcome.after === undefined) {
    context.print(
      `rotation ${outcome.rotationId} started; "jwt-keys status ${context.secretId}" shows its progress`,
    );
    return;
  }
  context.print(`rotated secret "${outcome.after.name}"`);
  context.print(`  AWSCURRENT   ${keyLabel(outcome.after.current)} (new)`);
  const graceEnd = outcome.after.previousGraceEndsAt;
  context.print(
    `  AWSPREVIOUS  ${keyLabel(outcome.after.previous)}` +
      (graceEnd === undefined ? '' : `, verifies until ${graceEnd.toISOString()}`),
  );
  if (outcome.droppedEarly !== undefined) {
    context.print(`  dropped early: ${keyLabel(outcome.droppedEarly)}`);
  }
  if (outcome.youngStandby !== undefined) {
    context.print(
      `  promoted early: kid ${outcome.youngStandby.kid} ` +
        `(${formatDuration(outcome.youngStandby.ageSeconds * 1000)} old)`,
    );
  }
}

export function rotationDocument(
  action: string,
  outcome: RotationOutcome,
): Record<string, unknown> {
  const reference = (key: SecretState['current']): Record<string, unknown> | null =>
    key === undefined ? null : { versionId: key.versionId, kid: key.kid ?? null };
  return {
    action,
    secretArn: outcome.before.arn,
    rotationId: outcome.rotationId,
    completed: outcome.after !== undefined,
    current: reference(outcome.after?.current),
    previous: reference(outcome.after?.previous),
    previousGraceEndsAt: iso(outcome.after?.previousGraceEndsAt),
    droppedEarly: reference(outcome.droppedEarly),
    promotedEarly: outcome.youngStandby ?? null,
  };
}
