/**
 * The first key, at deploy: CloudFormation's custom resource (contract/first-key.ts) asks the
 * function to make sure AWSCURRENT holds a usable key document of the configured algorithm that
 * names its standby key (nextKid, held by the JWTKEY_NEXT version), so that an application
 * reading the secret right after `cdk deploy` finds a key, and the first rotation a standby.
 *
 * - Create, or AWSCURRENT without a valid key of the configured algorithm: a standby version
 *   and a first key version, at ids derived from the request, so a repeated request finds them
 *   instead of making a second key. Writing the first key with AWSCURRENT puts AWSPREVIOUS on
 *   the old current version (the key CloudFormation generated, which keeps its grace).
 * - A secret with no value yet: the first key first, because Secrets Manager puts AWSCURRENT on
 *   the first version of a secret whatever its labels; a standby written first would be current.
 * - Otherwise (a current key that names a standby, or an Update of a stack deployed before the
 *   standby existed): nothing changes. The next rotation brings a standby.
 */
import { AWSCURRENT, STANDBY_STAGE, versionWithStage } from '../../contract';
import { derivedVersionId } from '../../contract/derived-version-id';
import {
  graceForSuccessorOf,
  type KeyDocument,
  makeKeyDocument,
  serializeKeyDocument,
} from '../../key-document';

import { newKeySettings, type RotationContext, writeUnlessAlreadyDone } from './context';
import { type CustomResourceRequestType } from './custom-resource';
import { RotationError } from './errors';
import { type SecretDescription } from './secrets-store';
import { ensureStandby } from './standby';
import { parseOrReport, readStagedKey } from './version-reader';

export interface FirstKeyOutcome {
  readonly secretArn: string;
  /** The kid of the key AWSCURRENT holds when the request is done. */
  readonly kid: string;
  /** Whether this request wrote a key (false: the secret already had what it needs). */
  readonly written: boolean;
}

const STEP = 'first key';

/** The version ids a request writes: derived from the secret and the request id. */
export function firstKeyVersionIds(
  secretArn: string,
  requestId: string,
): { readonly key: string; readonly standby: string } {
  const seed = `${secretArn}|${requestId}`;
  return {
    key: derivedVersionId(seed, 'first-key'),
    standby: derivedVersionId(seed, 'first-key-standby'),
  };
}

export async function ensureFirstKey(
  context: RotationContext,
  request: {
    readonly secretId: string;
    readonly requestType: Exclude<CustomResourceRequestType, 'Delete'>;
    readonly requestId: string;
  },
): Promise<FirstKeyOutcome> {
  const secret = await context.secrets.describe(request.secretId);
  const ids = firstKeyVersionIds(secret.arn, request.requestId);
  const log = { secretArn: secret.arn, requestType: request.requestType };
  const currentVersion = versionWithStage(secret.versionIdsToStages, AWSCURRENT);
  const currentValue =
    currentVersion === undefined
      ? undefined
      : await context.secrets.getValue(secret.arn, { stage: AWSCURRENT });
  const current =
    currentValue === undefined
      ? undefined
      : parseOrReport(context, currentValue, secret.arn, { stage: AWSCURRENT });
  const usable = current !== undefined && current.alg === context.config.algorithm;

  if (usable && currentVersion === ids.key) {
    // This request wrote the first key already (a repeated request, or a retry after a failed
    // standby write): only the standby may be missing.
    await ensureStandby(context, secret, ids.standby, STEP);
    return { secretArn: secret.arn, kid: current.kid, written: false };
  }
  if (usable && (await namesItsStandby(context, secret, current))) {
    context.logger.info('first key: the current key and its standby are in place; nothing to do', {
      ...log,
      kid: current.kid,
    });
    return { secretArn: secret.arn, kid: current.kid, written: false };
  }
  if (usable && request.requestType === 'Update') {
    context.logger.warn(
      current.nextKid === undefined
        ? 'first key: the current key names no standby key; nothing changed, the next rotation makes one'
        : 'first key: the standby key the current key names is gone; nothing changed, the next rotation makes a fresh key',
      { ...log, kid: current.kid, nextKid: current.nextKid },
    );
    return { secretArn: secret.arn, kid: current.kid, written: false };
  }
  const earlier = await context.secrets.getValue(secret.arn, { versionId: ids.key });
  if (earlier !== undefined) {
    throw new RotationError(
      'ERR_FIRST_KEY_SUPERSEDED',
      `secret ${secret.arn}: the first key this request wrote (version ${ids.key}) is no longer ` +
        'AWSCURRENT and AWSCURRENT holds no usable key; nothing was changed',
    );
  }
  const document = await makeKeyDocument({
    ...newKeySettings(context),
    kid: ids.key,
    now: new Date(context.clock()),
    // A legacy key displaced here (a deploy racing an import) keeps its own, longer grace.
    previousKeyGraceSeconds: graceForSuccessorOf(current, context.config.gracePeriodSeconds),
    nextKid: ids.standby,
    ...(current !== undefined && current.kid !== ids.key && { previousKid: current.kid }),
  });
  if (currentVersion === undefined) {
    await writeFirstKey(context, secret, ids.key, document);
    await ensureStandby(context, secret, ids.standby, STEP);
  } else {
    await ensureStandby(context, secret, ids.standby, STEP);
    await writeFirstKey(context, secret, ids.key, document);
  }
  return { secretArn: secret.arn, kid: document.kid, written: true };
}

/** Whether the current key names a kid that the JWTKEY_NEXT version holds. */
async function namesItsStandby(
  context: RotationContext,
  secret: SecretDescription,
  current: KeyDocument,
): Promise<boolean> {
  if (current.nextKid === undefined) return false;
  if (versionWithStage(secret.versionIdsToStages, STANDBY_STAGE) === undefined) return false;
  const standby = await readStagedKey(context, secret, STANDBY_STAGE);
  return standby?.kid === current.nextKid;
}

async function writeFirstKey(
  context: RotationContext,
  secret: SecretDescription,
  versionId: string,
  document: KeyDocument,
): Promise<void> {
  // A concurrent duplicate of the request writes another value under the same id: the service
  // keeps the first, and this invocation adopts it once it holds AWSCURRENT.
  await writeUnlessAlreadyDone(
    context,
    () =>
      context.secrets.putValue(secret.arn, versionId, serializeKeyDocument(document), [AWSCURRENT]),
    async () =>
      versionWithStage(
        (await context.secrets.describe(secret.arn)).versionIdsToStages,
        AWSCURRENT,
      ) === versionId,
    { description: STEP, secretArn: secret.arn, versionId },
  );
  context.logger.info('first key: stored the first key as AWSCURRENT', {
    secretArn: secret.arn,
    versionId,
    kid: document.kid,
    algorithm: document.alg,
    nextKid: document.nextKid,
    previousKid: document.previousKid,
  });
}
