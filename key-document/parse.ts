/**
 * Reads a secret string as a key document and refuses anything that is not one. The alg decides
 * the key type and what the key members must be. Stricter than JOSE libraries on purpose: HMAC
 * keys shorter than the hash (RFC 7518 3.2), non-canonical base64url, small RSA moduli and
 * asymmetric keys whose public members do not belong to the private ones are refused. A legacy
 * document (an imported static secret, see legacy.ts) is the one exception to the key length:
 * it may hold an HMAC key of 1 byte or more. Messages name the secret through `source` and
 * never echo the key.
 */
import {
  type HmacAlgorithm,
  isHmacAlgorithm,
  isJwtAlgorithm,
  type JwtAlgorithm,
  minimumKeyBytes,
} from './algorithms';
import {
  ALGORITHM_KEYS,
  type AsymmetricAlgorithm,
  asymmetricKeyProblem,
  PRIVATE_KEY_MEMBERS,
  privateMembers,
} from './asymmetric';
import { decodeCanonicalBase64url } from './base64url';
import { KeyDocumentError, type KeyDocumentErrorCode } from './errors';
import type { KeyDocument } from './key-document';
import { MINIMUM_LEGACY_KEY_BYTES } from './legacy';
import { LEGACY_TOKENS_WITHOUT_EXP, type LegacyKeyMembers } from './legacy-members';

export interface ParseKeyDocumentOptions {
  /** Names the value in error messages, e.g. `secret "jwt-key" version 1a2b (AWSCURRENT)`. */
  readonly source?: string;
}

const ALLOWED_KEY_OPS = new Set(['sign', 'verify']);
const MAX_KID_LENGTH = 256;
const ISO_8601_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/**
 * @example
 * const document = parseKeyDocument(response.SecretString ?? '', {
 *   source: `secret "${secretId}" (AWSCURRENT)`,
 * });
 */
export function parseKeyDocument(text: string, options: ParseKeyDocumentOptions = {}): KeyDocument {
  const source = options.source ?? 'key document';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's own message quotes the text, which may be key material: do not pass it on.
    throw new KeyDocumentError('ERR_KEY_DOCUMENT_NOT_JSON', `${source} is not JSON`);
  }
  return validateKeyDocument(value, options);
}

/** Validates an already-parsed value; see parseKeyDocument. */
export function validateKeyDocument(
  value: unknown,
  options: ParseKeyDocumentOptions = {},
): KeyDocument {
  const source = options.source ?? 'key document';
  const fail = (code: KeyDocumentErrorCode, problem: string): never => {
    throw new KeyDocumentError(code, `${source}: ${problem}`);
  };

  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('ERR_KEY_DOCUMENT_NOT_OBJECT', `must be a JSON object, got ${kindOf(value)}`);
  }
  const jwk = value as Record<string, unknown>;

  const alg = checkAlgorithm(jwk, fail);
  if (jwk.use !== undefined && jwk.use !== 'sig') {
    fail('ERR_KEY_DOCUMENT_WRONG_USE', `use must be "sig", got ${describe(jwk.use)}`);
  }
  if (jwk.key_ops !== undefined && !isSigningKeyOps(jwk.key_ops)) {
    fail('ERR_KEY_DOCUMENT_WRONG_KEY_OPS', 'key_ops may only list "sign" and "verify"');
  }

  const kid = jwk.kid;
  if (!isKid(kid)) {
    return fail(
      'ERR_KEY_DOCUMENT_MISSING_KID',
      `kid must be a string of 1 to ${MAX_KID_LENGTH} characters, got ${kindOf(kid)}`,
    );
  }

  const legacy = jwk.legacy === undefined ? undefined : legacyMembers(jwk.legacy, alg, fail);
  const key = isHmacAlgorithm(alg)
    ? hmacKeyMembers(jwk, alg, legacy !== undefined, fail)
    : asymmetricKeyMembers(jwk, alg, fail);

  const createdAt = jwk.createdAt;
  if (
    createdAt !== undefined &&
    (typeof createdAt !== 'string' ||
      !ISO_8601_UTC.test(createdAt) ||
      Number.isNaN(Date.parse(createdAt)))
  ) {
    fail(
      'ERR_KEY_DOCUMENT_BAD_CREATED_AT',
      `createdAt must be an ISO-8601 UTC time, got ${describe(createdAt)}`,
    );
  }

  const grace = jwk.previousKeyGraceSeconds;
  if (
    grace !== undefined &&
    !(typeof grace === 'number' && Number.isSafeInteger(grace) && grace >= 0)
  ) {
    fail(
      'ERR_KEY_DOCUMENT_BAD_GRACE',
      `previousKeyGraceSeconds must be a whole number of seconds >= 0, got ${describe(grace)}`,
    );
  }

  const references: Partial<Record<'nextKid' | 'previousKid', string>> = {};
  for (const member of ['nextKid', 'previousKid'] as const) {
    const reference = jwk[member];
    if (reference === undefined) continue;
    if (!isKid(reference)) {
      return fail(
        'ERR_KEY_DOCUMENT_BAD_KID_REFERENCE',
        `${member} must be a string of 1 to ${MAX_KID_LENGTH} characters, got ${kindOf(reference)}`,
      );
    }
    if (reference === kid) {
      return fail('ERR_KEY_DOCUMENT_BAD_KID_REFERENCE', `${member} must differ from the key's kid`);
    }
    references[member] = reference;
  }

  return {
    ...key,
    use: 'sig',
    kid,
    ...(typeof createdAt === 'string' && { createdAt }),
    ...(typeof grace === 'number' && { previousKeyGraceSeconds: grace }),
    ...references,
    ...(legacy !== undefined && { legacy }),
  } as KeyDocument;
}

type Fail = (code: KeyDocumentErrorCode, problem: string) => never;

/**
 * The algorithm, which decides the key type: a supported alg with another kty is a wrong kty;
 * an unsupported alg is a wrong alg, unless the kty is not one we know either.
 */
function checkAlgorithm(jwk: Readonly<Record<string, unknown>>, fail: Fail): JwtAlgorithm {
  const alg = jwk.alg;
  if (isJwtAlgorithm(alg)) {
    const kty = isHmacAlgorithm(alg) ? 'oct' : ALGORITHM_KEYS[alg].kty;
    if (jwk.kty !== kty) {
      fail(
        'ERR_KEY_DOCUMENT_WRONG_KTY',
        `kty must be "${kty}" for ${alg}, got ${describe(jwk.kty)}`,
      );
    }
    return alg;
  }
  const algorithms = KEY_TYPE_ALGORITHMS[String(jwk.kty)];
  if (typeof jwk.kty !== 'string' || algorithms === undefined) {
    return fail(
      'ERR_KEY_DOCUMENT_WRONG_KTY',
      `kty must be "oct", "EC", "OKP" or "RSA", got ${describe(jwk.kty)}`,
    );
  }
  return fail(
    'ERR_KEY_DOCUMENT_WRONG_ALG',
    `alg must be ${algorithms} for kty "${jwk.kty}", got ${describe(alg)}`,
  );
}

/**
 * What each kty takes, for the message. RFC 9864's `Ed25519` (EdDSA on Ed25519) is refused in a
 * document on purpose (ERR_KEY_DOCUMENT_WRONG_ALG): a document's alg is what the rotation
 * publishes and signs with, and verifiers that predate RFC 9864 know only `EdDSA`. Verifiers of
 * ours take `Ed25519` in tokens and in public key set entries (asymmetric.ts ED25519_ALGORITHM).
 */
const KEY_TYPE_ALGORITHMS: Readonly<Partial<Record<string, string>>> = {
  oct: 'HS256, HS384 or HS512',
  EC: 'ES256',
  OKP: 'EdDSA',
  RSA: 'RS256',
};

/**
 * The `legacy` member: only on an HMAC key (the static secrets teams have are HMAC), with
 * exactly its two members, so a typo cannot turn a setting into its default.
 */
function legacyMembers(value: unknown, alg: JwtAlgorithm, fail: Fail): LegacyKeyMembers {
  if (!isHmacAlgorithm(alg)) {
    return fail('ERR_KEY_DOCUMENT_BAD_LEGACY', `only an HMAC key may be legacy, got ${alg}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(
      'ERR_KEY_DOCUMENT_BAD_LEGACY',
      `legacy must be a JSON object, got ${kindOf(value)}`,
    );
  }
  const members = value as Record<string, unknown>;
  const unknown = Object.keys(members).filter(
    (name) => name !== 'graceSeconds' && name !== 'tokensWithoutExp',
  );
  if (unknown.length > 0) {
    return fail(
      'ERR_KEY_DOCUMENT_BAD_LEGACY',
      `legacy has unknown members: ${unknown.map((name) => describe(name)).join(', ')}`,
    );
  }
  const { graceSeconds, tokensWithoutExp } = members;
  if (!(
    typeof graceSeconds === 'number' &&
    Number.isSafeInteger(graceSeconds) &&
    graceSeconds >= 0
  )) {
    return fail(
      'ERR_KEY_DOCUMENT_BAD_LEGACY',
      `legacy.graceSeconds must be a whole number of seconds >= 0, got ${describe(graceSeconds)}`,
    );
  }
  if (!(LEGACY_TOKENS_WITHOUT_EXP as readonly unknown[]).includes(tokensWithoutExp)) {
    return fail(
      'ERR_KEY_DOCUMENT_BAD_LEGACY',
      `legacy.tokensWithoutExp must be ${LEGACY_TOKENS_WITHOUT_EXP.map((v) => `"${v}"`).join(' or ')}, got ${describe(tokensWithoutExp)}`,
    );
  }
  return {
    graceSeconds,
    tokensWithoutExp: tokensWithoutExp as LegacyKeyMembers['tokensWithoutExp'],
  };
}

function hmacKeyMembers(
  jwk: Readonly<Record<string, unknown>>,
  alg: HmacAlgorithm,
  legacy: boolean,
  fail: Fail,
): Record<string, string> {
  const k = jwk.k;
  if (typeof k !== 'string' || k.length === 0) {
    return fail('ERR_KEY_DOCUMENT_MISSING_KEY', `k (the key) is missing or empty`);
  }
  const keyBytes = decodeCanonicalBase64url(k);
  if (keyBytes === undefined) {
    return fail('ERR_KEY_DOCUMENT_NON_CANONICAL_KEY', 'k is not canonical unpadded base64url');
  }
  // A legacy key is what the team had: it only verifies, and the tools warn when it is short.
  const minimum = legacy ? MINIMUM_LEGACY_KEY_BYTES : minimumKeyBytes(alg);
  if (keyBytes.length < minimum) {
    fail(
      'ERR_KEY_DOCUMENT_KEY_TOO_SHORT',
      `${alg} needs a key of at least ${minimum} bytes, got ${keyBytes.length}`,
    );
  }
  return { kty: 'oct', alg, k };
}

/**
 * The key members of a private JWK. A public JWK (no `d`) is refused as a missing key: a
 * secret's document must sign. The problems asymmetricKeyProblem names never quote a member.
 */
function asymmetricKeyMembers(
  jwk: Readonly<Record<string, unknown>>,
  alg: AsymmetricAlgorithm,
  fail: Fail,
): Record<string, string> {
  const kty = ALGORITHM_KEYS[alg].kty;
  for (const member of PRIVATE_KEY_MEMBERS[kty]) {
    const value = jwk[member];
    if (typeof value !== 'string' || value.length === 0) {
      return fail(
        'ERR_KEY_DOCUMENT_MISSING_KEY',
        `${alg} needs the member ${member}, got ${kindOf(value)}`,
      );
    }
  }
  const problem = asymmetricKeyProblem(alg, jwk);
  if (problem !== undefined)
    return fail('ERR_KEY_DOCUMENT_BAD_KEY', `not a usable ${alg} key: ${problem}`);
  return { ...(privateMembers(jwk) as Record<string, string>), alg };
}

function isKid(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_KID_LENGTH;
}

function isSigningKeyOps(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((op) => typeof op === 'string' && ALLOWED_KEY_OPS.has(op))
  );
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : 'a string';
  return value === undefined ? 'nothing' : `a ${typeof value}`;
}

/** Echoes short non-secret members (kty, alg, use, createdAt) so the message says what was found. */
function describe(value: unknown): string {
  if (typeof value === 'string') {
    return value.length <= 40 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return kindOf(value);
}
