/**
 * Reads the secret's versions for one invocation. A version's value never changes (Secrets
 * Manager refuses a second value under the same version id), so each version read by its id is
 * kept for the rest of the invocation and read once; which version holds which label is not
 * kept here: the steps take it from a fresh DescribeSecret. A new reader serves each invocation,
 * so nothing outlives it (a rotation runs each step in an invocation of its own).
 */
import { versionWithStage } from '../../contract';
import { type KeyDocument, KeyDocumentError, parseKeyDocument } from '../../key-document';

import { type RotationLogger } from './dependencies';
import { type SecretDescription, type SecretsStore, type VersionSelector } from './secrets-store';

export class VersionReader {
  /** The values read by version id, per secret id as the caller named it. */
  private readonly values = new Map<string, string>();

  constructor(private readonly secrets: SecretsStore) {}

  /**
   * The value of a version, as SecretsStore.getValue answers. A version named by its id is read
   * from the service once (the label the selector names, if any, is checked on that read); a
   * version named by a label alone is read each time, since the label may have moved.
   */
  async value(secretId: string, select: VersionSelector): Promise<string | undefined> {
    if (select.versionId === undefined) return this.secrets.getValue(secretId, select);
    const key = JSON.stringify([secretId, select.versionId]);
    const kept = this.values.get(key);
    if (kept !== undefined) return kept;
    const value = await this.secrets.getValue(secretId, select);
    // No value is not kept: the version may get one later in the invocation (a step writes it).
    if (value !== undefined) this.values.set(key, value);
    return value;
  }
}

/** What reading a key document takes: the invocation's reader, and where a bad value is told. */
export interface VersionReading {
  readonly versions: VersionReader;
  readonly logger: RotationLogger;
}

/**
 * Reads and parses a version's key document; undefined when the version has no value or the
 * value is not a key document (logged by error code, never by content).
 */
export async function readKeyDocument(
  context: VersionReading,
  secretArn: string,
  select: VersionSelector,
): Promise<KeyDocument | undefined> {
  const value = await context.versions.value(secretArn, select);
  return value === undefined ? undefined : parseOrReport(context, value, secretArn, select);
}

/**
 * Parses a version's value as a key document; undefined when it is not one (logged by error
 * code, never by content).
 */
export function parseOrReport(
  context: { readonly logger: RotationLogger },
  value: string,
  secretArn: string,
  select: VersionSelector,
): KeyDocument | undefined {
  try {
    return parseKeyDocument(value, { source: describeVersion(secretArn, select) });
  } catch (error) {
    if (!(error instanceof KeyDocumentError)) throw error;
    context.logger.warn('version does not hold a valid key document', {
      secretArn,
      versionId: select.versionId,
      stage: select.stage,
      errorCode: error.code,
    });
    return undefined;
  }
}

/**
 * The key of the version the description shows holding `stage`. The first read names the label
 * as well, so a label moved since the description is not followed to another version.
 */
export async function readStagedKey(
  context: VersionReading,
  secret: SecretDescription,
  stage: string,
): Promise<KeyDocument | undefined> {
  const versionId = versionWithStage(secret.versionIdsToStages, stage);
  return versionId === undefined
    ? undefined
    : readKeyDocument(context, secret.arn, { versionId, stage });
}

export function describeVersion(secretArn: string, select: VersionSelector): string {
  const version = select.versionId === undefined ? '' : ` version ${select.versionId}`;
  const stage = select.stage === undefined ? '' : ` (${select.stage})`;
  return `secret ${secretArn}${version}${stage}`;
}
