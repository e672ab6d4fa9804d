/**
 * The application library: sign with the AWSCURRENT key, verify with AWSCURRENT or, during its
 * grace period, AWSPREVIOUS. Import as `rotating-jwt-keys/client`. Never imports aws-cdk-lib.
 */
export type { JwtPayload } from './claims';
export { JwtKeyRingError, type JwtKeyRingErrorCode } from './errors';
export type { KeyStage } from './key-cache';
export {
  JwtKeyRing,
  type JwtKeyRingOptions,
  type SignOptions,
  type VerifiedToken,
  type VerifyOptions,
} from './jwt-key-ring';
