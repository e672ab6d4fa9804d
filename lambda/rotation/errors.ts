/**
 * Errors the rotation function throws. Secrets Manager retries a rotation whose step failed, so
 * a thrown error is the way to say "not done". Messages name the secret, version or setting at
 * fault, never key material; `code` is stable for tests and alarms.
 */
export type RotationErrorCode =
  | 'ERR_CONFIGURATION'
  | 'ERR_BAD_EVENT'
  | 'ERR_ROTATION_DISABLED'
  | 'ERR_UNKNOWN_VERSION'
  | 'ERR_NOT_PENDING'
  | 'ERR_UNKNOWN_STEP'
  | 'ERR_NO_CURRENT_KEY'
  | 'ERR_PENDING_KEY_INVALID'
  | 'ERR_STANDBY_KEY_INVALID'
  | 'ERR_FIRST_KEY_SUPERSEDED'
  | 'ERR_EVENT_PUBLISH_FAILED'
  /** A key set object would hold something it must not (a private member, a bad issuer). */
  | 'ERR_KEY_SET_INVALID'
  /** PutObject of a key set document failed. */
  | 'ERR_KEY_SET_WRITE_FAILED'
  /** CloudFront refused to invalidate the key set's paths after a key left it. */
  | 'ERR_KEY_SET_INVALIDATION_FAILED';

export class RotationError extends Error {
  override readonly name = 'RotationError';

  constructor(
    readonly code: RotationErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A setting the function was deployed with is missing or wrong: it cannot start. */
export class ConfigurationError extends RotationError {
  constructor(message: string) {
    super('ERR_CONFIGURATION', message);
  }
}
