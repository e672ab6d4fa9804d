/**
 * `rotating-jwt-keys/client/opentelemetry`: a VerificationObserver that records OpenTelemetry
 * metrics through the `@opentelemetry/api` Meter you give it. Its own entry point, and it only
 * uses that package's types: importing `rotating-jwt-keys/client` never loads
 * `@opentelemetry/api`, and this module does not either (you bring the Meter).
 *
 * Instruments (semantic-convention style: dot-separated lowercase names, UCUM units):
 * - `jwt.verification.count` ({verification}), an asynchronous counter: verifications, with
 *   `jwt.verification.outcome` (accepted | refused), `jwt.key.stage` (current | previous |
 *   legacy | published; absent on a refusal whose kid names no loaded key) and, on refusals,
 *   `error.type` (the error code, e.g. ERR_JWT_SIGNATURE_INVALID).
 * - `jwt.key.refresh.count` ({refresh}), a counter: reads of the keys (a key-set verifier's
 *   fetches of its set too), with
 *   `jwt.key.refresh.cause` (initial | ttl | unknown_kid | next_kid | event | manual),
 *   `jwt.key.refresh.outcome` (ok | failed) and, on failures, `error.type`.
 * - `jwt.key.age` (s), an asynchronous gauge: the age of the current key, with
 *   `jwt.key.stage` = current, once a read has told it.
 *
 * Verifications are counted in plain numbers and reported when the SDK collects, with
 * attribute sets made once: a verification costs an increment, not an SDK call (the
 * OpenTelemetry API has no bound instruments). No attribute carries the kid: the sender of a
 * token chooses it.
 *
 * @example
 * import { metrics } from '@opentelemetry/api';
 * import { createOpenTelemetryObserver } from 'rotating-jwt-keys/client/opentelemetry';
 *
 * const ring = new JwtKeyRing({
 *   secretId,
 *   observer: createOpenTelemetryObserver(metrics.getMeter('orders-api')),
 * });
 */
import type {
  Attributes,
  BatchObservableResult,
  Counter,
  Meter,
  MeterProvider,
  ObservableCounter,
  ObservableGauge,
} from '@opentelemetry/api';

import { VERIFICATION_STAGES } from '../contract/metrics';

import { type KeyRefresh, type VerificationObserver, type VerificationStage } from './observer';
import { NO_KEY, type RefusalStage, VerificationTally } from './verification-tally';

/** The meter this library asks a MeterProvider for. */
export const METER_NAME = 'rotating-jwt-keys';

export const OTEL_METRICS = {
  verifications: 'jwt.verification.count',
  refreshes: 'jwt.key.refresh.count',
  keyAge: 'jwt.key.age',
} as const;

export const OTEL_ATTRIBUTES = {
  outcome: 'jwt.verification.outcome',
  stage: 'jwt.key.stage',
  errorType: 'error.type',
  refreshCause: 'jwt.key.refresh.cause',
  refreshOutcome: 'jwt.key.refresh.outcome',
} as const;

export interface OpenTelemetryObserverOptions {
  /** Current time in epoch ms, for the key's age. @default Date.now */
  readonly clock?: () => number;
}

export interface OpenTelemetryObserver extends VerificationObserver {
  /** Stops reporting: removes the collection callback (the instruments stay with the meter). */
  shutdown(): void;
}

/** A Meter, or a MeterProvider to get one named `rotating-jwt-keys` from. */
export function createOpenTelemetryObserver(
  meterOrProvider: Meter | MeterProvider,
  options: OpenTelemetryObserverOptions = {},
): OpenTelemetryObserver {
  const meter = isMeterProvider(meterOrProvider)
    ? meterOrProvider.getMeter(METER_NAME)
    : meterOrProvider;
  return new OpenTelemetryMetrics(meter, options.clock ?? Date.now);
}

function isMeterProvider(value: Meter | MeterProvider): value is MeterProvider {
  return typeof (value as Partial<MeterProvider>).getMeter === 'function';
}

class OpenTelemetryMetrics implements OpenTelemetryObserver {
  private readonly tally = new VerificationTally();
  private readonly verifications: ObservableCounter;
  private readonly keyAge: ObservableGauge;
  private readonly refreshes: Counter;
  private readonly acceptedAttributes: Readonly<Record<VerificationStage, Attributes>>;
  private readonly currentKeyAttributes: Attributes = { [OTEL_ATTRIBUTES.stage]: 'current' };
  /** Attribute sets made once per combination, by a key naming it. */
  private readonly attributeSets = new Map<string, Attributes>();
  private currentKeyCreatedAt: number | undefined;
  private readonly collect = (result: BatchObservableResult): void => {
    this.observe(result);
  };

  constructor(
    private readonly meter: Meter,
    private readonly clock: () => number,
  ) {
    this.verifications = meter.createObservableCounter(OTEL_METRICS.verifications, {
      description: 'Tokens verified: accepted by key stage, refused by error code',
      unit: '{verification}',
    });
    this.keyAge = meter.createObservableGauge(OTEL_METRICS.keyAge, {
      description: 'Age of the current signing key the verifier holds',
      unit: 's',
    });
    this.refreshes = meter.createCounter(OTEL_METRICS.refreshes, {
      description: 'Reads of the keys, by cause and outcome',
      unit: '{refresh}',
    });
    const accepted = {} as Record<VerificationStage, Attributes>;
    for (const stage of VERIFICATION_STAGES) {
      accepted[stage] = { [OTEL_ATTRIBUTES.outcome]: 'accepted', [OTEL_ATTRIBUTES.stage]: stage };
    }
    this.acceptedAttributes = accepted;
    meter.addBatchObservableCallback(this.collect, [this.verifications, this.keyAge]);
  }

  accepted(stage: VerificationStage): void {
    this.tally.countAccepted(stage);
  }

  refused(code: string, _kid: string | undefined, stage: VerificationStage | undefined): void {
    this.tally.countRefused(code, stage);
  }

  keysRefreshed(refresh: KeyRefresh): void {
    if (refresh.outcome === 'ok' && refresh.currentKeyCreatedAt !== undefined) {
      this.currentKeyCreatedAt = refresh.currentKeyCreatedAt;
    }
    const code = refresh.outcome === 'failed' ? refresh.code : '';
    this.refreshes.add(
      1,
      this.attributes(`refresh|${refresh.cause}|${refresh.outcome}|${code}`, () => ({
        [OTEL_ATTRIBUTES.refreshCause]: refresh.cause,
        [OTEL_ATTRIBUTES.refreshOutcome]: refresh.outcome,
        ...(code !== '' && { [OTEL_ATTRIBUTES.errorType]: code }),
      })),
    );
  }

  shutdown(): void {
    this.meter.removeBatchObservableCallback(this.collect, [this.verifications, this.keyAge]);
  }

  /** Running totals, as an asynchronous counter reports them. */
  private observe(result: BatchObservableResult): void {
    for (const stage of VERIFICATION_STAGES) {
      const count = this.tally.accepted[stage];
      if (count > 0) result.observe(this.verifications, count, this.acceptedAttributes[stage]);
    }
    for (const [code, byStage] of this.tally.refused) {
      for (const [stage, count] of byStage) {
        result.observe(this.verifications, count, this.refusedAttributes(code, stage));
      }
    }
    if (this.currentKeyCreatedAt !== undefined) {
      const ageSeconds = Math.max(0, Math.floor((this.clock() - this.currentKeyCreatedAt) / 1000));
      result.observe(this.keyAge, ageSeconds, this.currentKeyAttributes);
    }
  }

  private refusedAttributes(code: string, stage: RefusalStage): Attributes {
    return this.attributes(`refused|${code}|${stage}`, () => ({
      [OTEL_ATTRIBUTES.outcome]: 'refused',
      ...(stage !== NO_KEY && { [OTEL_ATTRIBUTES.stage]: stage }),
      [OTEL_ATTRIBUTES.errorType]: code,
    }));
  }

  private attributes(key: string, make: () => Attributes): Attributes {
    let attributes = this.attributeSets.get(key);
    if (attributes === undefined) {
      attributes = Object.freeze(make());
      this.attributeSets.set(key, attributes);
    }
    return attributes;
  }
}
