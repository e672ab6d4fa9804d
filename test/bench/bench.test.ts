/**
 * The benchmark runs and reports what it must: every case side by side with its ratio to the
 * floor, 0 Secrets Manager calls per verification once keys are cached, and the rotation
 * Lambda's real bundle next to the reference. A tiny run: nothing here judges speed.
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';

import { formatBench } from '../../bench/report';
import { type BenchResults, runBench } from '../../bench/run-bench';

const WORK_DIR = resolve(__dirname, '../../cdk.out.test', `bench-${process.pid}`);
const LIBRARIES = ['floor', 'JwtKeyRing', 'jose (CryptoKey)', 'fast-jwt', 'jsonwebtoken'];

describe('npm run bench', () => {
  let results: BenchResults;

  beforeAll(async () => {
    results = await runBench({
      algorithms: ['HS256', 'HS512'],
      rounds: 2,
      batchMs: 1,
      inFlight: 8,
      lambdaLoads: 2,
      workDir: WORK_DIR,
    });
  }, 120_000);

  afterAll(() => {
    rmSync(WORK_DIR, { recursive: true, force: true });
  });

  it('measures every library for both algorithms, operations and modes, against the floor', () => {
    const expected = ['HS256', 'HS512'].flatMap((alg) =>
      ['verify', 'sign'].flatMap((operation) =>
        LIBRARIES.map((library) => `${alg} ${operation} ${library}`),
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

  it('makes no Secrets Manager call per verification once the keys are cached', () => {
    expect(results.secretsManagerCallsPerVerification).toBe(0);
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

  it('reports each target and the machine it ran on', () => {
    const text = formatBench(results);
    expect(results.targets.map((target) => target.name)).toEqual(
      expect.arrayContaining([
        'HS256 verify JwtKeyRing (sequential) / floor',
        'HS512 sign JwtKeyRing (in-flight) / floor',
        'Secrets Manager calls per verification (steady state)',
        'rotation Lambda bundle, gzip KB',
        'rotation Lambda load time / reference',
      ]),
    );
    expect(text).toContain(process.version);
    for (const result of results.cases) expect(text).toContain(result.name);
  });
});
