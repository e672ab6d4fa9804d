/**
 * What the function does besides the four steps, on events of its own:
 * - retire: after the grace period, remove AWSPREVIOUS and publish "key retired" (run every
 *   5 minutes by a schedule; a no-op before the grace ends or when nothing is left to retire);
 * - revoke-previous: the same at once, for a leaked key, only while the kid it names holds
 *   AWSPREVIOUS (so a late or repeated call never drops another key in its grace);
 * - discard-standby: remove the standby label (the next rotation then makes a fresh key);
 * - repair: remove a stale AWSPENDING that a failed rotation left on a non-current version,
 *   which otherwise blocks every later rotation.
 * Versions are never deleted: a retired version just loses its label.
 *
 * With a published key set (asymmetric keys), an action that removes a key writes the set
 * without it and invalidates it in CloudFront BEFORE removing the label (publish-key-set.ts says
 * why), and writes it again after (the race that closes: publish-key-set.ts); retire and
 * revoke-previous rewrite the set on every run, repairing one that lags.
 */
import {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  type MaintenanceAction,
  type MaintenanceEvent,
  type MaintenanceResult,
  STANDBY_STAGE,
  versionWithStage,
} from '../../contract';
import { KEY_RETIRED, type RetirementReason } from '../../rotation-events';

import { keyReference, type RotationContext } from './context';
import { RotationError } from './errors';
import { previousGraceEnd } from './previous-grace';
import { publishKeySet, republishAfterRemoval, republishIfRelabelled } from './publish-key-set';
import { type SecretDescription } from './secrets-store';
import { readStagedKey } from './version-reader';

export async function runMaintenance(
  context: RotationContext,
  event: MaintenanceEvent,
): Promise<MaintenanceResult> {
  switch (event.action) {
    case 'retire':
      return retirePrevious(context, event.secretId, 'grace-period-ended');
    case 'revoke-previous':
      return retirePrevious(context, event.secretId, 'revoked', event.kid);
    case 'discard-standby':
      return discardStandby(context, event.secretId);
    case 'repair':
      return repair(context, event.secretId);
  }
}

async function retirePrevious(
  context: RotationContext,
  secretId: string,
  reason: RetirementReason,
  /** revoke-previous only: the key to revoke; nothing happens unless it holds AWSPREVIOUS. */
  revokeKid?: string,
): Promise<MaintenanceResult> {
  const action: MaintenanceAction = reason === 'revoked' ? 'revoke-previous' : 'retire';
  const secret = await context.secrets.describe(secretId);
  const previousVersion = versionWithStage(secret.versionIdsToStages, AWSPREVIOUS);
  const currentVersion = versionWithStage(secret.versionIdsToStages, AWSCURRENT);
  const current = await readStagedKey(context, secret, AWSCURRENT);
  const now = context.clock();
  if (current?.createdAt !== undefined) {
    // Every scheduled run reports the current key's age, which the dashboard graphs.
    context.metrics?.(
      'KeyAgeSeconds',
      Math.floor((now - Date.parse(current.createdAt)) / 1000),
      secret.arn,
    );
  }
  /** Rewrites the set as the labels stand (a run that removes nothing repairs a lagging set). */
  const unchanged = async (
    result: MaintenanceResult,
    labels: SecretDescription = secret,
  ): Promise<MaintenanceResult> => {
    await publishKeySet(context, labels, { reason: action });
    await republishIfRelabelled(context, labels, action);
    return result;
  };
  if (previousVersion === undefined || currentVersion === undefined) {
    return unchanged({ action, outcome: 'nothing-to-retire', secretArn: secret.arn });
  }
  // The current key states when its predecessor's grace ends; the client reads the same.
  const graceEnd = previousGraceEnd(context, secret, current);
  if (reason === 'grace-period-ended') {
    if (graceEnd === undefined) {
      context.logger.warn('retire: no grace end is known for the previous key; not retiring it', {
        secretArn: secret.arn,
        versionId: previousVersion,
      });
      return unchanged({ action, outcome: 'grace-unknown', secretArn: secret.arn });
    }
    if (now < graceEnd) {
      return unchanged({
        action,
        outcome: 'grace-not-ended',
        secretArn: secret.arn,
        graceEndsAt: new Date(graceEnd).toISOString(),
      });
    }
  }
  const previous = await readStagedKey(context, secret, AWSPREVIOUS);
  if (revokeKid !== undefined && previous?.kid !== revokeKid) {
    context.logger.warn(
      'revoke-previous: the named key does not hold AWSPREVIOUS; nothing removed',
      {
        secretArn: secret.arn,
        kid: revokeKid,
        previousKid: previous?.kid,
      },
    );
    return unchanged({ action, outcome: 'not-previous', secretArn: secret.arn });
  }
  // The key leaves the published set (and CloudFront's caches) before it loses its label.
  await publishKeySet(context, secret, {
    reason: action,
    without: previousVersion,
    invalidateFor: previousVersion,
  });
  // Names the version the label must be on: if a rotation moved it meanwhile, the service
  // refuses and nothing is removed (the key just demoted starts its own grace); the next run
  // decides again.
  try {
    await context.secrets.updateStage(secret.arn, AWSPREVIOUS, {
      removeFromVersionId: previousVersion,
    });
  } catch (error) {
    if ((error as Error).name !== 'InvalidParameterException') throw error;
    const latest = await context.secrets.describe(secret.arn);
    if (versionWithStage(latest.versionIdsToStages, AWSPREVIOUS) === previousVersion) throw error;
    context.logger.info(`${action}: a rotation moved AWSPREVIOUS meanwhile; nothing removed`, {
      secretArn: secret.arn,
      versionId: previousVersion,
    });
    // The key the rotation just demoted is in its grace: the set must hold it again.
    return unchanged({ action, outcome: 'superseded', secretArn: secret.arn }, latest);
  }
  const retired = keyReference(previousVersion, previous);
  const graceEndsAt = graceEnd === undefined ? null : new Date(graceEnd).toISOString();
  context.logger.info(`${action}: removed AWSPREVIOUS`, {
    secretArn: secret.arn,
    versionId: previousVersion,
    kid: retired.kid,
    reason,
  });
  context.metrics?.('KeyRetired', 1, secret.arn);
  await context.events.publish({
    detailType: KEY_RETIRED,
    detail: {
      secretArn: secret.arn,
      algorithm: current?.alg ?? previous?.alg ?? context.config.algorithm,
      retiredAt: new Date(now).toISOString(),
      reason,
      retired,
      current: keyReference(currentVersion, current),
      graceEndsAt,
    },
  });
  // After the event: a failure here leaves the set already written without the key, and must
  // not cost consumers the event (a retry finds nothing left to retire).
  await republishAfterRemoval(context, secret.arn, action, previousVersion);
  return { action, outcome: 'retired', secretArn: secret.arn, retired, graceEndsAt };
}

/** Removes the standby label, so that the next rotation makes a fresh key instead. */
async function discardStandby(
  context: RotationContext,
  secretId: string,
): Promise<MaintenanceResult> {
  const secret = await context.secrets.describe(secretId);
  const standbyVersion = versionWithStage(secret.versionIdsToStages, STANDBY_STAGE);
  if (standbyVersion === undefined) {
    return { action: 'discard-standby', outcome: 'no-standby', secretArn: secret.arn };
  }
  await withdrawVersion(context, secret, STANDBY_STAGE, standbyVersion, 'discard-standby');
  context.logger.info('discard-standby: removed the standby label', {
    secretArn: secret.arn,
    versionId: standbyVersion,
  });
  return {
    action: 'discard-standby',
    outcome: 'standby-discarded',
    secretArn: secret.arn,
    versionId: standbyVersion,
  };
}

async function repair(context: RotationContext, secretId: string): Promise<MaintenanceResult> {
  const secret = await context.secrets.describe(secretId);
  const pendingVersion = versionWithStage(secret.versionIdsToStages, AWSPENDING);
  const stale =
    pendingVersion !== undefined &&
    secret.versionIdsToStages[pendingVersion]?.includes(AWSCURRENT) !== true;
  if (!stale) return { action: 'repair', outcome: 'nothing-to-repair', secretArn: secret.arn };
  await withdrawVersion(context, secret, AWSPENDING, pendingVersion, 'repair');
  context.logger.info('repair: removed a stale AWSPENDING', {
    secretArn: secret.arn,
    versionId: pendingVersion,
  });
  return {
    action: 'repair',
    outcome: 'repaired',
    secretArn: secret.arn,
    versionId: pendingVersion,
  };
}

/**
 * Takes a version's key out of the published set (and CloudFront's caches), then removes its
 * label (a failure before the label goes leaves the work for the retry to find), then writes
 * the set once more from the labels as they now are (publish-key-set.ts: writes take no lock).
 */
async function withdrawVersion(
  context: RotationContext,
  secret: SecretDescription,
  stage: string,
  versionId: string,
  reason: string,
): Promise<void> {
  await publishKeySet(context, secret, { reason, without: versionId, invalidateFor: versionId });
  await context.secrets.updateStage(secret.arn, stage, { removeFromVersionId: versionId });
  await republishAfterRemoval(context, secret.arn, reason, versionId);
}

export function badEvent(message: string): RotationError {
  return new RotationError('ERR_BAD_EVENT', message);
}
