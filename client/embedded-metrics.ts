/**
 * A VerificationObserver that writes CloudWatch embedded metric format (EMF): JSON lines that
 * CloudWatch Logs turns into metrics in the `RotatingJwtKeys` namespace, by Application (the
 * name you give the application), with no API call and no permission beyond writing logs.
 * For Lambda functions and containers whose stdout goes to CloudWatch Logs.
 *
 * Counts are aggregated, not written per token: a flood of forged tokens is a few lines per
 * flush, not a line per token. A flush writes, at most: one line per key stage with accepted
 * tokens (TokensAccepted), one per error code and key stage with refused tokens
 * (TokensRefused), and one with the reads of the keys (KeyRefreshes, KeyRefreshFailures) and
 * the current key's age (VerifierKeyAgeSeconds); nothing when there is nothing to say.
 * It flushes every `flushIntervalMs` (a timer that does not keep the process alive), when the
 * process exits normally (`flushOnExit`), and whenever you call flush(): a Lambda function
 * calls it before returning (a frozen sandbox runs no timer), a service calls close() when it
 * shuts down on a signal (a process killed by SIGTERM without a handler runs no exit hook).
 *
 * Dimensions are the application's name, the key stage and the error code: all from small
 * fixed sets. Never the kid, which the sender of a token chooses.
 *
 * @example
 * const metrics = createEmbeddedMetricsObserver({ application: 'orders-api' });
 * const ring = new JwtKeyRing({ secretId, observer: metrics });
 * process.once('SIGTERM', () => { metrics.close(); process.exit(0); });
 */
import {
  APPLICATION_DIMENSION,
  applicationNameProblem,
  ERROR_CODE_DIMENSION,
  KEY_STAGE_DIMENSION,
  METRIC_NAMESPACE,
  VERIFICATION_METRICS,
  VERIFICATION_STAGES,
} from '../contract/metrics';

import { JwtKeyRingError } from './errors';
import { type KeyRefresh, type VerificationObserver, type VerificationStage } from './observer';
import { checkNumber } from './options';
import { NO_KEY, VerificationTally } from './verification-tally';

export interface EmbeddedMetricsOptions {
  /**
   * The Application dimension's value: which application verifies. 1 to 1024 printable ASCII
   * characters (0x20-0x7E), not all spaces: CloudWatch's rule for dimension values (the
   * construct's alarms read names of up to 255). Others throw ERR_INVALID_ARGUMENT.
   */
  readonly application: string;
  /** Receives each JSON line (without its newline). @default a line on process.stdout */
  readonly write?: (line: string) => void;
  /**
   * How often counts are written, in ms; 0 writes only on flush() (and exit). At least 1000
   * otherwise. @default 60000 (CloudWatch's standard resolution)
   */
  readonly flushIntervalMs?: number;
  /** Flush when the process exits normally ('exit' event). @default true */
  readonly flushOnExit?: boolean;
  /** Current time in epoch ms: the lines' timestamp and the key's age. @default Date.now */
  readonly clock?: () => number;
}

export interface EmbeddedMetricsObserver extends VerificationObserver {
  /** Writes the counts since the last flush now, and starts counting afresh. */
  flush(): void;
  /** Flushes, stops the timer and the exit hook. Counting goes on; flush() still writes. */
  close(): void;
}

const MIN_FLUSH_INTERVAL_MS = 1000;

export function createEmbeddedMetricsObserver(
  options: EmbeddedMetricsOptions,
): EmbeddedMetricsObserver {
  const problem = applicationNameProblem(options.application);
  if (problem !== undefined) {
    throw new JwtKeyRingError('ERR_INVALID_ARGUMENT', `application ${problem}`);
  }
  const flushIntervalMs = checkNumber(options.flushIntervalMs ?? 60_000, 'flushIntervalMs', {
    min: 0,
  });
  if (flushIntervalMs > 0 && flushIntervalMs < MIN_FLUSH_INTERVAL_MS) {
    throw new JwtKeyRingError(
      'ERR_INVALID_ARGUMENT',
      `flushIntervalMs must be 0 (no timer) or at least ${MIN_FLUSH_INTERVAL_MS}, got ${flushIntervalMs}`,
    );
  }
  const observer = new EmbeddedMetrics(
    options.application,
    options.write ?? ((line) => process.stdout.write(`${line}\n`)),
    options.clock ?? Date.now,
  );
  const flush = (): void => {
    observer.flush();
  };
  const timer = flushIntervalMs > 0 ? setInterval(flush, flushIntervalMs) : undefined;
  timer?.unref();
  const onExit = options.flushOnExit ?? true;
  if (onExit) process.on('exit', flush);
  return {
    accepted: (stage) => {
      observer.accepted(stage);
    },
    refused: (code, kid, stage) => {
      observer.refused(code, kid, stage);
    },
    keysRefreshed: (refresh) => {
      observer.keysRefreshed(refresh);
    },
    flush,
    close: () => {
      if (timer !== undefined) clearInterval(timer);
      if (onExit) process.removeListener('exit', flush);
      flush();
    },
  };
}

class EmbeddedMetrics implements VerificationObserver {
  private readonly tally = new VerificationTally();
  private refreshes = 0;
  private refreshFailures = 0;
  private currentKeyCreatedAt: number | undefined;

  constructor(
    private readonly application: string,
    private readonly write: (line: string) => void,
    private readonly clock: () => number,
  ) {}

  accepted(stage: VerificationStage): void {
    this.tally.countAccepted(stage);
  }

  refused(code: string, _kid: string | undefined, stage: VerificationStage | undefined): void {
    this.tally.countRefused(code, stage);
  }

  keysRefreshed(refresh: KeyRefresh): void {
    this.refreshes += 1;
    if (refresh.outcome === 'failed') {
      this.refreshFailures += 1;
    } else if (refresh.currentKeyCreatedAt !== undefined) {
      this.currentKeyCreatedAt = refresh.currentKeyCreatedAt;
    }
  }

  flush(): void {
    const at = this.clock();
    const lines: string[] = [];
    for (const stage of VERIFICATION_STAGES) {
      const count = this.tally.accepted[stage];
      if (count > 0) {
        lines.push(
          this.line(at, [[APPLICATION_DIMENSION], [APPLICATION_DIMENSION, KEY_STAGE_DIMENSION]], {
            [KEY_STAGE_DIMENSION]: stage,
            [VERIFICATION_METRICS.accepted]: count,
          }),
        );
      }
    }
    for (const [code, byStage] of this.tally.refused) {
      for (const [stage, count] of byStage) {
        // The stage is context for Logs Insights, not a dimension: refusals are counted by code.
        lines.push(
          this.line(at, [[APPLICATION_DIMENSION], [APPLICATION_DIMENSION, ERROR_CODE_DIMENSION]], {
            [ERROR_CODE_DIMENSION]: code,
            ...(stage !== NO_KEY && { [KEY_STAGE_DIMENSION]: stage }),
            [VERIFICATION_METRICS.refused]: count,
          }),
        );
      }
    }
    const keyAge =
      this.currentKeyCreatedAt === undefined
        ? undefined
        : Math.max(0, Math.floor((at - this.currentKeyCreatedAt) / 1000));
    if (this.refreshes > 0 || keyAge !== undefined) {
      lines.push(
        this.line(at, [[APPLICATION_DIMENSION]], {
          [VERIFICATION_METRICS.refreshes]: this.refreshes,
          [VERIFICATION_METRICS.refreshFailures]: this.refreshFailures,
          ...(keyAge !== undefined && { [VERIFICATION_METRICS.keyAge]: keyAge }),
        }),
      );
    }
    this.tally.reset();
    this.refreshes = 0;
    this.refreshFailures = 0;
    for (const line of lines) {
      try {
        this.write(line);
      } catch {
        // A failing log writer must not break verification; the counts are lost, not retried.
      }
    }
  }

  /** One EMF document: the metrics among `members` (numbers) under the dimension sets given. */
  private line(
    at: number,
    dimensions: readonly (readonly string[])[],
    members: Readonly<Record<string, string | number>>,
  ): string {
    const metrics = Object.entries(members)
      .filter(([, value]) => typeof value === 'number')
      .map(([name]) => ({
        Name: name,
        Unit: name === VERIFICATION_METRICS.keyAge ? 'Seconds' : 'Count',
      }));
    return JSON.stringify({
      _aws: {
        Timestamp: at,
        CloudWatchMetrics: [
          { Namespace: METRIC_NAMESPACE, Dimensions: dimensions, Metrics: metrics },
        ],
      },
      [APPLICATION_DIMENSION]: this.application,
      ...members,
    });
  }
}
