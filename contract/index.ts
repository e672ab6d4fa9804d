/**
 * The contract between the construct (lib/), the rotation function (lambda/), the client and
 * the operator command: every name that crosses one of those boundaries, defined once. Imports
 * nothing, so any part can depend on it.
 */
export {
  FIRST_KEY_RESOURCE_TYPE,
  type FirstKeyResourceProperties,
  TEMPLATE_KEY_KID,
} from './first-key';
export { DURATION_UNIT_SECONDS } from './durations';
export { FUNCTION_ENVIRONMENT } from './function-environment';
export {
  ASYMMETRIC_ALGORITHMS,
  type AsymmetricAlgorithm,
  DEFAULT_JWT_ALGORITHM,
  DEFAULT_RSA_MODULUS_BITS,
  HMAC_ALGORITHMS,
  type HmacAlgorithm,
  JWT_ALGORITHMS,
  type JwtAlgorithm,
  RSA_MODULUS_BITS,
  type RsaModulusBits,
} from './algorithms';
export {
  DEFAULT_KEY_SET_MAX_AGE_SECONDS,
  KEY_SET_DOCUMENTS,
  KEY_SET_PATHS,
  MAX_KEY_SET_MAX_AGE_SECONDS,
} from './key-set';
export {
  isMaintenanceAction,
  MAINTENANCE_ACTIONS,
  type MaintenanceAction,
  type MaintenanceEvent,
  type MaintenanceOutcome,
  type MaintenanceResult,
} from './maintenance';
export {
  APPLICATION_DIMENSION,
  applicationNameProblem,
  ERROR_CODE_DIMENSION,
  KEY_STAGE_DIMENSION,
  METRIC_NAMESPACE,
  ROTATION_METRICS,
  type RotationMetric,
  SECRET_NAME_DIMENSION,
  SUSPICIOUS_REFUSAL_CODES,
  VERIFICATION_METRICS,
  VERIFICATION_STAGES,
  type VerificationMetric,
  type VerificationStage,
} from './metrics';
export {
  IMPLIED_ACTIONS,
  OPERATOR_ACTIONS,
  OPERATOR_CALLS,
  OPERATOR_COMMANDS,
  type OperatorAction,
  operatorActionsOn,
  type OperatorCommand,
  type OperatorResource,
  withImplied,
} from './operator-actions';
export { ROTATION_HANDLER } from './rotation-function';
export {
  constructWindowHours,
  DEFAULT_GRACE_PERIOD_HOURS,
  DEFAULT_ROTATION_DAYS,
  type RotationRulesLike,
  scheduleSpacing,
  type ScheduleSpacing,
} from './rotation-schedule';
export {
  APPLICATION_STAGES,
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  hasStage,
  STANDBY_STAGE,
  versionWithStage,
  type VersionStages,
} from './stages';
export { STANDBY_MINIMUM_AGE_TAG } from './tags';
export {
  ASSUMED_TOKEN_LIFETIME_SECONDS,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  DEFAULT_KEY_CACHE_SECONDS,
} from './token-timing';
