/**
 * What the protocol logic works with: the injected dependencies (dependencies.ts) with their
 * defaults, and the invocation's version reader (version-reader.ts); plus the few rules every
 * step and action shares.
 */
import { type KeyDocument, type RandomBytes, type RsaModulusBits } from '../../key-document';
import { type KeyReference } from '../../rotation-events';

import { type RotationConfig } from './config';
import { type CustomResourceResponder } from './custom-resource';
import { type RotationDependencies } from './dependencies';
import { type VersionReader } from './version-reader';

/** What every step and action works with: the dependencies with their defaults, per invocation. */
export interface RotationContext extends RotationDependencies {
  readonly clock: () => number;
  readonly respond: CustomResourceResponder;
  /** This invocation's reads of the secret's versions (each version read once). */
  readonly versions: VersionReader;
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
