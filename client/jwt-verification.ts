/**
 * The verification core every verifier of the library shares (JwtKeyRing, JwksVerifier), so
 * they are equally strict (RFC 8725): the compact form decoded as canonical base64url of strict
 * UTF-8 JSON, within a size limit; `crit` refused and `typ` JWT if present; the algorithm taken
 * from the key the kid names, never from the token; the signature checked before any claim is
 * read; `exp` required; iss, aud and the time claims checked with a clock tolerance. Where keys
 * come from (and what is done between the signature and the claims) is each verifier's own.
 */
import { type VerificationStage } from '../contract/metrics';
import { DEFAULT_CLOCK_TOLERANCE_SECONDS } from '../contract/token-timing';
// From the module itself, not the key-document index (see compact-jws.ts).
import { ED25519_ALGORITHM } from '../key-document/asymmetric';

import { type ClaimsPolicy, checkClaims, type JwtPayload } from './claims';
import {
  checkProtectedHeader,
  type DecodedJws,
  decodeCompactJws,
  hasValidSignature,
  type JwsKey,
  parseJsonObject,
} from './compact-jws';
import { JwtKeyRingError, refusedWith } from './errors';
import { checkNumber } from './options';
import { type VerifiedHeaders } from './verified-headers';

export interface VerifyOptions {
  readonly issuer?: string | readonly string[];
  readonly audience?: string | readonly string[];
  /** Seconds, 0 or more. @default the verifier's clockToleranceSeconds */
  readonly clockToleranceSeconds?: number;
}

/** What a verifier is configured with, checked once at construction. */
export interface VerificationPolicy {
  readonly clockToleranceSeconds: number;
  readonly maxTokenBytes: number;
  readonly issuer?: string | readonly string[];
  readonly audience?: string | readonly string[];
  /** The call policy of a verify call given no options, made once. */
  readonly withoutOptions: CallPolicy;
}

/** A verify call's options when it is given none: the verifier's own policy applies. */
export const NO_OPTIONS: VerifyOptions = Object.freeze({});

export { DEFAULT_CLOCK_TOLERANCE_SECONDS };
export const DEFAULT_MAX_TOKEN_BYTES = 8192;

/** The policy from a verifier's options, or an ERR_INVALID_ARGUMENT naming the bad one. */
export function verificationPolicy(options: {
  readonly clockToleranceSeconds?: number;
  readonly maxTokenBytes?: number;
  readonly issuer?: string | readonly string[];
  readonly audience?: string | readonly string[];
}): VerificationPolicy {
  const clockToleranceSeconds = checkNumber(
    options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    'clockToleranceSeconds',
    { min: 0 },
  );
  const maxTokenBytes = checkNumber(
    options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES,
    'maxTokenBytes',
    { min: 1, integer: true },
  );
  return {
    clockToleranceSeconds,
    maxTokenBytes,
    ...(options.issuer !== undefined && { issuer: options.issuer }),
    ...(options.audience !== undefined && { audience: options.audience }),
    withoutOptions: {
      toleranceSeconds: clockToleranceSeconds,
      issuer: options.issuer,
      audience: options.audience,
    },
  };
}

/** What a verify call checks the claims against, but the time it reads them at. */
export type CallPolicy = Omit<ClaimsPolicy, 'now'>;

/**
 * The call's options over the verifier's, checked before the token is looked at. The time is
 * read later, when the claims are (see readClaims).
 */
export function callPolicy(policy: VerificationPolicy, options: VerifyOptions): CallPolicy {
  if (options === NO_OPTIONS) return policy.withoutOptions;
  // One plain object, no spreads: this runs on every verification (npm run bench).
  return {
    toleranceSeconds:
      options.clockToleranceSeconds === undefined
        ? policy.clockToleranceSeconds
        : checkNumber(options.clockToleranceSeconds, 'clockToleranceSeconds', { min: 0 }),
    issuer: options.issuer ?? policy.issuer,
    audience: options.audience ?? policy.audience,
  };
}

/**
 * Decodes a token and checks its protected header; no key is used yet. A header a verified token
 * already carried is taken from `verifiedHeaders` (and checked again: it costs nothing).
 */
export function decodeToken(
  token: string,
  maxTokenBytes: number,
  verifiedHeaders: VerifiedHeaders,
): DecodedJws {
  const decoded = decodeCompactJws(token, maxTokenBytes, verifiedHeaders);
  try {
    checkProtectedHeader(decoded.header);
  } catch (error) {
    // The header was read: a refusal of it (crit, typ) names the kid it carries, if any.
    const kid = decoded.header.kid;
    throw refusedWith(error, typeof kid === 'string' && kid !== '' ? kid : undefined);
  }
  return decoded;
}

/** The token's kid: the only thing that selects a key, among keys already loaded. */
export function requireKid(header: Readonly<Record<string, unknown>>): string {
  const kid = header.kid;
  if (typeof kid !== 'string' || kid === '') {
    throw new JwtKeyRingError('ERR_JWT_UNKNOWN_KID', 'the token names no key (no kid)');
  }
  return kid;
}

/**
 * The token's kid when it names one; undefined when it names none (JwtKeyRing then looks for
 * a legacy key, which answers to no kid). A kid that is not a non-empty string is refused.
 */
export function optionalKid(header: Readonly<Record<string, unknown>>): string | undefined {
  const kid = header.kid;
  if (kid === undefined) return undefined;
  if (typeof kid !== 'string' || kid === '') {
    throw new JwtKeyRingError('ERR_JWT_UNKNOWN_KID', 'the token names no key (an empty kid)');
  }
  return kid;
}

/**
 * Refuses a token whose algorithm is not the key's, or whose signature is not the key's. An
 * Ed25519 key's algorithm has two names, EdDSA and RFC 9864's Ed25519 (what jose 6 signs with);
 * no other key answers to either. The second compare runs only when the first fails.
 */
export function checkSignature(decoded: DecodedJws, key: JwsKey): void {
  const alg = decoded.header.alg;
  if (alg !== key.alg && !(alg === ED25519_ALGORITHM && key.alg === 'EdDSA')) {
    throw new JwtKeyRingError(
      'ERR_JWT_ALG_NOT_ALLOWED',
      `the key ${key.kid} only verifies ${key.alg}, the token says ${JSON.stringify(decoded.header.alg)}`,
    );
  }
  if (!hasValidSignature(decoded, key)) {
    throw new JwtKeyRingError('ERR_JWT_SIGNATURE_INVALID', 'signature verification failed');
  }
}

/**
 * The claims of a token whose signature was checked, refused unless they meet the policy at
 * `now` (epoch milliseconds).
 */
export function readClaims(
  decoded: DecodedJws,
  policy: CallPolicy,
  now: number,
  /** false only for a legacy key that accepts tokens without exp (its grace bounds them). */
  requireExp = true,
): JwtPayload {
  const claims = parseJsonObject(decoded.payload);
  if (claims === undefined) {
    throw new JwtKeyRingError('ERR_JWT_CLAIMS_MALFORMED', 'the payload is not a UTF-8 JSON object');
  }
  return checkClaims(claims, {
    now: Math.floor(now / 1000),
    toleranceSeconds: policy.toleranceSeconds,
    issuer: policy.issuer,
    audience: policy.audience,
    requireExp,
  });
}

/**
 * What both verifiers do once the token's kid has selected a key, with no await and no
 * allocation beyond the payload: the signature, then whether the key still verifies at all
 * (`keyVerifiesUntil`, epoch ms: the previous key's grace; undefined for no end), then the
 * claims. A refusal is this token's alone: it names the key's kid and stage, as an accepted
 * token would (`kid` undefined for a legacy key, which answers to tokens without one).
 */
export function verifyWithKey(
  decoded: DecodedJws,
  key: JwsKey,
  policy: CallPolicy,
  now: number,
  keyVerifiesUntil: number | undefined,
  requireExp: boolean,
  kid: string | undefined,
  stage: VerificationStage,
): JwtPayload {
  try {
    checkSignature(decoded, key);
    if (keyVerifiesUntil !== undefined && now >= keyVerifiesUntil) {
      throw new JwtKeyRingError(
        'ERR_JWT_PREVIOUS_KEY_EXPIRED',
        `the previous key ${key.kid} stopped verifying at ${new Date(keyVerifiesUntil).toISOString()}`,
      );
    }
    return readClaims(decoded, policy, now, requireExp);
  } catch (error) {
    throw refusedWith(error, kid, stage);
  }
}
