/**
 * Makes a new key document from a CSPRNG. The random source is injectable for tests only; in
 * production it is node:crypto's randomBytes.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';

import { type HmacAlgorithm } from './algorithms';
import type { HmacKeyDocument } from './key-document';

/**
 * Every new HMAC key is 64 random bytes, whatever the hash: at least the hash size for HS512
 * (RFC 7518 3.2, which HS256 and HS384 exceed), and the block size of SHA-256, so no algorithm
 * gets a key weaker than another's. The parser still accepts any key of at least the hash size.
 */
export const NEW_HMAC_KEY_BYTES = 64;

export type RandomBytes = (size: number) => Uint8Array;

export interface GenerateKeyDocumentOptions {
  readonly alg: HmacAlgorithm;
  /** The Secrets Manager version id is a good kid: one id across secret, events and tokens. */
  readonly kid: string;
  /** When the key is generated; becomes `createdAt`. */
  readonly now: Date;
  /** Grace granted to the key this one replaces; omitted when undefined. */
  readonly previousKeyGraceSeconds?: number;
  /** The kid of the key this one replaces; omitted when undefined. */
  readonly previousKid?: string;
  /** The kid of the standby key the next rotation promotes; omitted when undefined. */
  readonly nextKid?: string;
  /** @default node:crypto randomBytes */
  readonly randomBytes?: RandomBytes;
}

/**
 * @example
 * const document = generateKeyDocument({ alg: 'HS256', kid: versionId, now: new Date() });
 * await secrets.putSecretValue(versionId, serializeKeyDocument(document));
 */
export function generateKeyDocument(options: GenerateKeyDocumentOptions): HmacKeyDocument {
  const size = NEW_HMAC_KEY_BYTES;
  const bytes = (options.randomBytes ?? cryptoRandomBytes)(size);
  if (bytes.length !== size) {
    throw new RangeError(`random source returned ${bytes.length} bytes, expected ${size}`);
  }
  return {
    kty: 'oct',
    alg: options.alg,
    use: 'sig',
    kid: options.kid,
    k: Buffer.from(bytes).toString('base64url'),
    createdAt: options.now.toISOString(),
    ...(options.previousKeyGraceSeconds !== undefined && {
      previousKeyGraceSeconds: options.previousKeyGraceSeconds,
    }),
    ...(options.nextKid !== undefined && { nextKid: options.nextKid }),
    ...(options.previousKid !== undefined && { previousKid: options.previousKid }),
  };
}
