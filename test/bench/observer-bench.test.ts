/**
 * The observer case of `npm run bench` runs and reports what it must: verify without an
 * observer as each group's baseline, the counting, embedded-metrics and OpenTelemetry observers
 * next to it in wall-clock and CPU time, on the accepted path and on the refused one (a forged
 * token), and a 1.05× target per observer, path and mode. A tiny run: nothing here judges speed.
 */
import {
  ACCEPTED_PATH,
  formatObserverBench,
  OBSERVER_TARGET,
  type ObserverBenchResults,
  REFUSED_PATH,
  runObserverBench,
} from '../../bench/observer-bench';

const OBSERVERS = ['counting observer', 'embedded metrics', 'OpenTelemetry'];

describe('npm run bench: observers', () => {
  let results: ObserverBenchResults;

  beforeAll(async () => {
    results = await runObserverBench({ rounds: 1, batchMs: 1, inFlight: 8 });
  }, 120_000);

  it('measures each observer against verify without one, on both paths and in both modes, in wall and CPU time', () => {
    for (const mode of ['sequential', 'in-flight']) {
      for (const measured of [results.cases, results.cpu]) {
        for (const path of [ACCEPTED_PATH, REFUSED_PATH]) {
          expect(
            measured
              .filter((each) => each.mode === mode && each.name.startsWith(`${path}, `))
              .map((each) => each.name.split(', ')[1]),
          ).toEqual(['no observer', ...OBSERVERS]);
        }
      }
    }
    for (const each of results.cpu) {
      expect(each.medianCpuNs).toBeGreaterThan(0);
      expect(each.cpuRatioRange[0]).toBeLessThanOrEqual(each.cpuRatio);
      expect(each.cpuRatio).toBeLessThanOrEqual(each.cpuRatioRange[1]);
    }
  });

  it('judges a 1.05× target per observer, path and mode on the CPU-time ratio, and prints it', () => {
    expect(results.targets).toHaveLength(OBSERVERS.length * 2 * 2);
    for (const target of results.targets) {
      expect(target.limit).toBe(`<= ${OBSERVER_TARGET}`);
      expect(target.met).toBe(target.value <= OBSERVER_TARGET);
    }
    const text = formatObserverBench(results);
    for (const name of OBSERVERS) expect(text).toContain(name);
    expect(text).toContain(REFUSED_PATH);
    expect(text).toContain('observer targets:');
  });

  it('the observers really ran: the counting one counted, the embedded one wrote its counts', () => {
    expect(results.counted.counting).toBeGreaterThan(0);
    expect(results.counted['counting (refused)']).toBeGreaterThan(0);
    expect(results.counted['embedded metrics']).toBeGreaterThan(0);
  });
});
