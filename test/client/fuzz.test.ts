/**
 * Fuzzing the verifier: mutated tokens (bit flips, truncation, base64url and JSON mutations of
 * header and payload, header field swaps), none re-signed. None may be accepted, and every
 * refusal must be the library's typed error. CI runs 5,000; FUZZ_RUNS=100000 for a large run.
 */
import fc from 'fast-check';

import { JwtKeyRing, JwtKeyRingError } from '../../client';

import { tokenMutation } from './mutations';
import { fakeSecrets, hmacToken, key } from './support';

const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);
const NOW = Date.UTC(2026, 0, 1);
const K1 = key('k1', NOW);
const K0 = key('k0', NOW - 86_400_000);

describe('fuzzing JwtKeyRing.verify', () => {
  it(`accepts none of ${RUNS} mutated tokens and throws only its typed errors`, async () => {
    // GIVEN a ring with a current and a previous key, and valid tokens of both
    const secrets = fakeSecrets();
    secrets.setKey('AWSCURRENT', K1);
    secrets.setKey('AWSPREVIOUS', K0);
    const ring = new JwtKeyRing({ secretId: 'app/jwt', client: secrets.client, clock: () => NOW });
    const claims = { sub: 'user', exp: NOW / 1000 + 600, iat: NOW / 1000 };
    const valid = [
      hmacToken({ alg: 'HS256', kid: 'k1' }, claims, K1),
      hmacToken({ alg: 'HS256', kid: 'k0', typ: 'JWT' }, claims, K0),
    ];
    for (const token of valid) await expect(ring.verify(token)).resolves.toBeDefined();

    // WHEN
    const outcomes = {
      mutated: 0,
      unchanged: 0,
      accepted: [] as string[],
      untyped: [] as string[],
      codes: {} as Record<string, number>,
    };
    const mutations = fc.sample(
      fc.tuple(
        fc.constantFrom(...valid),
        fc.array(tokenMutation(), { minLength: 1, maxLength: 3 }),
      ),
      {
        numRuns: RUNS,
        seed: 20261123,
      },
    );
    for (const [original, steps] of mutations) {
      const token = steps.reduce((current, mutate) => mutate(current), original);
      if (valid.includes(token)) {
        outcomes.unchanged += 1;
        continue;
      }
      outcomes.mutated += 1;
      try {
        await ring.verify(token);
        outcomes.accepted.push(token);
      } catch (error) {
        if (error instanceof JwtKeyRingError)
          outcomes.codes[error.code] = (outcomes.codes[error.code] ?? 0) + 1;
        else outcomes.untyped.push(`${String(error)}: ${token}`);
      }
    }

    // THEN
    expect(outcomes.accepted).toEqual([]);
    expect(outcomes.untyped).toEqual([]);
    expect(outcomes.mutated).toBeGreaterThan(RUNS * 0.95);
    console.log(
      `fuzz: ${outcomes.mutated} mutated tokens, 0 accepted, refusals by code ${JSON.stringify(outcomes.codes)}`,
    );
  }, 600_000);
});
