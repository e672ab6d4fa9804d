/**
 * Tags the construct puts on the secret for the operator command, which reads them with the
 * DescribeSecret it already makes (no other permission).
 */

/**
 * The least age, in whole seconds, of a standby key before `jwt-keys rotate` promotes it without
 * `--force`: the longest verifier cache the user stated (maxVerifierCacheTime). A verifier that
 * cached the key set just before the standby key was made holds it by then. Absent when none
 * was stated.
 */
export const STANDBY_MINIMUM_AGE_TAG = 'rotating-jwt-keys:standby-minimum-age-seconds';
