/**
 * Every refusal of a verifier (JwtKeyRing, JwksVerifier, AwsJwtVerifyJwksCache) is a
 * JwtVerificationError (JwtKeyRingError is the same class under its first name) with a stable
 * `code` that callers switch on (map to 401, alert, retry). Messages name the secret, key set,
 * stage or claim at fault; never a key.
 * A refused token's error also carries what the verifier knew of it (its kid, the key's stage,
 * the claim at fault), so observers and logs need not read the token again; never the token.
 */
import { type VerificationStage } from '../contract/metrics';

import { printableKid } from './token-kid';

export type JwtVerificationErrorCode =
  /** Not a compact JWS of three canonical base64url parts with a JSON object header. */
  | 'ERR_JWT_MALFORMED'
  /** Longer than maxTokenBytes. */
  | 'ERR_JWT_TOO_LARGE'
  /**
   * `alg` is not the algorithm of the key the `kid` names; or `none` in any case, signed or not,
   * refused before any key is looked up.
   */
  | 'ERR_JWT_ALG_NOT_ALLOWED'
  | 'ERR_JWT_SIGNATURE_INVALID'
  /** The payload is not a JSON object. */
  | 'ERR_JWT_CLAIMS_MALFORMED'
  | 'ERR_JWT_EXP_MISSING'
  | 'ERR_JWT_EXPIRED'
  | 'ERR_JWT_NOT_YET_VALID'
  /** iss, aud or a time claim of the wrong type or value. */
  | 'ERR_JWT_CLAIM_INVALID'
  /** A `crit` header: no extension is supported, so none may be critical. */
  | 'ERR_JWT_CRIT_UNSUPPORTED'
  /** A `typ` other than JWT. */
  | 'ERR_JWT_TYP_INVALID'
  /**
   * A kid that is neither AWSCURRENT nor AWSPREVIOUS after a (rate-limited) refresh, or the
   * kid of a key a rotation event retired, or the kid of a legacy key (it verifies tokens
   * without a kid only); or no `kid` while the secret holds no legacy key. JwksVerifier: no
   * kid, or a kid the key set does not hold (or holds only in entries it refused) after a
   * (rate-limited) fetch.
   */
  | 'ERR_JWT_UNKNOWN_KID'
  /** Signed by the AWSPREVIOUS key (a legacy key too) after its grace period ended. */
  | 'ERR_JWT_PREVIOUS_KEY_EXPIRED'
  /**
   * sign: the AWSCURRENT key is a legacy key (imported by `jwt-keys import`), which never
   * signs. Only between the import's write and its rotation, normally a few seconds.
   */
  | 'ERR_LEGACY_KEY_CANNOT_SIGN'
  /**
   * Secrets Manager (JwksVerifier: the key set URL) could not be read and the cached keys are
   * older than maxStalenessMs (JwksVerifier: stale for longer than it); or no
   * key was ever loaded and the last read failed less than the retry interval ago (5 s); or, from
   * sign, a rotation event withdrew the cached AWSCURRENT key and no read brought the new one.
   */
  | 'ERR_KEY_STORE_UNAVAILABLE'
  /**
   * The secret's AWSCURRENT value is not a valid key document (and, until the retry interval
   * has passed, the same refusal without a new read).
   */
  | 'ERR_KEY_DOCUMENT_INVALID'
  /**
   * JwksVerifier: the key set (or the OpenID configuration naming it) is not usable: not
   * JSON, not a JWK Set, no usable entry, an issuer that does not match, a jwks_uri off the
   * issuer's host. Counts as a failed fetch: the cached set serves within maxStalenessMs.
   */
  | 'ERR_KEY_SET_INVALID'
  /** A bad argument to sign, verify or the constructor. */
  | 'ERR_INVALID_ARGUMENT';

/** What a refused token's error says about it, when the verifier knew (see JwtVerificationError). */
export interface RefusalDetails {
  readonly kid?: string;
  readonly stage?: VerificationStage;
  readonly claim?: string;
  readonly reason?: ClaimFailureReason;
}

/** Why a claim failed, as jose's JWTClaimValidationFailed says it. */
export type ClaimFailureReason =
  /** The claim is required and absent (`exp`; `iss` or `aud` when they are checked). */
  | 'missing'
  /** Not of its type: a time claim that is not a number. */
  | 'invalid'
  /** Present and typed, but its value fails: expired, not yet valid, another issuer. */
  | 'check_failed';

/** The error code's first name, kept: the same type. */
export type JwtKeyRingErrorCode = JwtVerificationErrorCode;

export class JwtVerificationError extends Error {
  /**
   * The class's first name, kept: logs, serialized errors and `error.name` checks written for
   * it go on matching (`instanceof` works with either name: they are one class).
   */
  override readonly name = 'JwtKeyRingError';
  /**
   * The refused token's kid, once its header was read (as observers and logs report it: cut to
   * 64 printable characters, others replaced by `?`). Absent when the token was refused before
   * (malformed, too large, a bad verify option) or names no kid (a legacy key's tokens).
   */
  readonly kid?: string;
  /**
   * The stage of the key that kid selected (`current`, `previous`, `legacy`; `published` for a
   * key set verifier's keys); absent when it selected none (an unknown kid, the keys unreadable).
   */
  readonly stage?: VerificationStage;
  /** The claim at fault (`exp`, `nbf`, `iat`, `iss`, `aud`), on claim refusals only. */
  readonly claim?: string;
  /** Why that claim failed, with `claim`. */
  readonly reason?: ClaimFailureReason;

  constructor(
    readonly code: JwtVerificationErrorCode,
    message: string,
    options?: { readonly cause?: unknown } & RefusalDetails,
  ) {
    super(message, options);
    // Always set, undefined or not: one shape for every instance.
    this.kid = options?.kid === undefined ? undefined : printableKid(options.kid);
    this.stage = options?.stage;
    this.claim = options?.claim;
    this.reason = options?.reason;
  }
}

/** The error's first name, kept as an alias: the same class (`instanceof` either way). */
export const JwtKeyRingError = JwtVerificationError;
export type JwtKeyRingError = JwtVerificationError;

/**
 * What the verifier knew where the core threw (the token's kid, the stage of the key it
 * selected), added to an error made for this one token, never to one a cache shares between
 * callers. An error that already says either is left as it is.
 */
export function refusedWith(
  error: unknown,
  kid: string | undefined,
  stage?: VerificationStage,
): unknown {
  if (error instanceof JwtKeyRingError && error.kid === undefined && error.stage === undefined) {
    const details = error as { kid?: string; stage?: VerificationStage };
    if (kid !== undefined) details.kid = printableKid(kid);
    details.stage = stage;
  }
  return error;
}
