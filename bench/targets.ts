/**
 * What the bench is held to, judged from its results. A missed target is reported (MISSED in
 * the table, met: false in latest.json), never a failure: the bench measures, tests decide.
 */
import { isHmacAlgorithm } from '../key-document';

import { type Measurement } from './harness';
// eslint-disable-next-line local/type-import-cycles -- removed when the circle is broken
import { type JwksFetchCounts } from './jwks-verifier-bench';
import { type LambdaBundleResults } from './lambda-bundle';

export interface Target {
  readonly name: string;
  readonly limit: string;
  readonly value: number;
  readonly met: boolean;
}

/**
 * JwtKeyRing against the node:crypto floor of the same algorithm, operation and mode. For the
 * asymmetric algorithms the curve or modulus arithmetic dominates and the wrapper must not
 * (issue 15): 1.1×. An HMAC costs a few microseconds, so the ring's fixed work (kid lookup,
 * canonical base64url, strict UTF-8, claims) weighs more there: 1.5×.
 */
export function ringRatioLimit(alg: string): number {
  return isHmacAlgorithm(alg) ? 1.5 : 1.1;
}

const RING_CASE = /^(\S+) (verify|sign) JwtKeyRing$/;

export function benchTargets(
  cases: readonly Measurement[],
  callsPerVerification: number,
  lambda: LambdaBundleResults | undefined,
): Target[] {
  const list: Target[] = [];
  for (const result of cases) {
    const alg = RING_CASE.exec(result.name)?.[1];
    if (alg === undefined) continue;
    const limit = ringRatioLimit(alg);
    list.push({
      name: `${result.name} (${result.mode}) / floor`,
      limit: `<= ${limit}`,
      value: result.ratioToBaseline,
      met: result.ratioToBaseline <= limit,
    });
  }
  list.push({
    name: 'Secrets Manager calls per verification (steady state)',
    limit: '= 0',
    value: callsPerVerification,
    met: callsPerVerification === 0,
  });
  if (lambda !== undefined) {
    list.push(
      {
        name: 'rotation Lambda bundle, gzip KB',
        limit: '<= 100',
        value: lambda.rotation.gzipBytes / 1024,
        met: lambda.rotation.gzipBytes <= 100 * 1024,
      },
      {
        name: 'rotation Lambda load time / reference',
        limit: '<= 1.1',
        value: lambda.loadRatio,
        met: lambda.loadRatio <= 1.1,
      },
    );
  }
  return list;
}

/**
 * The verify-only client against the node:crypto floor (issue 16): the key set is cached, so a
 * verification is the signature and the claims, as the floor's: 1.1×. And its HTTP fetches:
 * none per verification, at most one per max-age, at most one per unknown-kid refresh interval.
 */
export const JWKS_VERIFIER_RATIO_LIMIT = 1.1;

export function jwksVerifierTargets(
  cases: readonly Measurement[],
  fetches: JwksFetchCounts,
): Target[] {
  const list: Target[] = cases
    .filter((result) => result.name.endsWith(' JWKS JwksVerifier'))
    .map((result) => ({
      name: `${result.name} (${result.mode}) / floor`,
      limit: `<= ${JWKS_VERIFIER_RATIO_LIMIT}`,
      value: result.ratioToBaseline,
      met: result.ratioToBaseline <= JWKS_VERIFIER_RATIO_LIMIT,
    }));
  const { overTime, unknownKidFlood } = fetches;
  list.push(
    {
      name: 'JwksVerifier HTTP fetches per verification (after warm-up)',
      limit: '= 0',
      value: fetches.perVerification,
      met: fetches.perVerification === 0,
    },
    {
      name: `JwksVerifier fetches over ${overTime.simulatedMs / 60_000} min at max-age=${overTime.maxAgeSeconds}`,
      limit: `<= ${overTime.limit}`,
      value: overTime.fetches,
      met: overTime.fetches <= overTime.limit,
    },
    {
      name: `JwksVerifier fetches for ${unknownKidFlood.tokens} unknown kids over ${unknownKidFlood.simulatedMs / 1000} s`,
      limit: `<= ${unknownKidFlood.limit}`,
      value: unknownKidFlood.fetches,
      met:
        unknownKidFlood.fetches <= unknownKidFlood.limit &&
        unknownKidFlood.refused === unknownKidFlood.tokens,
    },
  );
  return list;
}
