/**
 * The OpenTelemetry observer against the real SDK: an in-memory MeterProvider whose reader
 * collects on demand, exported through InMemoryMetricExporter. Instrument names, units and
 * attributes, and the counts of the token table.
 */
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';

import {
  createOpenTelemetryObserver,
  METER_NAME,
  OTEL_ATTRIBUTES,
  OTEL_METRICS,
} from '../../client/opentelemetry';

import {
  FAILING_URLS,
  NOW as SET_READS_START,
  READS_OF_EACH_CAUSE,
  readFailing,
  readForEachCause,
} from './key-set-reads';
import { CURRENT, NOW, ringFor, TOKEN_CASES, verifyCase } from './observer-support';

/** A reader that collects only when asked. */
class OnDemandReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

async function collect(reader: OnDemandReader): Promise<MetricData[]> {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const { resourceMetrics } = await reader.collect();
  await new Promise<void>((resolve) => exporter.export(resourceMetrics, () => resolve()));
  return exporter
    .getMetrics()
    .flatMap((exported) => exported.scopeMetrics)
    .flatMap((scope) => scope.metrics);
}

function metric(metrics: readonly MetricData[], name: string): MetricData {
  const found = metrics.find((each) => each.descriptor.name === name);
  if (found === undefined)
    throw new Error(`no metric ${name} among ${metrics.map((m) => m.descriptor.name).join(', ')}`);
  return found;
}

/** The value of the data point whose attributes are exactly `attributes`. */
function valueAt(data: MetricData, attributes: Record<string, string>): number | undefined {
  const point = data.dataPoints.find(
    (each) => JSON.stringify(sorted(each.attributes)) === JSON.stringify(sorted(attributes)),
  );
  return point?.value as number | undefined;
}

function sorted(attributes: Readonly<Record<string, unknown>>): [string, unknown][] {
  return Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b));
}

describe('Function: createOpenTelemetryObserver', () => {
  let provider: MeterProvider;
  let reader: OnDemandReader;

  beforeEach(() => {
    reader = new OnDemandReader();
    provider = new MeterProvider({ readers: [reader] });
  });

  afterEach(async () => {
    await provider.shutdown();
  });

  it('counts the token table as jwt.verification.count, by outcome, stage and error type', async () => {
    // GIVEN an observer on the provider's meter, shared by a ring per case
    const clock = { now: NOW };
    const observer = createOpenTelemetryObserver(provider, { clock: () => clock.now });

    // WHEN each token is verified twice
    for (const tokenCase of TOKEN_CASES) {
      const { ring, clock: ringClock } = await ringFor(tokenCase, observer);
      for (let round = 0; round < 2; round += 1) await verifyCase(ring, ringClock, tokenCase);
    }
    const metrics = await collect(reader);

    // THEN the counter is a monotonic sum in {verification}, under this library's meter
    const verifications = metric(metrics, OTEL_METRICS.verifications);
    expect(verifications.descriptor.unit).toBe('{verification}');
    expect(verifications.dataPointType).toBe(DataPointType.SUM);
    expect(verifications).toMatchObject({ isMonotonic: true });
    // AND each case counts twice under its attributes
    const expected = new Map<string, { attributes: Record<string, string>; count: number }>();
    for (const { heard } of TOKEN_CASES) {
      const attributes: Record<string, string> =
        'accepted' in heard
          ? { [OTEL_ATTRIBUTES.outcome]: 'accepted', [OTEL_ATTRIBUTES.stage]: heard.accepted.stage }
          : {
              [OTEL_ATTRIBUTES.outcome]: 'refused',
              [OTEL_ATTRIBUTES.errorType]: heard.refused.code,
              ...(heard.refused.stage !== undefined && {
                [OTEL_ATTRIBUTES.stage]: heard.refused.stage,
              }),
            };
      const key = JSON.stringify(sorted(attributes));
      expected.set(key, { attributes, count: (expected.get(key)?.count ?? 0) + 2 });
    }
    for (const { attributes, count } of expected.values()) {
      expect([attributes, valueAt(verifications, attributes)]).toEqual([attributes, count]);
    }
    expect(verifications.dataPoints).toHaveLength(expected.size);
  });

  it('counts reads of the keys by cause and outcome, and gauges the current key age in seconds', async () => {
    // GIVEN a ring whose keys were read once at NOW
    const clock = { now: NOW };
    const meter = provider.getMeter('my-service');
    const observer = createOpenTelemetryObserver(meter, { clock: () => clock.now });
    await ringFor(TOKEN_CASES[0]!, observer);

    // WHEN a failed read is reported, and time passes before collection
    observer.keysRefreshed({
      cause: 'ttl',
      outcome: 'failed',
      at: NOW,
      code: 'ERR_KEY_STORE_UNAVAILABLE',
    });
    clock.now = NOW + 90_000;
    const metrics = await collect(reader);

    // THEN
    const refreshes = metric(metrics, OTEL_METRICS.refreshes);
    expect(refreshes.descriptor.unit).toBe('{refresh}');
    expect(
      valueAt(refreshes, {
        [OTEL_ATTRIBUTES.refreshCause]: 'manual',
        [OTEL_ATTRIBUTES.refreshOutcome]: 'ok',
      }),
    ).toBe(1);
    expect(
      valueAt(refreshes, {
        [OTEL_ATTRIBUTES.refreshCause]: 'ttl',
        [OTEL_ATTRIBUTES.refreshOutcome]: 'failed',
        [OTEL_ATTRIBUTES.errorType]: 'ERR_KEY_STORE_UNAVAILABLE',
      }),
    ).toBe(1);
    const age = metric(metrics, OTEL_METRICS.keyAge);
    expect(age.descriptor.unit).toBe('s');
    expect(age.dataPointType).toBe(DataPointType.GAUGE);
    expect(valueAt(age, { [OTEL_ATTRIBUTES.stage]: 'current' })).toBe(
      (NOW + 90_000 - Date.parse(CURRENT.createdAt!)) / 1000,
    );
  });

  describe('with a JwksVerifier', () => {
    const refreshAttributes = (read: { cause: string; outcome: string; code?: string }) => ({
      [OTEL_ATTRIBUTES.refreshCause]: read.cause,
      [OTEL_ATTRIBUTES.refreshOutcome]: read.outcome,
      ...(read.code !== undefined && { [OTEL_ATTRIBUTES.errorType]: read.code }),
    });

    it('counts each fetch of the key set as jwt.key.refresh.count, by cause and outcome', async () => {
      // GIVEN / WHEN a verifier reads its set for each cause there is, the last read failing
      const observer = createOpenTelemetryObserver(provider);
      await readForEachCause(observer, { now: SET_READS_START });
      const metrics = await collect(reader);

      // THEN each read is one count under its cause, outcome and error type, and nothing else
      const refreshes = metric(metrics, OTEL_METRICS.refreshes);
      const expected = new Map<string, { attributes: Record<string, string>; count: number }>();
      for (const read of READS_OF_EACH_CAUSE) {
        const attributes = refreshAttributes(read);
        const key = JSON.stringify(sorted(attributes));
        expected.set(key, { attributes, count: (expected.get(key)?.count ?? 0) + 1 });
      }
      for (const { attributes, count } of expected.values()) {
        expect([attributes, valueAt(refreshes, attributes)]).toEqual([attributes, count]);
      }
      expect(refreshes.dataPoints).toHaveLength(expected.size);
      // AND no key age: a key set has no current key
      expect(metrics.find((each) => each.descriptor.name === OTEL_METRICS.keyAge)).toBeUndefined();
    });

    it.each(FAILING_URLS)(
      'counts one failed initial read, with its error type, when the URL fails with %s',
      async (_name, fail, code) => {
        const observer = createOpenTelemetryObserver(provider);
        await expect(readFailing(observer, fail)).resolves.toBe(code);
        const refreshes = metric(await collect(reader), OTEL_METRICS.refreshes);
        const attributes = refreshAttributes({ cause: 'initial', outcome: 'failed', code });
        expect(valueAt(refreshes, attributes)).toBe(1);
        expect(refreshes.dataPoints).toHaveLength(1);
      },
    );
  });

  it('asks a MeterProvider for the rotating-jwt-keys meter', async () => {
    const observer = createOpenTelemetryObserver(provider);
    observer.accepted('current', 'k', 'HS256');
    const { resourceMetrics } = await reader.collect();
    expect(resourceMetrics.scopeMetrics.map((scope) => scope.scope.name)).toEqual([METER_NAME]);
  });

  it('reports nothing more after shutdown', async () => {
    const observer = createOpenTelemetryObserver(provider);
    observer.accepted('current', 'k', 'HS256');
    observer.shutdown();
    observer.accepted('current', 'k', 'HS256');
    const metrics = await collect(reader);
    expect(
      metrics.find((each) => each.descriptor.name === OTEL_METRICS.verifications)?.dataPoints ?? [],
    ).toEqual([]);
  });
});
