/**
 * The application library: sign with the AWSCURRENT key, verify with AWSCURRENT or, during its
 * grace period, AWSPREVIOUS; or verify only, with the published key set (JwksVerifier, whose
 * module graph has no AWS SDK; `rotating-jwt-keys/client/jwks` exports it alone). Import as
 * `rotating-jwt-keys/client`. Never imports aws-cdk-lib, nor the OpenTelemetry API (its adapter is
 * `rotating-jwt-keys/client/opentelemetry`).
 */
export * from './jwks';
export type { KeyStage } from './key-cache';
export {
  JwtKeyRing,
  type JwtKeyRingOptions,
  type SignOptions,
  type VerifiedToken,
} from './jwt-key-ring';
export { REFUSED_TOKEN_WARNING } from './refusal-warnings';
export type { SecretsManagerSender, SecretValueRead } from './secrets-manager-client';
