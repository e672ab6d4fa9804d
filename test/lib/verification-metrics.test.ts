/**
 * The applications' verification metrics in the construct: the metric methods, the alarm on
 * forged or unknown-key tokens per application (validated at synth, on the alarm topic, missing
 * data not breaching), the dashboard's verification widgets; and that they read exactly what
 * the client's embedded-metrics observer writes.
 */
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';

import { createEmbeddedMetricsObserver } from '../../client';
import {
  APPLICATION_DIMENSION,
  ERROR_CODE_DIMENSION,
  METRIC_NAMESPACE,
  SUSPICIOUS_REFUSAL_CODES,
  VERIFICATION_METRICS,
} from '../../contract';
import { RotatingJwtKeyError } from '../../lib/errors';
import { type VerificationAlarmProps } from '../../lib/rotating-jwt-key';
import { parseEmfLines } from '../support/emf';

import { synthKey, thrownBy } from './support';

interface MetricStat {
  readonly Metric: {
    readonly Namespace: string;
    readonly MetricName: string;
    readonly Dimensions: readonly { Name: string; Value: string }[];
  };
  readonly Period: number;
  readonly Stat: string;
}

interface AlarmMetric {
  readonly Id: string;
  readonly Expression?: string;
  readonly MetricStat?: MetricStat;
  readonly ReturnData?: boolean;
}

function alarmsOf(template: ReturnType<typeof synthKey>['template']) {
  return Object.values(
    template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { Metrics: Match.anyValue() },
    }),
  ).map((resource) => resource.Properties as Record<string, unknown> & { Metrics: AlarmMetric[] });
}

describe('Construct: RotatingJwtKey (verification metrics)', () => {
  describe('prop: verificationAlarms', () => {
    it('alarms on forged or unknown-key tokens per application, on the alarm topic', () => {
      // GIVEN / WHEN
      const { template, key } = synthKey({
        verificationAlarms: [
          { application: 'orders-api', threshold: 5, period: Duration.minutes(1) },
          { application: 'billing/api' },
        ],
      });

      // THEN one alarm per application, with the threshold and period given (or 10 per 5 min)
      const alarms = alarmsOf(template);
      expect(alarms).toHaveLength(2);
      expect(key.verificationAlarms).toHaveLength(2);
      const [orders, billing] = alarms;
      expect(orders).toMatchObject({
        Threshold: 5,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: expect.stringMatching(/AlarmTopic/) as unknown }],
      });
      expect(billing).toMatchObject({ Threshold: 10 });
      // AND it sums the refusals with each suspicious code, a missing one counting 0
      const expression = orders!.Metrics.find((metric) => metric.Expression !== undefined)!;
      expect(expression.ReturnData ?? true).toBe(true);
      const stats = orders!.Metrics.filter((metric) => metric.MetricStat !== undefined);
      expect(stats.map((metric) => metric.MetricStat!.Metric)).toEqual(
        SUSPICIOUS_REFUSAL_CODES.map((code) => ({
          Namespace: METRIC_NAMESPACE,
          MetricName: VERIFICATION_METRICS.refused,
          Dimensions: expect.arrayContaining([
            { Name: APPLICATION_DIMENSION, Value: 'orders-api' },
            { Name: ERROR_CODE_DIMENSION, Value: code },
          ]) as unknown,
        })),
      );
      for (const metric of stats) {
        expect(metric.MetricStat).toMatchObject({ Period: 60, Stat: 'Sum' });
        expect(metric.MetricStat!.Metric.Dimensions).toHaveLength(2);
        expect(expression.Expression).toContain(`FILL(${metric.Id}, 0)`);
      }
      expect(expression.Expression!.split('+')).toHaveLength(SUSPICIOUS_REFUSAL_CODES.length);
      const billingStats = billing!.Metrics.filter((metric) => metric.MetricStat !== undefined);
      expect(billingStats[0]!.MetricStat!.Period).toBe(300);
    });

    it('reads what the embedded-metrics observer writes: same namespace, metric, dimension set', () => {
      // GIVEN the EMF lines of an application that refused one token of each suspicious code
      const lines: string[] = [];
      const observer = createEmbeddedMetricsObserver({
        application: 'orders-api',
        write: (line) => lines.push(line),
        flushIntervalMs: 0,
        flushOnExit: false,
      });
      for (const code of SUSPICIOUS_REFUSAL_CODES) observer.refused(code, 'kid', undefined);
      observer.flush();
      const records = parseEmfLines(lines);

      // WHEN the construct alarms on that application
      const { template } = synthKey({ verificationAlarms: [{ application: 'orders-api' }] });

      // THEN each metric the alarm reads is one the lines make: a record in its namespace with
      // the metric, whose dimension sets include exactly the alarm's dimensions, at its values
      for (const metric of alarmsOf(template)[0]!.Metrics) {
        if (metric.MetricStat === undefined) continue;
        const { Namespace, MetricName, Dimensions } = metric.MetricStat.Metric;
        const names = Dimensions.map((dimension) => dimension.Name).sort();
        const matching = records.filter(
          (record) =>
            record.namespace === Namespace &&
            MetricName in record.metrics &&
            record.dimensionSets.some((set) => [...set].sort().join() === names.join()) &&
            Dimensions.every((dimension) => record.members[dimension.Name] === dimension.Value),
        );
        expect([MetricName, Dimensions, matching.length]).toEqual([MetricName, Dimensions, 1]);
      }
    });

    it('makes no alarm by default', () => {
      const { template, key } = synthKey();
      expect(alarmsOf(template)).toHaveLength(0);
      expect(key.verificationAlarms).toEqual([]);
    });

    it.each<[string, VerificationAlarmProps[]]>([
      ['an empty application', [{ application: '' }]],
      ['an application of 1025 characters', [{ application: 'a'.repeat(1025) }]],
      [
        'an application of 256 characters (no alarm reads more)',
        [{ application: 'a'.repeat(256) }],
      ],
      ['an application that is not ASCII', [{ application: 'bestellungen-über' }]],
      ['an application with a control character', [{ application: 'orders\u0007api' }]],
      ['an application with DEL (0x7F)', [{ application: 'orders\u007fapi' }]],
      ['a threshold of 0', [{ application: 'a', threshold: 0 }]],
      ['a threshold of 1.5', [{ application: 'a', threshold: 1.5 }]],
      ['a period of 30 seconds', [{ application: 'a', period: Duration.seconds(30) }]],
      ['a period of 90 seconds', [{ application: 'a', period: Duration.seconds(90) }]],
      ['a period of 2 days', [{ application: 'a', period: Duration.days(2) }]],
      ['the same application twice', [{ application: 'a' }, { application: 'a' }]],
      ['two applications with the same alarm id', [{ application: 'a/b' }, { application: 'a_b' }]],
    ])('fails when given %s', (_name, verificationAlarms) => {
      const error = thrownBy(() => synthKey({ verificationAlarms }));
      expect(error).toBeInstanceOf(RotatingJwtKeyError);
      expect(error).toMatchObject({ code: 'ERR_VERIFICATION_ALARM_INVALID' });
      expect((error as Error).message).toMatch(/^Test\/JwtKey: verificationAlarms/);
    });

    it('names the value it refused', () => {
      expect(
        (
          thrownBy(() =>
            synthKey({ verificationAlarms: [{ application: 'a', period: Duration.seconds(90) }] }),
          ) as Error
        ).message,
      ).toContain('got 1 minute 30 seconds');
    });
  });

  it.each([
    ['bestellungen-über', '"bestellungen-über": U+00FC at index 13'],
    ['orders\u0007api', '"orders\\u0007api": U+0007 at index 6'],
  ])('names the application it refused: %j', (application, named) => {
    // GIVEN / WHEN an alarm for an application CloudWatch cannot take as a dimension value
    const error = thrownBy(() => synthKey({ verificationAlarms: [{ application }] }));

    // THEN a coded construct error naming the value and the character at fault
    expect(error).toMatchObject({ code: 'ERR_VERIFICATION_ALARM_INVALID' });
    expect((error as Error).message).toContain('printable ASCII');
    expect((error as Error).message).toContain(named);
  });

  it('takes every printable ASCII character, and 255 of them', () => {
    // GIVEN names at the edges of CloudWatch's rule: space to tilde, and the longest
    const printable = Array.from({ length: 0x7f - 0x20 }, (_, index) =>
      String.fromCharCode(0x20 + index),
    ).join('');
    const { template } = synthKey({
      verificationAlarms: [
        { application: `api ${printable}` },
        { application: 'x'.repeat(255) },
        { application: 'bestellungen-ueber' },
      ],
    });

    // THEN each has its alarm, dimensioned by the name as given
    const dimensions = alarmsOf(template).map(
      (alarm) =>
        alarm.Metrics.find((each) => each.MetricStat !== undefined)!.MetricStat!.Metric.Dimensions,
    );
    expect(
      dimensions.map((each) => each.find((d) => d.Name === APPLICATION_DIMENSION)?.Value),
    ).toEqual([`api ${printable}`, 'x'.repeat(255), 'bestellungen-ueber']);
  });

  describe('metric methods', () => {
    it('metricTokensAccepted and metricTokensRefused: by application, stage or code; Sum per 5 minutes', () => {
      const { key } = synthKey();
      expect(key.metricTokensAccepted({ application: 'a', stage: 'previous' })).toMatchObject({
        namespace: METRIC_NAMESPACE,
        metricName: VERIFICATION_METRICS.accepted,
        dimensions: { [APPLICATION_DIMENSION]: 'a', KeyStage: 'previous' },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
      expect(
        key.metricTokensRefused({
          application: 'a',
          code: 'ERR_JWT_EXPIRED',
          period: Duration.hours(1),
        }),
      ).toMatchObject({
        metricName: VERIFICATION_METRICS.refused,
        dimensions: { [APPLICATION_DIMENSION]: 'a', [ERROR_CODE_DIMENSION]: 'ERR_JWT_EXPIRED' },
        period: Duration.hours(1),
      });
      expect(key.metricTokensRefused({ application: 'a' }).dimensions).toEqual({
        [APPLICATION_DIMENSION]: 'a',
      });
      expect(key.metricSuspiciousTokens({ application: 'a' }).expression).toBe(
        'FILL(refused0, 0) + FILL(refused1, 0) + FILL(refused2, 0)',
      );
    });
    it.each([
      ['a non-ASCII name', 'bestellungen-über'],
      ['a control character', 'orders\u0007'],
      ['an empty name', ''],
      ['a name over 255 characters', 'a'.repeat(256)],
    ])('fails when a metric method is given %s', (_case, application) => {
      // GIVEN a key
      const { key } = synthKey();

      // WHEN each metric method is asked for that application
      const errors = [
        () => key.metricTokensAccepted({ application }),
        () => key.metricTokensRefused({ application, code: 'ERR_JWT_EXPIRED' }),
        () => key.metricSuspiciousTokens({ application }),
      ].map(thrownBy);

      // THEN each refuses it with the code, naming the construct (no metric matching nothing)
      for (const error of errors) {
        expect(error).toBeInstanceOf(RotatingJwtKeyError);
        expect(error).toMatchObject({ code: 'ERR_VERIFICATION_METRIC_INVALID' });
        expect((error as Error).message).toContain('Test/JwtKey');
      }
    });
  });

  describe('dashboard', () => {
    it('shows tokens accepted and refused by application next to the rotations, and each alarm', () => {
      const { template } = synthKey({ verificationAlarms: [{ application: 'orders-api' }] });
      const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
      expect(body).toContain('KeyRotated');
      expect(body).toContain(
        `SEARCH('{${METRIC_NAMESPACE},${APPLICATION_DIMENSION}} MetricName=\\\\\\"${VERIFICATION_METRICS.accepted}\\\\\\"'`,
      );
      expect(body).toContain(
        `{${METRIC_NAMESPACE},${APPLICATION_DIMENSION},${ERROR_CODE_DIMENSION}} MetricName=`,
      );
      expect(body).toContain('SuspiciousTokensAlarm');
    });
  });
});
