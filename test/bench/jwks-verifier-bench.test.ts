/**
 * The JWKS case of `npm run bench` (issue 16): JwksVerifier, jose's remote JWKS verifier and
 * fast-jwt next to the node:crypto floor for each algorithm and mode, and the HTTP fetches
 * counted at the server. A tiny run: nothing here judges speed; the fetch counts run on an
 * injected clock, so they are exact.
 */
import {
  formatJwksVerifierBench,
  type JwksBenchResults,
  MAX_AGE_SECONDS,
  runJwksVerifierBench,
  UNKNOWN_KID_REFRESH_INTERVAL_MS,
} from '../../bench/jwks-verifier-bench';
import { JWKS_VERIFIER_RATIO_LIMIT } from '../../bench/targets';

const ALGORITHMS = ['ES256', 'EdDSA', 'RS256'] as const;
const LIBRARIES = ['floor', 'JwksVerifier', 'jose (remote JWKS)', 'fast-jwt (key fetcher)'];
const SIMULATED_MS = 20 * 60_000;
const FLOOD_TOKENS = 500;
const FLOOD_BURST = 5;

describe('npm run bench: JWKS verifiers', () => {
  let results: JwksBenchResults;

  beforeAll(async () => {
    results = await runJwksVerifierBench({
      algorithms: ALGORITHMS,
      rounds: 1,
      batchMs: 1,
      inFlight: 8,
      simulatedMs: SIMULATED_MS,
      floodTokens: FLOOD_TOKENS,
      floodBurst: FLOOD_BURST,
    });
  }, 120_000);

  it('measures each verifier against the floor, per algorithm and mode, the floor first', () => {
    for (const mode of ['sequential', 'in-flight']) {
      expect(results.cases.filter((each) => each.mode === mode).map((each) => each.name)).toEqual(
        ALGORITHMS.flatMap((alg) => LIBRARIES.map((library) => `${alg} JWKS ${library}`)),
      );
    }
    for (const each of results.cases) expect(each.medianNs).toBeGreaterThan(0);
  });

  it('fetches nothing per verification once the set is cached', () => {
    expect(results.fetches.timedVerifications).toBeGreaterThan(0);
    expect(results.fetches.perVerification).toBe(0);
  });

  it('counts the fetches over injected time against one per max-age (+ the first)', () => {
    const { overTime } = results.fetches;
    const periods = SIMULATED_MS / (MAX_AGE_SECONDS * 1000);
    expect(overTime.verifications).toBe(SIMULATED_MS / 1000 + 1);
    expect(overTime.limit).toBe(periods + 1);
    // It does refresh: once per period at least, or the count would prove nothing.
    expect(overTime.fetches).toBeGreaterThanOrEqual(periods);
  });

  it('refuses every unknown kid, fetching at most once per refresh interval', () => {
    const flood = results.fetches.unknownKidFlood;
    expect(flood.refused).toBe(FLOOD_TOKENS);
    // One second of injected time between bursts.
    expect(flood.simulatedMs).toBe((FLOOD_TOKENS / FLOOD_BURST - 1) * 1000);
    expect(flood.limit).toBe(Math.floor(flood.simulatedMs / UNKNOWN_KID_REFRESH_INTERVAL_MS) + 1);
    expect(flood.fetches).toBeGreaterThanOrEqual(1);
    expect(flood.fetches).toBeLessThanOrEqual(flood.limit);
  });

  it('judges the 1.1x target per algorithm and mode and the fetch counts, and prints them', () => {
    const ratios = results.targets.filter((target) => target.name.endsWith(' / floor'));
    expect(ratios).toHaveLength(ALGORITHMS.length * 2);
    for (const target of ratios) {
      expect(target.limit).toBe(`<= ${JWKS_VERIFIER_RATIO_LIMIT}`);
      expect(target.met).toBe(target.value <= JWKS_VERIFIER_RATIO_LIMIT);
    }
    const overTime = results.targets.find((target) => target.name.includes('max-age'));
    expect(overTime?.met).toBe(results.fetches.overTime.fetches <= results.fetches.overTime.limit);
    const text = formatJwksVerifierBench(results);
    expect(text).toContain('0 per verification');
    expect(text).toContain(`${FLOOD_TOKENS} refused ERR_JWT_UNKNOWN_KID`);
    expect(text).toContain('JWKS targets:');
  });
});
