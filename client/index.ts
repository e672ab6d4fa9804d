/**
 * The application library: sign with the AWSCURRENT key, verify with AWSCURRENT or, during its
 * grace period, AWSPREVIOUS; or verify only, with the published key set (JwksVerifier, whose
 * module graph has no AWS SDK). Import as `rotating-jwt-keys/client`. Never imports aws-cdk-lib,
 * nor @opentelemetry/api (its adapter is `rotating-jwt-keys/client/opentelemetry`).
 */
export type { JwtPayload } from './claims';
export {
  createEmbeddedMetricsObserver,
  type EmbeddedMetricsObserver,
  type EmbeddedMetricsOptions,
} from './embedded-metrics';
export { JwtKeyRingError, type JwtKeyRingErrorCode } from './errors';
export { type Fetch } from './fetch-json';
export { JwksVerifier, type JwksVerifiedToken, type JwksVerifierOptions } from './jwks-verifier';
export type { KeyStage } from './key-cache';
export {
  JwtKeyRing,
  type JwtKeyRingOptions,
  type SignOptions,
  type VerifiedToken,
  type VerifyOptions,
} from './jwt-key-ring';
export {
  type KeyRefresh,
  type KeyRefreshCause,
  type KeyRefreshFailed,
  type KeyRefreshSucceeded,
  type VerificationObserver,
  type VerificationStage,
  verificationStageOf,
} from './observer';
export { REFUSED_TOKEN_WARNING } from './refusal-warnings';
