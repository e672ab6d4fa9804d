/**
 * The published key set (asymmetric algorithms): the two documents the rotation function writes
 * to the bucket and CloudFront serves at the issuer. The construct grants PutObject on exactly
 * these object keys; the function writes and invalidates exactly these paths.
 */

/** Where each document is served, under the issuer, and its object key in the bucket. */
export const KEY_SET_DOCUMENTS = {
  jwks: { path: '/.well-known/jwks.json', objectKey: '.well-known/jwks.json' },
  openIdConfiguration: {
    path: '/.well-known/openid-configuration',
    objectKey: '.well-known/openid-configuration',
  },
} as const;

/** Both paths, in the order every invalidation names them (CloudFront compares the batch). */
export const KEY_SET_PATHS = [
  KEY_SET_DOCUMENTS.jwks.path,
  KEY_SET_DOCUMENTS.openIdConfiguration.path,
] as const;

/** How long a verifier or CloudFront may cache a document: Cache-Control max-age. */
export const DEFAULT_KEY_SET_MAX_AGE_SECONDS = 300;

/**
 * The longest max-age accepted (the construct's `keySetMaxAge`, the function's
 * KEY_SET_MAX_AGE_SECONDS) and the edge's maximum TTL: one day, the longest a removed key may live
 * in a cache whatever the origin says.
 */
export const MAX_KEY_SET_MAX_AGE_SECONDS = 86_400;
