/**
 * A small measuring loop built for a noisy, shared 2-core machine. Cases come in groups whose
 * first case is the baseline (the floor). Every round runs each group's cases back to back, in
 * an order that rotates from round to round, so the cases of a group see the same machine; a
 * case's ratio to the baseline is taken within each round and the median over rounds is
 * reported, which cancels most of the drift that absolute times suffer. Each batch is sized to
 * take about `batchMs`; with --expose-gc the heap is collected before each batch, so no batch
 * pays for garbage another one left.
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
  /** Median over rounds of this case's time / the baseline's time in the same round. */
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

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
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
  for (let round = 0; round < options.rounds; round += 1) {
    for (const [groupIndex, group] of groups.entries()) {
      for (let offset = 0; offset < group.cases.length; offset += 1) {
        const caseIndex = (round + offset) % group.cases.length;
        const count = counts[groupIndex]![caseIndex]!;
        const { operation } = group.cases[caseIndex]!;
        const elapsedMs = await runBatch(operation, group.mode, count, options.inFlight);
        samples[groupIndex]![caseIndex]!.push((elapsedMs * 1e6) / count);
      }
    }
  }
  return groups.flatMap((group, groupIndex) => {
    const baseline = samples[groupIndex]![0]!;
    return group.cases.map(({ name }, caseIndex) => {
      const perOperation = samples[groupIndex]![caseIndex]!;
      const ratios = perOperation.map((value, round) => value / baseline[round]!);
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
        ratioToBaseline: median(ratios),
        ratioRange: [Math.min(...ratios), Math.max(...ratios)] as const,
        operationsPerRound: counts[groupIndex]![caseIndex]!,
        rounds: options.rounds,
      };
    });
  });
}
