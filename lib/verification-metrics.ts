/**
 * The applications' verification metrics (what the client library's embedded-metrics observer
 * writes, by Application: contract/metrics.ts) and the alarm on a burst of forged or
 * unknown-key tokens. The metrics are per application, not per secret: the observer knows the
 * name you give the application, nothing else it could be trusted with.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { type Construct } from 'constructs';

import {
  APPLICATION_DIMENSION,
  applicationNameProblem,
  ERROR_CODE_DIMENSION,
  KEY_STAGE_DIMENSION,
  METRIC_NAMESPACE,
  SUSPICIOUS_REFUSAL_CODES,
  VERIFICATION_METRICS,
  type VerificationStage,
} from '../contract';

import { RotatingJwtKeyError } from './errors';

export interface VerificationMetricProps {
  /** The application's name, as its observer gives it (`application`). */
  readonly application: string;
  /** @default Duration.minutes(5) */
  readonly period?: Duration;
  /** @default 'Sum' */
  readonly statistic?: string;
}

export interface TokensAcceptedMetricProps extends VerificationMetricProps {
  /** Only tokens verified by keys of this stage. @default - every stage */
  readonly stage?: VerificationStage;
}

export interface TokensRefusedMetricProps extends VerificationMetricProps {
  /** Only refusals with this error code (JwtKeyRingErrorCode). @default - every code */
  readonly code?: string;
}

/** An alarm on forged or unknown-key tokens reaching one application. */
export interface VerificationAlarmProps {
  /**
   * The application's name, as its observer gives it (`application`): 1 to 255 printable ASCII
   * characters (0x20-0x7E), not all spaces: CloudWatch's rule for dimension values, and an
   * alarm's length bound.
   */
  readonly application: string;
  /**
   * Refusals with ERR_JWT_SIGNATURE_INVALID, ERR_JWT_ALG_NOT_ALLOWED or ERR_JWT_UNKNOWN_KID in
   * one period at or above which it alarms. A whole number, 1 or more. @default 10
   */
  readonly threshold?: number;
  /**
   * The period they are counted over: whole minutes (the observer writes standard-resolution
   * metrics), 1 minute to 1 day. @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

const DEFAULT_PERIOD = Duration.minutes(5);
/**
 * An alarm's dimension value: 1 to 255 characters (CloudFormation's AWS::CloudWatch::Alarm
 * Dimension, and aws-cdk-lib's Metric, which throws an uncoded error beyond).
 */
const MAX_ALARM_DIMENSION_VALUE_CHARS = 255;
const DEFAULT_THRESHOLD = 10;

export function tokensAcceptedMetric(
  props: TokensAcceptedMetricProps,
  scope?: Construct,
): cloudwatch.Metric {
  return verificationMetric(VERIFICATION_METRICS.accepted, props, scope, {
    ...(props.stage !== undefined && { [KEY_STAGE_DIMENSION]: props.stage }),
  });
}

export function tokensRefusedMetric(
  props: TokensRefusedMetricProps,
  scope?: Construct,
): cloudwatch.Metric {
  return verificationMetric(VERIFICATION_METRICS.refused, props, scope, {
    ...(props.code !== undefined && { [ERROR_CODE_DIMENSION]: props.code }),
  });
}

/**
 * Forged or unknown-key tokens (SUSPICIOUS_REFUSAL_CODES) per period: the sum of their refusal
 * counts, a code with no refusal in a period counting 0.
 */
export function suspiciousTokensMetric(
  props: VerificationMetricProps,
  scope?: Construct,
): cloudwatch.MathExpression {
  const period = props.period ?? DEFAULT_PERIOD;
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  SUSPICIOUS_REFUSAL_CODES.forEach((code, index) => {
    usingMetrics[`refused${index}`] = tokensRefusedMetric({ ...props, code, period }, scope);
  });
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics,
    period,
    label: `forged or unknown-key tokens (${props.application})`,
  });
}

/** The alarms of `verificationAlarms`, validated first (all of them, before any is made). */
export function createVerificationAlarms(
  scope: Construct,
  alarms: readonly VerificationAlarmProps[],
): cloudwatch.Alarm[] {
  const seen = new Map<string, string>();
  const entries = alarms.map((props) => {
    const id = validateVerificationAlarm(props, scope);
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw new RotatingJwtKeyError(
        'ERR_VERIFICATION_ALARM_INVALID',
        `verificationAlarms: applications ${JSON.stringify(earlier)} and ${JSON.stringify(props.application)} would share the alarm ${id}: one alarm per application`,
        scope,
      );
    }
    seen.set(id, props.application);
    return { id, props };
  });
  return entries.map(
    ({ id, props }) =>
      new cloudwatch.Alarm(scope, id, {
        alarmDescription:
          `Forged or unknown-key JWTs reach ${props.application}: a bad signature, an algorithm ` +
          "not the key's, or a kid no loaded key has. Its log's 'token refused' warnings name " +
          'the codes and kids; a kid of a retired key means someone replays old tokens.',
        metric: suspiciousTokensMetric({
          application: props.application,
          period: props.period ?? DEFAULT_PERIOD,
        }),
        threshold: props.threshold ?? DEFAULT_THRESHOLD,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
  );
}

/** Checks one entry; returns its alarm's construct id. */
function validateVerificationAlarm(props: VerificationAlarmProps, scope: Construct): string {
  const fail = (message: string): never => {
    throw new RotatingJwtKeyError('ERR_VERIFICATION_ALARM_INVALID', message, scope);
  };
  const { application, threshold, period } = props;
  if (Token.isUnresolved(application)) {
    fail('verificationAlarms: application must be known at synth (it names the alarm)');
  }
  const problem = applicationNameProblem(application);
  if (problem !== undefined) fail(`verificationAlarms: application ${problem}`);
  if (application.length > MAX_ALARM_DIMENSION_VALUE_CHARS) {
    // The observer may write longer names (CloudWatch takes 1024), but no alarm can read them.
    fail(
      `verificationAlarms: application must be at most ${MAX_ALARM_DIMENSION_VALUE_CHARS} characters for an alarm (an alarm's dimension value), got ${application.length}`,
    );
  }
  if (
    threshold !== undefined &&
    !Token.isUnresolved(threshold) &&
    (!Number.isSafeInteger(threshold) || threshold < 1)
  ) {
    fail(
      `verificationAlarms (${application}): threshold must be a whole number, 1 or more, got ${String(threshold)}`,
    );
  }
  if (period !== undefined && !Token.isUnresolved(period.toSeconds())) {
    const seconds = period.toSeconds();
    if (seconds < 60 || seconds > 86_400 || seconds % 60 !== 0) {
      fail(
        `verificationAlarms (${application}): period must be whole minutes from 1 minute to 1 day, got ${period.toHumanString()}`,
      );
    }
  }
  return `SuspiciousTokensAlarm-${application.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

function verificationMetric(
  metricName: string,
  props: VerificationMetricProps,
  scope: Construct | undefined,
  dimensions: Record<string, string>,
): cloudwatch.Metric {
  checkMetricApplication(props.application, scope);
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName,
    dimensionsMap: { [APPLICATION_DIMENSION]: props.application, ...dimensions },
    statistic: props.statistic ?? 'Sum',
    period: props.period ?? DEFAULT_PERIOD,
  });
}

/**
 * A metric's application must be a value the observer can write and an alarm or a dashboard can
 * read: the rule verificationAlarms applies, with this code (a metric that matches nothing would
 * chart and alarm on nothing, silently).
 */
function checkMetricApplication(application: string, scope: Construct | undefined): void {
  if (Token.isUnresolved(application)) return;
  const problem =
    applicationNameProblem(application) ??
    (application.length > MAX_ALARM_DIMENSION_VALUE_CHARS
      ? `must be at most ${MAX_ALARM_DIMENSION_VALUE_CHARS} characters (a metric's dimension value in a template), got ${application.length}`
      : undefined);
  if (problem !== undefined) {
    throw new RotatingJwtKeyError(
      'ERR_VERIFICATION_METRIC_INVALID',
      `verification metric: application ${problem}`,
      scope,
    );
  }
}
