/**
 * The application library: sign with the AWSCURRENT key, verify with AWSCURRENT or, during its
 * grace period, AWSPREVIOUS; or verify only, with the published key set (JwksVerifier, whose
 * module graph has no AWS SDK). Import as `rotating-jwt-keys/client`. Never imports aws-cdk-lib.
 */
export type { JwtPayload } from './claims';
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
