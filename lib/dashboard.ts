/**
 * The CloudWatch dashboard: key age, rotations and retirements (embedded metrics the rotation
 * function writes), the function's invocations and errors, the failure alarm; and next to them
 * what the applications saw: tokens accepted and refused (the client's embedded metrics, every
 * application found in the namespace) and each suspicious-token alarm.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { type IFunction } from 'aws-cdk-lib/aws-lambda';
import { type Construct } from 'constructs';

import {
  APPLICATION_DIMENSION,
  ERROR_CODE_DIMENSION,
  METRIC_NAMESPACE,
  type RotationMetric,
  SECRET_NAME_DIMENSION,
  VERIFICATION_METRICS,
} from '../contract';

export interface DashboardSettings {
  readonly secretName: string;
  readonly rotationFunction: IFunction;
  /** The alarms the Failures widget shows. */
  readonly alarms: readonly cloudwatch.IAlarm[];
  readonly rotationInterval: Duration;
  /** The suspicious-token alarms (verificationAlarms), one widget each. */
  readonly verificationAlarms: readonly cloudwatch.IAlarm[];
}

const VERIFICATION_PERIOD = Duration.minutes(5);

/** Every application's series of a verification metric, found by CloudWatch search. */
function everyApplication(metricName: string, dimensions: readonly string[], label: string) {
  const schema = [METRIC_NAMESPACE, ...dimensions].join(',');
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${metricName}"', 'Sum', ${VERIFICATION_PERIOD.toSeconds()})`,
    usingMetrics: {},
    label,
    period: VERIFICATION_PERIOD,
  });
}

export function createDashboard(
  scope: Construct,
  settings: DashboardSettings,
): cloudwatch.Dashboard {
  const metric = (
    metricName: RotationMetric,
    statistic: string,
    period: Duration,
  ): cloudwatch.Metric =>
    new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { [SECRET_NAME_DIMENSION]: settings.secretName },
      statistic,
      period,
    });
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {});
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Key age (days)',
      left: [
        new cloudwatch.MathExpression({
          expression: 'age / 86400',
          usingMetrics: { age: metric('KeyAgeSeconds', 'Maximum', Duration.hours(1)) },
          label: 'current key age',
          period: Duration.hours(1),
        }),
      ],
      leftAnnotations: [
        {
          value: settings.rotationInterval.toDays({ integral: false }),
          label: 'rotation interval',
        },
      ],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Rotations and retirements',
      left: [
        metric('KeyRotated', 'Sum', Duration.days(1)),
        metric('KeyRetired', 'Sum', Duration.days(1)),
      ],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Rotation function',
      left: [
        settings.rotationFunction.metricInvocations(),
        settings.rotationFunction.metricErrors(),
      ],
      width: 12,
    }),
    new cloudwatch.AlarmStatusWidget({
      title: 'Failures',
      alarms: [...settings.alarms],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Tokens accepted and refused, by application',
      left: [
        everyApplication(VERIFICATION_METRICS.accepted, [APPLICATION_DIMENSION], 'accepted'),
        everyApplication(VERIFICATION_METRICS.refused, [APPLICATION_DIMENSION], 'refused'),
      ],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Tokens refused, by application and error code',
      left: [
        everyApplication(
          VERIFICATION_METRICS.refused,
          [APPLICATION_DIMENSION, ERROR_CODE_DIMENSION],
          'refused',
        ),
      ],
      width: 12,
    }),
    ...settings.verificationAlarms.map(
      (alarm) => new cloudwatch.AlarmWidget({ title: alarm.alarmName, alarm, width: 12 }),
    ),
  );
  return dashboard;
}
