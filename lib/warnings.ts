/**
 * The warnings the construct and the app give at synth, through CDK Annotations (printed by
 * `cdk synth`, failing it under `--strict`). Each has a stable id a user may acknowledge:
 * `Annotations.of(scope).acknowledgeWarning('rotating-jwt-keys:gracePeriodUnchecked')`.
 */
import { Annotations } from 'aws-cdk-lib';
import { type IConstruct } from 'constructs';

export const WARNING_IDS = {
  /** A grace period shorter than an assumed token lifetime, with no lifetime stated. */
  gracePeriodUnchecked: 'rotating-jwt-keys:gracePeriodUnchecked',
  /** A `-c name=value` that is no setting of the app (a typo, most likely). */
  unknownContext: 'rotating-jwt-keys:unknownContext',
  /** A secret name ending like the suffix Secrets Manager adds to ARNs. */
  secretNameSuffix: 'rotating-jwt-keys:secretNameSuffix',
  /** A published key set in an app that targets a partition where it cannot be deployed. */
  keySetTargetPartition: 'rotating-jwt-keys:keySetTargetPartition',
} as const;

export function warn(scope: IConstruct, warning: keyof typeof WARNING_IDS, message: string): void {
  Annotations.of(scope).addWarningV2(WARNING_IDS[warning], message);
}
