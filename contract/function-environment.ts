/**
 * The rotation function's environment variables: the construct sets them, the Lambda reads them
 * at cold start (lambda/rotation/config.ts validates each and names it on error).
 */
export const FUNCTION_ENVIRONMENT = {
  /** The algorithm of every new key. */
  algorithm: 'JWT_ALGORITHM',
  /** The modulus of every new RS256 key, in bits: 2048, 3072 or 4096. Read for RS256 only. */
  rsaModulusBits: 'JWT_RSA_MODULUS_BITS',
  /** Whole seconds the key a rotation replaces keeps verifying. */
  gracePeriodSeconds: 'GRACE_PERIOD_SECONDS',
  /** The event bus (name or ARN) for rotation events. */
  eventBusName: 'EVENT_BUS_NAME',
  /**
   * The published key set (asymmetric algorithms only; absent for HMAC): the bucket the
   * function writes `.well-known/jwks.json` and `.well-known/openid-configuration` to...
   */
  keySetBucket: 'KEY_SET_BUCKET',
  /** ...the CloudFront distribution that serves them (invalidated when a key leaves)... */
  keySetDistributionId: 'KEY_SET_DISTRIBUTION_ID',
  /** ...the issuer they name (`https://` and a host, no path)... */
  keySetIssuer: 'KEY_SET_ISSUER',
  /** ...and their Cache-Control max-age, in whole seconds (default 300). */
  keySetMaxAgeSeconds: 'KEY_SET_MAX_AGE_SECONDS',
} as const;
