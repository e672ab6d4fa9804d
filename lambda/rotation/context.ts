/** What the protocol logic works with: injected, so tests control the store, time and logs. */
import { type RotationMetric, versionWithStage } from '../../contract';
import {
  type KeyDocument,
  KeyDocumentError,
  parseKeyDocument,
  type RandomBytes,
  type RsaModulusBits,
} from '../../key-document';
import { type KeyReference } from '../../rotation-events';

import { type RotationConfig } from './config';
import { type CustomResourceResponder } from './custom-resource';
import { type EventPublisher } from './event-publisher';
import { type KeySetStore } from './key-set-store';
import { type SecretDescription, type SecretsStore, type VersionSelector } from './secrets-store';

/** Structured logging (Powertools' Logger fits): fields are merged into the JSON line. */
export interface RotationLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Metric values for the dashboard (CloudWatch embedded metric format in the deployed function). */
export type MetricSink = (name: RotationMetric, value: number, secretArn: string) => void;

export interface RotationDependencies {
  readonly secrets: SecretsStore;
  readonly events: EventPublisher;
  readonly config: RotationConfig;
  /** Epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** @default node:crypto randomBytes */
  readonly randomBytes?: RandomBytes;
  readonly logger: RotationLogger;
  /** @default none */
  readonly metrics?: MetricSink;
  /** Answers CloudFormation's custom resource requests. @default an HTTPS PUT to ResponseURL */
  readonly respond?: CustomResourceResponder;
  /**
   * Where the public keys are published: required with `config.keySet`, refused without it.
   * @default none: nothing is published
   */
  readonly keySetStore?: KeySetStore;
}

export interface RotationContext extends RotationDependencies {
  readonly clock: () => number;
  readonly respond: CustomResourceResponder;
}

/**
 * Reads and parses a version's key document; undefined when the version has no value or the
 * value is not a key document (logged by error code, never by content).
 */
export async function readKeyDocument(
  context: RotationContext,
  secretArn: string,
  select: VersionSelector,
): Promise<KeyDocument | undefined> {
  const value = await context.secrets.getValue(secretArn, select);
  return value === undefined ? undefined : parseOrReport(context, value, secretArn, select);
}

/**
 * Parses a version's value as a key document; undefined when it is not one (logged by error
 * code, never by content).
 */
export function parseOrReport(
  context: RotationContext,
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
 * The key of the version the description shows holding `stage`. The read names the label as
 * well, so a label moved since the description is not followed to another version.
 */
export async function readStagedKey(
  context: RotationContext,
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

/** How events name a key: its version id and kid (the version id when the value is unreadable). */
export function keyReference(versionId: string, document: KeyDocument | undefined): KeyReference {
  return { versionId, kid: document?.kid ?? versionId };
}

/**
 * Runs a write that another invocation may have made first (a duplicate delivery of the same
 * step, a rotation racing a retire). When the service refuses it and a fresh look shows the
 * wanted state already holds, the write is done; any other failure is thrown.
 */
export async function writeUnlessAlreadyDone(
  context: RotationContext,
  write: () => Promise<void>,
  alreadyDone: () => Promise<boolean>,
  what: { readonly description: string; readonly secretArn: string; readonly versionId: string },
): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!CONFLICT_ERRORS.has((error as Error).name) || !(await alreadyDone())) throw error;
    context.logger.info(`${what.description}: already done by a concurrent invocation`, {
      secretArn: what.secretArn,
      versionId: what.versionId,
    });
  }
}

/** What Secrets Manager answers when a write's premise changed under it. */
const CONFLICT_ERRORS = new Set(['ResourceExistsException', 'InvalidParameterException']);

/**
 * What every new key is made with: the configured algorithm (and RSA modulus), and the random
 * source tests inject for HMAC keys.
 */
export function newKeySettings(context: RotationContext): {
  readonly alg: RotationConfig['algorithm'];
  readonly rsaModulusBits?: RsaModulusBits;
  readonly randomBytes?: RandomBytes;
} {
  return {
    alg: context.config.algorithm,
    ...(context.config.rsaModulusBits !== undefined && {
      rsaModulusBits: context.config.rsaModulusBits,
    }),
    ...(context.randomBytes !== undefined && { randomBytes: context.randomBytes }),
  };
}
