/**
 * A small measuring loop built for a noisy, shared 2-core machine. Cases come in groups whose
 * first case is the baseline (the floor). Every round times each case next to a batch of the
 * baseline (baseline first in even rounds, the case first in odd ones), in an order that
 * rotates from round to round; a case's ratio to the baseline is taken within each such pair
 * and the median over rounds is reported, which cancels most of the drift that absolute times
 * suffer. Each batch is sized to take about `batchMs`; with --expose-gc the heap is collected
 * before each batch, so no batch pays for garbage another one left.
 */
import { performance } from 'node:perf_hooks';

export type Operation = () => unknown;

export interface NamedOperation {
  readonly name: string;
  readonly operation: Operation;
}

export interface CaseGroup {
  /** 'sequential': one call at a time; 'in-flight': `inFlight` calls started together. */
  readonly mode: 'sequential' | 'in-flight';
  /** The first is the baseline the others are compared with. */
  readonly cases: readonly NamedOperation[];
}

export interface HarnessOptions {
  readonly rounds: number;
  readonly batchMs: number;
  /** How many calls a batch keeps in flight at once in 'in-flight' mode. */
  readonly inFlight: number;
}

export interface Measurement {
  readonly name: string;
  readonly mode: CaseGroup['mode'];
  /** Nanoseconds per operation: median, fastest and slowest round. */
  readonly medianNs: number;
  readonly minNs: number;
  readonly maxNs: number;
  /** (max - min) / median over the rounds. */
  readonly spread: number;
  /** Median over rounds of this case's time / the baseline batch timed next to it. */
  readonly ratioToBaseline: number;
  /** The lowest and highest of those per-round ratios. */
  readonly ratioRange: readonly [number, number];
  readonly operationsPerRound: number;
  readonly rounds: number;
}

const collectGarbage = (globalThis as { gc?: () => void }).gc;

/** Runs `count` operations, one after another or `inFlight` at a time; returns elapsed ms. */
async function runBatch(
  operation: Operation,
  mode: CaseGroup['mode'],
  count: number,
  inFlight: number,
): Promise<number> {
  collectGarbage?.();
  const started = performance.now();
  if (mode === 'sequential') {
    for (let index = 0; index < count; index += 1) {
      const result = operation();
      // Synchronous operations are not awaited: awaiting would add a microtask they don't pay.
      if (result instanceof Promise) await result;
    }
  } else {
    const batch: unknown[] = new Array<unknown>(inFlight);
    for (let done = 0; done < count; done += inFlight) {
      for (let slot = 0; slot < inFlight; slot += 1) batch[slot] = operation();
      await Promise.all(batch);
    }
  }
  return performance.now() - started;
}

/** How many operations fill about `batchMs` (a multiple of inFlight). */
async function calibrate(
  operation: Operation,
  mode: CaseGroup['mode'],
  options: HarnessOptions,
): Promise<number> {
  let count = options.inFlight;
  for (;;) {
    const elapsed = await runBatch(operation, mode, count, options.inFlight);
    if (elapsed >= options.batchMs / 4 || count >= 10_000_000) {
      const scaled = Math.ceil((count * options.batchMs) / Math.max(elapsed, 0.001));
      return Math.max(options.inFlight, Math.ceil(scaled / options.inFlight) * options.inFlight);
    }
    count *= 4;
  }
}

/** The q-quantile (0 ≤ q ≤ 1), interpolating between the two nearest values. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export async function measure(
  groups: readonly CaseGroup[],
  options: HarnessOptions,
): Promise<Measurement[]> {
  // Calibrating also warms each case up (JIT, caches) before anything is recorded.
  const counts: number[][] = [];
  for (const group of groups) {
    const groupCounts: number[] = [];
    for (const { operation } of group.cases) {
      groupCounts.push(await calibrate(operation, group.mode, options));
    }
    counts.push(groupCounts);
  }
  const samples = groups.map((group) => group.cases.map((): number[] => []));
  const ratios = groups.map((group) => group.cases.map((): number[] => []));
  const timeBatch = async (groupIndex: number, caseIndex: number): Promise<number> => {
    const group = groups[groupIndex]!;
    const count = counts[groupIndex]![caseIndex]!;
    const elapsedMs = await runBatch(
      group.cases[caseIndex]!.operation,
      group.mode,
      count,
      options.inFlight,
    );
    const perOperationNs = (elapsedMs * 1e6) / count;
    samples[groupIndex]![caseIndex]!.push(perOperationNs);
    return perOperationNs;
  };
  for (let round = 0; round < options.rounds; round += 1) {
    for (const [groupIndex, group] of groups.entries()) {
      const others = group.cases.length - 1;
      for (let offset = 0; offset < others; offset += 1) {
        const caseIndex = 1 + ((round + offset) % others);
        // The case and a baseline batch right next to it, in alternating order: the pair sees
        // the same machine, whatever it was doing a moment before.
        let caseNs: number;
        let baselineNs: number;
        if (round % 2 === 0) {
          baselineNs = await timeBatch(groupIndex, 0);
          caseNs = await timeBatch(groupIndex, caseIndex);
        } else {
          caseNs = await timeBatch(groupIndex, caseIndex);
          baselineNs = await timeBatch(groupIndex, 0);
        }
        ratios[groupIndex]![caseIndex]!.push(caseNs / baselineNs);
      }
    }
  }
  return groups.flatMap((group, groupIndex) =>
    group.cases.map(({ name }, caseIndex) => {
      const perOperation = samples[groupIndex]![caseIndex]!;
      const caseRatios = caseIndex === 0 ? [1] : ratios[groupIndex]![caseIndex]!;
      const medianNs = median(perOperation);
      const minNs = Math.min(...perOperation);
      const maxNs = Math.max(...perOperation);
      return {
        name,
        mode: group.mode,
        medianNs,
        minNs,
        maxNs,
        spread: (maxNs - minNs) / medianNs,
        ratioToBaseline: median(caseRatios),
        ratioRange: [Math.min(...caseRatios), Math.max(...caseRatios)] as const,
        operationsPerRound: counts[groupIndex]![caseIndex]!,
        rounds: options.rounds,
      };
    }),
  );
}
