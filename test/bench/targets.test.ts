/**
 * The bench's targets: JwtKeyRing within 1.1× of the floor for the asymmetric algorithms and
 * 1.5× for HMAC; a missed one is reported as MISSED, never thrown.
 */
import { type Measurement } from '../../bench/harness';
import { formatBench } from '../../bench/report';
import { type BenchResults } from '../../bench/run-bench';
import { benchTargets, ringRatioLimit } from '../../bench/targets';

function ringCase(name: string, mode: Measurement['mode'], ratio: number): Measurement {
  return {
    name,
    mode,
    medianNs: 1000 * ratio,
    minNs: 900 * ratio,
    maxNs: 1100 * ratio,
    spread: 0.2,
    ratioToBaseline: ratio,
    ratioRange: [ratio * 0.9, ratio * 1.1],
    operationsPerRound: 64,
    rounds: 3,
  };
}

const CASES: Measurement[] = [
  ringCase('ES256 verify floor', 'sequential', 1),
  ringCase('ES256 verify JwtKeyRing', 'sequential', 1.1),
  ringCase('ES256 sign JwtKeyRing', 'in-flight', 1.12),
  ringCase('RS256 verify fast-jwt', 'sequential', 1.8),
  ringCase('HS256 verify JwtKeyRing', 'sequential', 1.3),
  ringCase('HS512 sign JwtKeyRing', 'in-flight', 1.6),
];

describe('benchTargets', () => {
  it('holds each JwtKeyRing case to its limit and no other library to any', () => {
    const targets = benchTargets(CASES, 0, undefined);
    expect(targets.map(({ name, limit, met }) => [name, limit, met])).toEqual([
      ['ES256 verify JwtKeyRing (sequential) / floor', '<= 1.1', true],
      ['ES256 sign JwtKeyRing (in-flight) / floor', '<= 1.1', false],
      ['HS256 verify JwtKeyRing (sequential) / floor', '<= 1.5', true],
      ['HS512 sign JwtKeyRing (in-flight) / floor', '<= 1.5', false],
      ['Secrets Manager calls per verification (steady state)', '= 0', true],
    ]);
  });

  it('misses the calls target on any Secrets Manager call per verification', () => {
    const calls = benchTargets([], 0.001, undefined).find((target) => target.limit === '= 0');
    expect(calls?.met).toBe(false);
  });

  it('takes 1.1× for every asymmetric algorithm and 1.5× for HMAC', () => {
    expect(['ES256', 'EdDSA', 'RS256'].map(ringRatioLimit)).toEqual([1.1, 1.1, 1.1]);
    expect(['HS256', 'HS384', 'HS512'].map(ringRatioLimit)).toEqual([1.5, 1.5, 1.5]);
  });
});

describe('formatBench', () => {
  it('reports a missed target as MISSED with its value and limit, next to the met ones', () => {
    const results: BenchResults = {
      machine: {
        node: 'v20.0.0',
        cpu: 'test CPU',
        cores: 2,
        memoryGiB: 4,
        platform: 'linux x64',
        loadAverage: { start: [1.5, 1, 0.5], end: [2, 1.25, 0.5] },
      },
      settings: {
        algorithms: ['ES256', 'HS256', 'HS512'],
        rounds: 3,
        batchMs: 1,
        inFlight: 4,
        keyGeneration: { runs: 0, rsaRuns: 0, rsaModulusBits: [] },
        lambdaLoads: 0,
      },
      startedAt: '2026-11-23T00:00:00.000Z',
      cases: CASES,
      unsupported: [],
      secretsManagerCallsPerVerification: 0,
      keyGeneration: [],
      targets: benchTargets(CASES, 0, undefined),
    };
    const lines = formatBench(results).split('\n');
    expect(lines).toContain('  MISSED ES256 sign JwtKeyRing (in-flight) / floor: 1.12 (<= 1.1)');
    expect(lines).toContain('  met    ES256 verify JwtKeyRing (sequential) / floor: 1.1 (<= 1.1)');
    expect(lines).toContain('  MISSED HS512 sign JwtKeyRing (in-flight) / floor: 1.6 (<= 1.5)');
    expect(lines).toContain(
      'load average (1, 5, 15 min): 1.50 1.00 0.50 at the start, 2.00 1.25 0.50 at the end',
    );
    // No key generation was asked for: no empty table.
    expect(lines.join('\n')).not.toContain('key generation');
  });
});
