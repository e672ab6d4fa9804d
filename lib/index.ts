/**
 * The package's root, `rotating-jwt-keys`: the CDK construct library. RotatingJwtKey (and the
 * stack this repository deploys), the rotation events consumers match on, and the names of
 * the stages and metrics they may grant, alarm or chart on. Applications import the client
 * library from `rotating-jwt-keys/client` instead, which needs no aws-cdk-lib.
 *
 * @example
 * import { RotatingJwtKey } from 'rotating-jwt-keys';
 *
 * const key = new RotatingJwtKey(this, 'JwtKey', { gracePeriod: Duration.hours(48) });
 * key.grantRead(apiFunction);
 */
export { RotatingJwtKeyError, type RotatingJwtKeyErrorCode } from './errors';
export { JwtKeysStack, type JwtKeysStackProps } from './jwt-keys-stack';
export { PublishedKeySet, type PublishedKeySetProps } from './published-key-set';
export {
  type JwtAlgorithm,
  type JwtKeyReplicaRegion,
  RotatingJwtKey,
  type RotatingJwtKeyProps,
  type RsaModulusBits,
  type TokensAcceptedMetricProps,
  type TokensRefusedMetricProps,
  type VerificationAlarmProps,
  type VerificationMetricProps,
} from './rotating-jwt-key';

export {
  EVENT_SOURCE,
  KEY_RETIRED,
  KEY_ROTATED,
  type KeyReference,
  type KeyRetiredDetail,
  type KeyRotatedDetail,
  parseRotationEvent,
  type RetirementReason,
  type RotationEvent,
} from '../rotation-events';
export {
  APPLICATION_DIMENSION,
  APPLICATION_STAGES,
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  DEFAULT_KEY_SET_MAX_AGE_SECONDS,
  KEY_SET_DOCUMENTS,
  KEY_SET_PATHS,
  ERROR_CODE_DIMENSION,
  KEY_STAGE_DIMENSION,
  METRIC_NAMESPACE,
  ROTATION_METRICS,
  type RotationMetric,
  SECRET_NAME_DIMENSION,
  STANDBY_MINIMUM_AGE_TAG,
  STANDBY_STAGE,
  SUSPICIOUS_REFUSAL_CODES,
  VERIFICATION_METRICS,
  type VerificationStage,
} from '../contract';
