/**
 * Token timing the construct and the client share: the client's default key cache and clock
 * tolerance, and the token lifetime the construct's grace check assumes when the user states
 * none. Defined once here so the grace warning at synth counts what the client really does.
 */

/** JwtKeyRing's default key cache (its `cacheTtlMs`), in seconds. */
export const DEFAULT_KEY_CACHE_SECONDS = 5 * 60;

/** The verifiers' default clock tolerance (`clockToleranceSeconds`), in seconds. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 60;

/**
 * The longest token lifetime the construct assumes when `maxTokenLifetime` is not stated: 1
 * hour. JwtKeyRing signs 15-minute tokens by default, but tokens are often issued for an hour
 * (the default of Cognito's and many identity providers' access tokens), so a grace shorter
 * than this plus the key cache and the clock tolerance is reported at synth.
 */
export const ASSUMED_TOKEN_LIFETIME_SECONDS = 60 * 60;
