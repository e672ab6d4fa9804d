/**
 * The benchmark runs and reports what it must: every case of every algorithm side by side with
 * its ratio to the floor, the libraries left out said so, key generation through the Lambda's
 * key maker as a distribution, 0 Secrets Manager calls per verification once keys are cached,
 * and the rotation Lambda's real bundle next to the reference. A tiny run: nothing here judges
 * speed.
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';

import { formatBench } from '../../bench/report';
import { type BenchResults, runBench } from '../../bench/run-bench';

const WORK_DIR = resolve(__dirname, '../../cdk.out.test', `bench-${process.pid}`);
const ALGORITHMS = ['HS256', 'HS512', 'ES256', 'EdDSA', 'RS256'] as const;
const LIBRARIES = ['floor', 'JwtKeyRing', 'jose (CryptoKey)', 'fast-jwt', 'jsonwebtoken'];

describe('npm run bench', () => {
  let results: BenchResults;

  beforeAll(async () => {
    results = await runBench({
      algorithms: ALGORITHMS,
      rounds: 2,
      batchMs: 1,
      inFlight: 4,
      // 3072 and 4096 bits take the same path and seconds more: npm run bench times them.
      keyGeneration: { runs: 3, rsaRuns: 1, rsaModulusBits: [2048] },
      lambdaLoads: 2,
      workDir: WORK_DIR,
    });
  }, 120_000);

  afterAll(() => {
    rmSync(WORK_DIR, { recursive: true, force: true });
  });

  it('measures every library for each algorithm, operation and mode, against the floor', () => {
    const expected = ALGORITHMS.flatMap((alg) =>
      ['verify', 'sign'].flatMap((operation) =>
        LIBRARIES.filter((library) => !(alg === 'EdDSA' && library === 'jsonwebtoken')).map(
          (library) => `${alg} ${operation} ${library}`,
        ),
      ),
    );
    for (const mode of ['sequential', 'in-flight']) {
      const names = results.cases.filter((result) => result.mode === mode).map((r) => r.name);
      expect(names.sort()).toEqual([...expected].sort());
    }
    for (const result of results.cases) {
      expect(result.medianNs).toBeGreaterThan(0);
      expect(result.minNs).toBeLessThanOrEqual(result.maxNs);
      expect(result.ratioRange[0]).toBeLessThanOrEqual(result.ratioToBaseline);
      expect(result.ratioToBaseline).toBeLessThanOrEqual(result.ratioRange[1]);
      if (result.name.endsWith(' floor')) expect(result.ratioToBaseline).toBe(1);
    }
  });

  it('says which library has no case for an algorithm, and why', () => {
    expect(results.unsupported).toEqual([
      expect.objectContaining({ alg: 'EdDSA', library: 'jsonwebtoken' }),
    ]);
    expect(formatBench(results)).toMatch(/no EdDSA case for jsonwebtoken: .*has no EdDSA/);
  });

  it('makes no Secrets Manager call per verification once the keys are cached', () => {
    expect(results.secretsManagerCallsPerVerification).toBe(0);
  });

  it('times key generation per algorithm as a distribution of the runs asked for', () => {
    expect(results.keyGeneration.map(({ name, runs }) => [name, runs])).toEqual([
      ['ES256', 3],
      ['EdDSA', 3],
      ['RS256-2048', 1],
    ]);
    for (const generation of results.keyGeneration) {
      expect(generation.minMs).toBeGreaterThan(0);
      expect(generation.minMs).toBeLessThanOrEqual(generation.medianMs);
      expect(generation.medianMs).toBeLessThanOrEqual(generation.p90Ms);
      expect(generation.p90Ms).toBeLessThanOrEqual(generation.maxMs);
    }
    expect(formatBench(results)).toMatch(/^RS256-2048 +1 +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+$/m);
  });

  it('weighs the synthesized rotation bundle against the two-SDK-client reference', () => {
    const { lambda } = results;
    expect(lambda).toBeDefined();
    expect(lambda!.rotation.bytes).toBeGreaterThan(lambda!.reference.bytes);
    expect(lambda!.rotation.gzipBytes).toBeLessThan(lambda!.rotation.bytes);
    // The function ships without a source map: loading one costs every cold start.
    expect(lambda!.rotation.sourceMapBytes).toBe(0);
    expect(lambda!.rotation.loadMs.median).toBeGreaterThan(0);
    expect(lambda!.loadRatio).toBeGreaterThan(0);
  });

  it('reports each target, the machine it ran on and its load', () => {
    const text = formatBench(results);
    expect(results.targets.map((target) => target.name)).toEqual(
      expect.arrayContaining([
        'HS256 verify JwtKeyRing (sequential) / floor',
        'HS512 sign JwtKeyRing (in-flight) / floor',
        'ES256 verify JwtKeyRing (sequential) / floor',
        'EdDSA sign JwtKeyRing (in-flight) / floor',
        'RS256 verify JwtKeyRing (in-flight) / floor',
        'Secrets Manager calls per verification (steady state)',
        'rotation Lambda bundle, gzip KB',
        'rotation Lambda load time / reference',
      ]),
    );
    expect(results.targets).toHaveLength(ALGORITHMS.length * 4 + 3);
    expect(text).toContain(process.version);
    expect(results.machine.loadAverage.start).toHaveLength(3);
    expect(text).toMatch(/load average \(1, 5, 15 min\): [\d.]+ [\d.]+ [\d.]+ at the start/);
    for (const result of results.cases) expect(text).toContain(result.name);
  });
});
