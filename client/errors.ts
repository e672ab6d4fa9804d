/**
 * Every refusal of the key ring is a JwtKeyRingError with a stable `code` that callers switch
 * on (map to 401, alert, retry). Messages name the secret, stage or claim at fault; never a key.
 */
export type JwtKeyRingErrorCode =
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

export class JwtKeyRingError extends Error {
  override readonly name = 'JwtKeyRingError';

  constructor(
    readonly code: JwtKeyRingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
