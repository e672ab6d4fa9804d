/**
 * The verify-only entry point, `rotating-jwt-keys/client/jwks`: JwksVerifier and what it
 * reports through, and nothing that loads the AWS SDK. A service that only verifies tokens
 * against the published key set imports this, so it needs no AWS SDK and no credentials at
 * run time (`rotating-jwt-keys/client` also loads JwtKeyRing, and with it the Secrets Manager
 * client). AwsJwtVerifyJwksCache lends the same key set policy to AWS JWT Verify's verifiers.
 */
export {
  AwsJwtVerifyJwksCache,
  type AwsJwtVerifyJwksCacheOptions,
  type DecomposedToken,
  type JwksPenaltyBox,
  type PublishedJwk,
  type PublishedJwks,
} from './aws-verifier-jwks-cache';
export type { JwtPayload } from './claims';
export {
  createEmbeddedMetricsObserver,
  type EmbeddedMetricsObserver,
  type EmbeddedMetricsOptions,
} from './embedded-metrics';
export {
  type ClaimFailureReason,
  JwtKeyRingError,
  type JwtKeyRingErrorCode,
  JwtVerificationError,
  type JwtVerificationErrorCode,
} from './errors';
export { type Fetch } from './fetch-json';
export { JwksVerifier, type JwksVerifiedToken, type JwksVerifierOptions } from './jwks-verifier';
export type { KeySetPolicyOptions } from './key-set-policy';
export type { VerifyOptions } from './jwt-verification';
export type { VerifierOptions } from './verifier-options';
export {
  type KeyRefresh,
  type KeyRefreshCause,
  type KeyRefreshFailed,
  type KeyRefreshSucceeded,
  type VerificationObserver,
  type VerificationStage,
  verificationStageOf,
} from './observer';
