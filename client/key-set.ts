/**
 * A published key set (RFC 7517 JWK Set) read as verification keys. Each entry must be the
 * public JWK of a supported asymmetric key, exactly what the rotation function publishes: a
 * `kid`, an `alg` of ES256 (P-256), EdDSA (Ed25519) or RS256 (2048 bits or more) that fits its
 * `kty` and `crv` (`Ed25519`, RFC 9864's name for EdDSA on Ed25519, is read as EdDSA: other
 * publishers write it), `use` "sig" if present, and no private member. An entry that breaks a rule
 * is skipped and reported, never used: a verifier must not count on a publisher to leave out
 * `d` (aws-jwt-verify 5.2.1 accepts a key set holding it). Entries sharing a kid are all
 * skipped: which one the signer meant cannot be known. Each key is imported into a KeyObject
 * once, here, so that verify never parses a key.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';

import {
  type AsymmetricAlgorithm,
  PRIVATE_MEMBERS,
  publicKeyAlgorithmOf,
  publicKeyProblem,
} from '../key-document';
import { publicMembers } from '../key-document/asymmetric';

import { type AsymmetricKey } from './compact-jws';
import { JwtKeyRingError } from './errors';
import { signatureLength } from './signatures';

/** An entry left out of the key set, and why (the reason never quotes a key member). */
export interface SkippedEntry {
  /** Its position in `keys`. */
  readonly index: number;
  /** Its kid, when it is a short string. */
  readonly kid?: string;
  readonly reason: string;
}

export interface KeySet {
  readonly keys: ReadonlyMap<string, AsymmetricKey>;
  readonly skipped: readonly SkippedEntry[];
}

const MAX_KID_LENGTH = 256;
/** More entries than any rotation publishes (3 or 4) by far: beyond, the response is refused. */
export const MAX_KEY_SET_ENTRIES = 100;

/**
 * The usable keys of a JWK Set. Refuses (ERR_KEY_SET_INVALID) a value that is not a JWK Set
 * or that holds no usable entry: a key set that verifies nothing fails closed, it is not an
 * empty set of keys.
 */
export function parseKeySet(value: unknown, source: string): KeySet {
  const entries = (value as { keys?: unknown } | null | undefined)?.keys;
  if (typeof value !== 'object' || value === null || !Array.isArray(entries)) {
    throw invalid(`${source} is not a JWK Set (an object with a "keys" array)`);
  }
  if (entries.length > MAX_KEY_SET_ENTRIES) {
    throw invalid(`${source} has ${entries.length} keys, more than ${MAX_KEY_SET_ENTRIES}`);
  }
  const kids = entries.map(kidOf);
  const skipped: SkippedEntry[] = [];
  const keys = new Map<string, AsymmetricKey>();
  entries.forEach((entry: unknown, index) => {
    const kid = kids[index];
    const problem =
      kid !== undefined && kids.indexOf(kid) !== kids.lastIndexOf(kid)
        ? 'more than one entry has this kid'
        : entryProblem(entry);
    if (problem === undefined) {
      const key = importEntry(entry as Readonly<Record<string, unknown>>);
      keys.set(key.kid, key);
    } else {
      skipped.push({ index, ...(kid !== undefined && { kid }), reason: problem });
    }
  });
  if (keys.size === 0) {
    const reasons = skipped.map((entry) => entry.reason).join('; ');
    throw invalid(`${source} holds no usable key${reasons === '' ? '' : ` (${reasons})`}`);
  }
  return { keys, skipped };
}

/** Why the entry is not a usable public verification key; undefined when it is. */
function entryProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return 'an entry is not a JSON object';
  }
  const jwk = entry as Readonly<Record<string, unknown>>;
  if (jwk.kty === 'oct') return 'a symmetric (oct) key is never published';
  const secret = PRIVATE_MEMBERS.find((member) => Object.hasOwn(jwk, member));
  if (secret !== undefined) return `it holds the private member "${secret}"`;
  if (kidOf(jwk) === undefined) {
    return `kid must be a string of 1 to ${MAX_KID_LENGTH} characters`;
  }
  const alg = publicKeyAlgorithmOf(jwk.alg);
  if (alg === undefined) {
    return `alg must be ES256, EdDSA (or Ed25519) or RS256, got ${describe(jwk.alg)}`;
  }
  if (jwk.use !== undefined && jwk.use !== 'sig')
    return `use must be "sig", got ${describe(jwk.use)}`;
  if (
    jwk.key_ops !== undefined &&
    !(Array.isArray(jwk.key_ops) && (jwk.key_ops as unknown[]).includes('verify'))
  ) {
    return 'key_ops must include "verify"';
  }
  const problem = publicKeyProblem(alg, jwk);
  return problem === undefined ? undefined : `not a usable ${describe(jwk.alg)} key: ${problem}`;
}

function importEntry(jwk: Readonly<Record<string, unknown>>): AsymmetricKey {
  const alg = publicKeyAlgorithmOf(jwk.alg) as AsymmetricAlgorithm;
  const publicKey = createPublicKey({ key: publicMembers(jwk) as JsonWebKey, format: 'jwk' });
  return {
    kind: 'asymmetric',
    alg,
    kid: jwk.kid as string,
    publicKey,
    signatureBytes: signatureLength(alg, publicKey),
  };
}

function kidOf(entry: unknown): string | undefined {
  const kid = (entry as { kid?: unknown } | null | undefined)?.kid;
  return typeof kid === 'string' && kid.length > 0 && kid.length <= MAX_KID_LENGTH
    ? kid
    : undefined;
}

/** Short non-secret members (alg, use) as found, so the warning says what was wrong. */
function describe(value: unknown): string {
  if (typeof value === 'string') {
    return value.length <= 40 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  }
  return value === undefined ? 'nothing' : value === null ? 'null' : `a ${typeof value}`;
}

function invalid(message: string): JwtKeyRingError {
  return new JwtKeyRingError('ERR_KEY_SET_INVALID', message);
}
