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
} as const;
