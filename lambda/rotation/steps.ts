/**
 * The four steps of Secrets Manager's rotation protocol for a signing key. Each is idempotent:
 * the service retries the whole rotation, with the same token, when a step fails.
 */
import { jwtVerify, SignJWT } from 'jose';

import {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  hasStage,
  STANDBY_STAGE,
  versionWithStage,
} from '../../contract';
import {
  graceEndOfPrevious,
  graceForSuccessorOf,
  isLegacyKeyDocument,
  type KeyDocument,
  KeyDocumentError,
  makeKeyDocument,
  parseKeyDocument,
  promotedDocument,
  serializeKeyDocument,
} from '../../key-document';
import { KEY_ROTATED, type KeyReference } from '../../rotation-events';

import {
  keyReference,
  newKeySettings,
  type RotationContext,
  writeUnlessAlreadyDone,
} from './context';
import { RotationError } from './errors';
import { importKeyDocument } from './import-key';
import { dropOutdatedPromotionLabels, recordLatePromotion } from './late-promotion';
import { invalidateKeySet, publishesKeySet, publishKeySet } from './publish-key-set';
import { type SecretDescription } from './secrets-store';
import { ensureStandby, readPromotableStandby, standbyVersionIdFor } from './standby';
import { describeVersion, parseOrReport, readKeyDocument, readStagedKey } from './version-reader';

/**
 * Stores the next key as AWSPENDING under the token (the standby key promoted, or a fresh key
 * when there is none), then makes the new standby key. A retry finds the pending key and only
 * makes sure the standby exists.
 */
export async function createSecret(
  context: RotationContext,
  secret: SecretDescription,
  token: string,
): Promise<void> {
  // The template reads AWSCURRENT first: a secret without a current value cannot rotate.
  const currentValue = await context.secrets.getValue(secret.arn, { stage: AWSCURRENT });
  if (currentValue === undefined) {
    throw new RotationError('ERR_NO_CURRENT_KEY', `secret ${secret.arn} has no AWSCURRENT value`);
  }
  const standbyVersionId = standbyVersionIdFor(token);
  const pending = await context.secrets.getValue(secret.arn, {
    versionId: token,
    stage: AWSPENDING,
  });
  if (pending !== undefined) {
    context.logger.info('createSecret: the pending key already exists', {
      secretArn: secret.arn,
      versionId: token,
    });
    await ensureStandby(context, secret, standbyVersionId, 'createSecret');
    return;
  }
  const current = parseOrReport(context, currentValue, secret.arn, { stage: AWSCURRENT });
  const standby = await readPromotableStandby(context, secret, current?.kid, standbyVersionId);
  const now = new Date(context.clock());
  // An imported legacy key states how long the tokens it signed live: its successor grants it
  // that grace when it is longer than the configured one, and the retirement reads it back.
  const previousKeyGraceSeconds = graceForSuccessorOf(current, context.config.gracePeriodSeconds);
  const document =
    standby === undefined
      ? await makeKeyDocument({
          ...newKeySettings(context),
          kid: token,
          now,
          previousKeyGraceSeconds,
          nextKid: standbyVersionId,
          ...(current !== undefined && { previousKid: current.kid }),
        })
      : promotedDocument(standby.document, {
          createdAt: now.toISOString(),
          previousKeyGraceSeconds,
          previousKid: current?.kid,
          nextKid: standbyVersionId,
        });
  // Two invocations at once both find no pending key; the service keeps the first value and
  // refuses the second (ResourceExistsException), whose invocation then adopts the first.
  await writeUnlessAlreadyDone(
    context,
    () => context.secrets.putValue(secret.arn, token, serializeKeyDocument(document), [AWSPENDING]),
    async () =>
      (await context.secrets.getValue(secret.arn, { versionId: token, stage: AWSPENDING })) !==
      undefined,
    { description: 'createSecret', secretArn: secret.arn, versionId: token },
  );
  context.logger.info('createSecret: stored the new key as AWSPENDING', {
    secretArn: secret.arn,
    versionId: token,
    kid: document.kid,
    algorithm: document.alg,
    promotedFromVersionId: standby?.versionId ?? null,
    previousKeyGraceSeconds,
  });
  // Only now may the label leave the old standby: its key is saved in the pending version.
  await ensureStandby(context, secret, standbyVersionId, 'createSecret');
}

/**
 * HMAC keys live only in the secret: nothing to set. Asymmetric keys are published: the key set
 * is written with the pending key (and the new standby) in it, before finishSecret lets the
 * pending key sign. Fails when the pending key could not be published.
 */
export async function setSecret(
  context: RotationContext,
  secret: SecretDescription,
  token: string,
): Promise<void> {
  if (!publishesKeySet(context)) {
    context.logger.info('setSecret: nothing to set', { secretArn: secret.arn, versionId: token });
    return;
  }
  const published = await publishKeySet(context, secret, { reason: 'setSecret' });
  const pendingKey = published.find((key) => key.versionId === token);
  if (pendingKey === undefined) {
    throw new RotationError(
      'ERR_PENDING_KEY_INVALID',
      `secret ${secret.arn} version ${token} (AWSPENDING) holds no key that can be published`,
    );
  }
  // A key the current one never announced (an emergency rotation's fresh key, a standby
  // discarded): CloudFront's edges may hold a set without it for up to max-age, and it signs
  // at finishSecret. An announced (promoted) key has been in the set since it was made.
  const current = published.find((key) => key.stage === AWSCURRENT);
  if (current?.nextKid !== pendingKey.kid) {
    await invalidateKeySet(context, secret.arn, 'setSecret', token);
  }
  context.logger.info('setSecret: the key set holds the pending key', {
    secretArn: secret.arn,
    versionId: token,
    kids: published.map((key) => key.kid),
  });
}

/**
 * Proves the pending key works: a valid document (whose nextKid, if any, differs from its kid:
 * the parser refuses the same kid), a kid of its own, and a token it signs that it verifies.
 * Without a pending value (RotateImmediately=false tests the configuration only), passes and
 * writes nothing.
 */
export async function testSecret(
  context: RotationContext,
  secret: SecretDescription,
  token: string,
): Promise<void> {
  const select = { versionId: token, stage: AWSPENDING };
  const value = await context.secrets.getValue(secret.arn, select);
  if (value === undefined) {
    context.logger.info('testSecret: no pending value, configuration test only', {
      secretArn: secret.arn,
      versionId: token,
    });
    return;
  }
  const source = describeVersion(secret.arn, select);
  let document;
  try {
    document = parseKeyDocument(value, { source });
  } catch (error) {
    if (!(error instanceof KeyDocumentError)) throw error;
    throw new RotationError('ERR_PENDING_KEY_INVALID', `${error.message} (${error.code})`, {
      cause: error,
    });
  }
  if (isLegacyKeyDocument(document)) {
    // A legacy key only verifies: it never becomes current through a rotation.
    throw new RotationError(
      'ERR_PENDING_KEY_INVALID',
      `${source} is a legacy key, which never signs`,
    );
  }
  const current = await readKeyDocument(context, secret.arn, { stage: AWSCURRENT });
  if (current !== undefined && current.kid === document.kid) {
    throw new RotationError(
      'ERR_PENDING_KEY_INVALID',
      `${source} reuses the current key's kid ${document.kid}`,
    );
  }
  const { signingKey, verificationKey } = await importKeyDocument(document);
  const issuedAt = Math.floor(context.clock() / 1000);
  const jwt = await new SignJWT({ purpose: 'rotation-test' })
    .setProtectedHeader({ alg: document.alg, kid: document.kid, typ: 'JWT' })
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + 60)
    .sign(signingKey);
  try {
    const { protectedHeader } = await jwtVerify(jwt, verificationKey, {
      algorithms: [document.alg],
      currentDate: new Date(context.clock()),
      requiredClaims: ['exp'],
    });
    if (protectedHeader.kid !== document.kid) throw new Error('kid mismatch');
  } catch (error) {
    throw new RotationError(
      'ERR_PENDING_KEY_INVALID',
      `${source} failed to verify a token it signed`,
      {
        cause: error,
      },
    );
  }
  context.logger.info('testSecret: the pending key signs and verifies', {
    secretArn: secret.arn,
    versionId: token,
    kid: document.kid,
  });
}

/**
 * Makes the pending key current (the service moves AWSPREVIOUS to the old current version by
 * itself), removes AWSPENDING, then publishes "key rotated". A retry after the move skips the
 * move and publishes again: delivery is at least once, consumers dedupe by version id. A key
 * promoted late (a failed rotation reattempted later) is labelled with the moment first, so
 * the previous key's grace counts from its promotion, not from when the key was made.
 */
export async function finishSecret(
  context: RotationContext,
  secret: SecretDescription,
  token: string,
): Promise<void> {
  const currentVersion = versionWithStage(secret.versionIdsToStages, AWSCURRENT);
  /** Whether a key may have left the key set (the old AWSPREVIOUS, displaced by the move). */
  let keyLeft: boolean;
  let previous: KeyReference | null = null;
  let droppedEarly: KeyReference | null = null;
  let promotionLabel: string | undefined;
  let pending: KeyDocument | undefined;
  if (currentVersion !== token) {
    const oldCurrent = await readStagedKey(context, secret, AWSCURRENT);
    droppedEarly = await previousStillInGrace(context, secret, oldCurrent);
    pending = await readKeyDocument(context, secret.arn, { versionId: token, stage: AWSPENDING });
    promotionLabel = await recordLatePromotion(context, secret, token, pending);
    await writeUnlessAlreadyDone(
      context,
      () =>
        context.secrets.updateStage(secret.arn, AWSCURRENT, {
          moveToVersionId: token,
          removeFromVersionId: currentVersion,
        }),
      async () =>
        hasStage(
          (await context.secrets.describe(secret.arn)).versionIdsToStages,
          token,
          AWSCURRENT,
        ),
      { description: 'finishSecret', secretArn: secret.arn, versionId: token },
    );
    if (currentVersion !== undefined) previous = keyReference(currentVersion, oldCurrent);
    const oldPrevious = versionWithStage(secret.versionIdsToStages, AWSPREVIOUS);
    keyLeft = oldPrevious !== undefined && oldPrevious !== token;
    context.logger.info('finishSecret: moved AWSCURRENT to the new key', {
      secretArn: secret.arn,
      versionId: token,
      previousVersionId: currentVersion,
    });
  } else {
    const previousVersion = versionWithStage(secret.versionIdsToStages, AWSPREVIOUS);
    if (previousVersion !== undefined) {
      previous = keyReference(previousVersion, await readStagedKey(context, secret, AWSPREVIOUS));
    }
    // A retry after the move cannot tell whether the move displaced a key, nor whether the
    // failed attempt invalidated: it invalidates, with the same reference (no duplicate).
    keyLeft = true;
    context.logger.info('finishSecret: AWSCURRENT already on the new key', {
      secretArn: secret.arn,
      versionId: token,
    });
  }
  if (hasStage(secret.versionIdsToStages, token, AWSPENDING)) {
    await writeUnlessAlreadyDone(
      context,
      () => context.secrets.updateStage(secret.arn, AWSPENDING, { removeFromVersionId: token }),
      async () =>
        !hasStage(
          (await context.secrets.describe(secret.arn)).versionIdsToStages,
          token,
          AWSPENDING,
        ),
      { description: 'finishSecret', secretArn: secret.arn, versionId: token },
    );
  }
  await dropOutdatedPromotionLabels(context, secret, token, promotionLabel);
  // A version's value never changes: the key read before the move is the one now current.
  const newKey =
    pending ??
    (await readKeyDocument(context, secret.arn, { versionId: token, stage: AWSCURRENT }));
  // The labels the new version holds now: the one just put, or those it already had.
  const newKeyStages =
    promotionLabel === undefined ? secret.versionIdsToStages[token] : [promotionLabel];
  const graceEnd =
    newKey === undefined || previous === null
      ? undefined
      : graceEndOfPrevious(newKey, newKeyStages);
  const standbyVersion = versionWithStage(secret.versionIdsToStages, STANDBY_STAGE);
  const next =
    standbyVersion === undefined
      ? null
      : keyReference(standbyVersion, await readStagedKey(context, secret, STANDBY_STAGE));
  if (publishesKeySet(context)) {
    // After the label moves (the set shows the end state), before the event (a consumer that
    // refetches the set on it finds the new state).
    await publishKeySet(context, await context.secrets.describe(secret.arn), {
      reason: 'finishSecret',
      ...(keyLeft && { invalidateFor: token }),
    });
  }
  await context.events.publish({
    detailType: KEY_ROTATED,
    detail: {
      secretArn: secret.arn,
      algorithm: newKey?.alg ?? context.config.algorithm,
      rotatedAt: new Date(context.clock()).toISOString(),
      current: keyReference(token, newKey),
      previous,
      previousGraceEndsAt: graceEnd === undefined ? null : new Date(graceEnd).toISOString(),
      droppedEarly,
      next,
    },
  });
  context.metrics?.('KeyRotated', 1, secret.arn);
  context.logger.info('finishSecret: published the key rotated event', {
    secretArn: secret.arn,
    versionId: token,
    kid: newKey?.kid,
  });
}

/**
 * The AWSPREVIOUS key this rotation is about to displace, when its grace period (stated by the
 * current key) has not ended: Secrets Manager keeps one AWSPREVIOUS, so it is dropped early.
 */
async function previousStillInGrace(
  context: RotationContext,
  secret: SecretDescription,
  currentDocument: KeyDocument | undefined,
): Promise<KeyReference | null> {
  const previousVersion = versionWithStage(secret.versionIdsToStages, AWSPREVIOUS);
  if (previousVersion === undefined || currentDocument === undefined) return null;
  const currentVersion = versionWithStage(secret.versionIdsToStages, AWSCURRENT);
  const graceEnd = graceEndOfPrevious(
    currentDocument,
    currentVersion === undefined ? undefined : secret.versionIdsToStages[currentVersion],
  );
  if (graceEnd === undefined || graceEnd <= context.clock()) return null;
  const document = await readStagedKey(context, secret, AWSPREVIOUS);
  context.logger.warn('finishSecret: the previous key is dropped before its grace period ends', {
    secretArn: secret.arn,
    droppedVersionId: previousVersion,
    graceEndsAt: new Date(graceEnd).toISOString(),
  });
  return keyReference(previousVersion, document);
}
