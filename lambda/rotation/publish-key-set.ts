/**
 * Writes the published key set from the secret's labels: the public halves of AWSCURRENT,
 * AWSPENDING (during a rotation), JWTKEY_NEXT (the standby) and AWSPREVIOUS while its grace
 * runs, and nothing else. The whole set is rewritten each time (the function cannot read it
 * back), so a set that lags behind the secret is repaired by the next write.
 *
 * Where a key leaves, the caller writes the set without it BEFORE removing its label, then
 * invalidates both paths in CloudFront: a failure anywhere leaves the label on, so the retry
 * (Secrets Manager's, or the next retirement check) finds the same work and redoes it, with the
 * same invalidation reference. Any failure throws, which fails the step.
 *
 * Writes take no lock, so a write made from labels read before another action moved them can
 * land after that action's own write and bring a removed key back. Two rules close that race:
 * an action that removes a label writes the set again from the labels as they are after the
 * removal, and invalidates (republishAfterRemoval); a write that changes no label (the
 * retirement check's repair) reads the labels again after writing and, if they moved meanwhile,
 * writes again from them and invalidates (republishIfRelabelled). A stale write then either
 * lands before the remover's second write, which replaces it, or after the removal, which the
 * stale writer's second read sees.
 */
import { createHash } from 'node:crypto';

import {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  KEY_SET_PATHS,
  STANDBY_STAGE,
  versionWithStage,
} from '../../contract';
import {
  type AsymmetricKeyDocument,
  isAsymmetricAlgorithm,
  type KeyDocument,
} from '../../key-document';

import { type RotationContext } from './context';
import { RotationError } from './errors';
import { isPublishable, keySetObjects } from './key-set';
import { previousGraceEnd } from './previous-grace';
import { type SecretDescription } from './secrets-store';
import { readStagedKey } from './version-reader';

/** A key the set holds, and the version and label it was read from. */
export interface PublishedKey {
  readonly versionId: string;
  readonly stage: string;
  readonly kid: string;
  /** The standby key this key announces (its document's nextKid), if any: not secret. */
  readonly nextKid?: string;
}

export interface KeySetWrite {
  /** Who writes (the step or action): logged, and part of the invalidation's reference. */
  readonly reason: string;
  /** A version whose key is leaving (its label is removed right after): left out of the set. */
  readonly without?: string;
  /**
   * A key leaves the set: invalidate both paths, with a reference derived from this (the
   * version leaving, or the rotation's token), so a retry makes no second invalidation.
   */
  readonly invalidateFor?: string;
}

/** Whether this function publishes a key set (an asymmetric key with a configured home). */
export function publishesKeySet(context: RotationContext): boolean {
  return context.config.keySet !== undefined && context.keySetStore !== undefined;
}

/**
 * Writes the set the description shows (see the module comment). Returns what it published;
 * an empty list when this function publishes nothing.
 */
export async function publishKeySet(
  context: RotationContext,
  secret: SecretDescription,
  write: KeySetWrite,
): Promise<readonly PublishedKey[]> {
  const settings = context.config.keySet;
  const store = context.keySetStore;
  if (settings === undefined || store === undefined) return [];
  const algorithm = context.config.algorithm;
  // createRotationHandler refuses a key set for HMAC keys; this keeps the type honest.
  if (!isAsymmetricAlgorithm(algorithm)) return [];
  const candidates = await candidateKeys(context, secret, write.without);
  // loadConfig has held the deployed issuer to https already; loopback http serves the tests.
  const objects = keySetObjects(
    { issuer: settings.issuer, algorithm },
    candidates.map((candidate) => candidate.document),
    { allowLoopbackHttp: true },
  );
  const cacheControl = `public, max-age=${settings.maxAgeSeconds}`;
  for (const object of objects) {
    try {
      await store.put(object, cacheControl);
    } catch (error) {
      throw new RotationError(
        'ERR_KEY_SET_WRITE_FAILED',
        `${write.reason}: writing ${object.objectKey} to bucket ${settings.bucketName} failed ` +
          `(${describeError(error)}); the key set is written again on retry`,
        { cause: error },
      );
    }
  }
  const published: PublishedKey[] = candidates.map(({ versionId, stage, document }) => ({
    versionId,
    stage,
    kid: document.kid,
    ...(document.nextKid !== undefined && { nextKid: document.nextKid }),
  }));
  context.logger.info(`${write.reason}: published the key set`, {
    secretArn: secret.arn,
    bucket: settings.bucketName,
    keys: published,
    ...(write.without !== undefined && { leavingVersionId: write.without }),
    maxAgeSeconds: settings.maxAgeSeconds,
  });
  if (write.invalidateFor !== undefined) {
    await invalidateKeySet(context, secret.arn, write.reason, write.invalidateFor);
  }
  return published;
}

/**
 * Invalidates both paths in CloudFront, with a reference derived from `reason` and `reference`
 * (CloudFront answers a repeated reference with the first invalidation: a retry makes none).
 * Throws ERR_KEY_SET_INVALIDATION_FAILED, which fails the step.
 */
export async function invalidateKeySet(
  context: RotationContext,
  secretArn: string,
  reason: string,
  reference: string,
): Promise<void> {
  const settings = context.config.keySet;
  const store = context.keySetStore;
  if (settings === undefined || store === undefined) return;
  const callerReference = `${reason}-${reference}`.replace(/[^\w.:-]+/g, '-');
  let invalidationId: string | undefined;
  try {
    invalidationId = await store.invalidate(KEY_SET_PATHS, callerReference);
  } catch (error) {
    throw new RotationError(
      'ERR_KEY_SET_INVALIDATION_FAILED',
      `${reason}: invalidating the key set on distribution ${settings.distributionId} ` +
        `failed (${describeError(error)}); it is invalidated again on retry`,
      { cause: error },
    );
  }
  context.logger.info(`${reason}: invalidated the key set in CloudFront`, {
    secretArn,
    distributionId: settings.distributionId,
    invalidationId,
    callerReference,
    paths: [...KEY_SET_PATHS],
  });
}

/**
 * For an action that has just removed the label of `removedVersionId`: writes the set from the
 * labels as they are now and invalidates it (see the module comment), with a reference of its
 * own, so a retry makes no second invalidation.
 */
export async function republishAfterRemoval(
  context: RotationContext,
  secretArn: string,
  reason: string,
  removedVersionId: string,
): Promise<void> {
  if (!publishesKeySet(context)) return;
  await publishKeySet(context, await context.secrets.describe(secretArn), {
    reason,
    invalidateFor: `${removedVersionId}-removed`,
  });
}

/**
 * For a write that changed no label, made from `written`: reads the labels again and, if they
 * moved meanwhile, writes the set from them and invalidates it (see the module comment). The
 * invalidation's reference is derived from the labels, so a retry that sees the same ones makes
 * no second invalidation.
 */
export async function republishIfRelabelled(
  context: RotationContext,
  written: SecretDescription,
  reason: string,
): Promise<void> {
  if (!publishesKeySet(context)) return;
  const now = await context.secrets.describe(written.arn);
  const labels = labelsDigest(now);
  if (labels === labelsDigest(written)) return;
  context.logger.info(
    `${reason}: the labels moved while the key set was written; writing it again`,
    {
      secretArn: written.arn,
    },
  );
  await publishKeySet(context, now, { reason, invalidateFor: `labels-${labels}` });
}

/** The versions and their labels, order aside, as a short digest (not secret: ids and names). */
function labelsDigest(secret: SecretDescription): string {
  const entries = Object.entries(secret.versionIdsToStages)
    .map(([versionId, stages]) => [versionId, [...stages].sort()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 16);
}

interface Candidate {
  readonly versionId: string;
  readonly stage: string;
  readonly document: AsymmetricKeyDocument;
}

/** The stages whose keys the set holds, in the order entries are written. */
const PUBLISHED_STAGES = [AWSCURRENT, AWSPENDING, STANDBY_STAGE, AWSPREVIOUS] as const;

async function candidateKeys(
  context: RotationContext,
  secret: SecretDescription,
  without: string | undefined,
): Promise<Candidate[]> {
  const current = await readStagedKey(context, secret, AWSCURRENT);
  const candidates: Candidate[] = [];
  for (const stage of PUBLISHED_STAGES) {
    const versionId = versionWithStage(secret.versionIdsToStages, stage);
    if (versionId === undefined || versionId === without) continue;
    if (stage === AWSPREVIOUS) {
      const graceEnd = previousGraceEnd(context, secret, current);
      // A stated grace that has ended: the key no longer verifies anywhere, the retirement is
      // due. With none stated or known, the label decides, as it does for the client.
      if (graceEnd !== undefined && graceEnd <= context.clock()) continue;
    }
    const document: KeyDocument | undefined =
      stage === AWSCURRENT ? current : await readStagedKey(context, secret, stage);
    if (document === undefined) continue;
    if (!isPublishable(document)) {
      context.logger.warn('an HMAC key is never published; left out of the key set', {
        secretArn: secret.arn,
        versionId,
        stage,
        kid: document.kid,
      });
      continue;
    }
    candidates.push({ versionId, stage, document });
  }
  return candidates;
}

/** An SDK error's name and message: they name buckets, ids and codes, never the body written. */
function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return 'unknown error';
}
