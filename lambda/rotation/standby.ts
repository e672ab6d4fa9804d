/**
 * The standby key (staging label JWTKEY_NEXT): made by each rotation, promoted by the next one
 * with the same kid and key members. createSecret writes the pending key first (holding the
 * promoted standby's key) and the new standby second, so the old standby's key is saved in the
 * pending version before the label leaves it; a retried createSecret finds the new standby at
 * a version id derived from its token and reuses it (Secrets Manager refuses a second value
 * under the same version id).
 */
import { STANDBY_STAGE, versionWithStage } from '../../contract';
import { derivedVersionId } from '../../contract/derived-version-id';
import {
  isLegacyKeyDocument,
  type KeyDocument,
  KeyDocumentError,
  makeKeyDocument,
  parseKeyDocument,
  serializeKeyDocument,
} from '../../key-document';

import { newKeySettings, type RotationContext, writeUnlessAlreadyDone } from './context';
import { RotationError } from './errors';
import { type SecretDescription } from './secrets-store';
import { describeVersion, readKeyDocument } from './version-reader';

/** The version id (and kid) of the standby key the rotation with this token makes. */
export function standbyVersionIdFor(token: string): string {
  return derivedVersionId(token, 'standby');
}

export interface StandbyKey {
  readonly versionId: string;
  readonly document: KeyDocument;
}

/**
 * The standby key a rotation may promote: the version holding JWTKEY_NEXT, when its value is a
 * valid key document of the configured algorithm whose kid differs from the current key's.
 * `ownStandby` (the standby this rotation makes) is never promoted by the same rotation.
 */
export async function readPromotableStandby(
  context: RotationContext,
  secret: SecretDescription,
  currentKid: string | undefined,
  ownStandby: string,
): Promise<StandbyKey | undefined> {
  const versionId = versionWithStage(secret.versionIdsToStages, STANDBY_STAGE);
  if (versionId === undefined || versionId === ownStandby) return undefined;
  const document = await readKeyDocument(context, secret.arn, {
    versionId,
    stage: STANDBY_STAGE,
  });
  if (document === undefined) return undefined;
  const refusal =
    document.kid === currentKid
      ? 'same kid as the current key'
      : document.alg !== context.config.algorithm
        ? 'other algorithm'
        : isLegacyKeyDocument(document)
          ? 'a legacy key, which never signs'
          : undefined;
  if (refusal !== undefined) {
    context.logger.warn('the standby key is not promoted: a fresh key is made instead', {
      secretArn: secret.arn,
      versionId,
      kid: document.kid,
      algorithm: document.alg,
      reason: refusal,
    });
    return undefined;
  }
  return { versionId, document };
}

/**
 * Makes sure the rotation's standby version exists: writes a fresh key there (kid = the version
 * id) with the JWTKEY_NEXT label, unless an earlier attempt or a concurrent duplicate already
 * did. A standby version that exists without the label lost it on purpose (discard-standby):
 * it is not labelled again, so the next rotation makes a fresh key.
 */
export async function ensureStandby(
  context: RotationContext,
  secret: SecretDescription,
  versionId: string,
  step: string,
): Promise<void> {
  const log = { secretArn: secret.arn, standbyVersionId: versionId };
  const written = await context.secrets.getValue(secret.arn, { versionId });
  if (written !== undefined) {
    parseStandby(written, secret.arn, versionId);
    if (versionWithStage(secret.versionIdsToStages, STANDBY_STAGE) === versionId) {
      context.logger.info(`${step}: the standby key already exists`, log);
    } else {
      context.logger.warn(
        `${step}: the standby key of this rotation was discarded; it is not labelled again`,
        log,
      );
    }
    return;
  }
  const document = await makeKeyDocument({
    ...newKeySettings(context),
    kid: versionId,
    now: new Date(context.clock()),
  });
  // PutSecretValue moves JWTKEY_NEXT off the old standby version. Two deliveries at once both
  // write; the service keeps the first value and refuses the second, which adopts it.
  await writeUnlessAlreadyDone(
    context,
    () =>
      context.secrets.putValue(secret.arn, versionId, serializeKeyDocument(document), [
        STANDBY_STAGE,
      ]),
    async () => (await context.secrets.getValue(secret.arn, { versionId })) !== undefined,
    { description: step, secretArn: secret.arn, versionId },
  );
  context.logger.info(`${step}: stored the new standby key`, {
    ...log,
    standbyKid: document.kid,
    algorithm: document.alg,
  });
}

function parseStandby(value: string, secretArn: string, versionId: string): KeyDocument {
  try {
    return parseKeyDocument(value, { source: describeVersion(secretArn, { versionId }) });
  } catch (error) {
    if (!(error instanceof KeyDocumentError)) throw error;
    throw new RotationError(
      'ERR_STANDBY_KEY_INVALID',
      `the standby version of this rotation holds no valid key document: ${error.message} (${error.code})`,
      { cause: error },
    );
  }
}
