/**
 * The HMAC fast path against jose (the reference): over the attack tokens, validly signed
 * tokens with random claims, the Wycheproof HMAC vectors and a fuzzed corpus, both make the same
 * decision and return the same payload, except where the key ring is deliberately stricter:
 * then it refuses with one of the codes listed, and jose may accept.
 */
import fc from 'fast-check';
import { jwtVerify } from 'jose';

import { type JwtKeyRingErrorCode } from '../../client';
import { importKeyDocument } from '../../lambda/rotation/import-key';

import { tokenMutation } from './mutations';
import { hmacToken, key, strictRing } from './support';

const NOW = Date.UTC(2026, 0, 1);
const now = NOW / 1000;
const K1 = key('k1', NOW);
const HEADER = { alg: 'HS256', kid: 'k1', typ: 'JWT' };

/** Where the ring refuses what jose accepts, on purpose. */
const STRICTER: Record<string, string> = {
  ERR_JWT_MALFORMED: 'non-canonical base64url (padding, stray characters, non-zero trailing bits)',
  ERR_JWT_TOO_LARGE: 'the size limit',
  ERR_JWT_TYP_INVALID: 'typ must be JWT when present',
  ERR_JWT_UNKNOWN_KID: 'the key is chosen by kid; jose was handed the key directly',
};

const ring = strictRing(K1, NOW);

type Decision = { accepted: true; payload: unknown } | { accepted: false; code: string };

async function ours(token: string): Promise<Decision> {
  try {
    const { payload } = await ring.verify(token);
    return { accepted: true, payload };
  } catch (error) {
    return { accepted: false, code: (error as { code: JwtKeyRingErrorCode }).code };
  }
}

async function jose(token: string): Promise<Decision> {
  try {
    const { payload } = await jwtVerify(token, (await importKeyDocument(K1)).verificationKey, {
      algorithms: ['HS256'],
      currentDate: new Date(NOW),
      clockTolerance: 60,
      issuer: 'https://issuer',
      audience: 'api',
      requiredClaims: ['exp'],
    });
    return { accepted: true, payload };
  } catch (error) {
    return { accepted: false, code: (error as { code: string }).code };
  }
}

/** Asserts agreement; returns the stricter refusals seen, by code. */
async function compare(tokens: readonly string[]): Promise<Record<string, number>> {
  const stricter: Record<string, number> = {};
  const disagreements: string[] = [];
  for (const token of tokens) {
    const [mine, reference] = await Promise.all([ours(token), jose(token)]);
    if (
      mine.accepted &&
      (!reference.accepted || JSON.stringify(mine.payload) !== JSON.stringify(reference.payload))
    ) {
      disagreements.push(
        `accepted what jose refused (${reference.accepted ? 'payload differs' : reference.code}): ${token}`,
      );
    }
    if (!mine.accepted && reference.accepted) {
      if (STRICTER[mine.code] === undefined)
        disagreements.push(`refused (${mine.code}) what jose accepted: ${token}`);
      stricter[mine.code] = (stricter[mine.code] ?? 0) + 1;
    }
  }
  expect(disagreements).toEqual([]);
  return stricter;
}

/** Valid claims and header, with up to two members changed or removed: both outcomes occur. */
const claimChange = fc.oneof(
  fc.record({
    member: fc.constantFrom('exp', 'nbf', 'iat'),
    value: fc.integer({ min: now - 200, max: now + 200 }),
  }),
  fc.record({
    member: fc.constantFrom('exp', 'iat', 'nbf'),
    value: fc.constantFrom<unknown>('x', null, undefined, [1]),
  }),
  fc.record({
    member: fc.constant('iss'),
    value: fc.constantFrom<unknown>('https://other', undefined, 1),
  }),
  fc.record({
    member: fc.constant('aud'),
    value: fc.constantFrom<unknown>('other', ['x', 'api'], ['x'], [], undefined),
  }),
  fc.record({ member: fc.constant('sub'), value: fc.string({ maxLength: 8 }) }),
);
const headerChange = fc.record({
  member: fc.constantFrom('alg', 'kid', 'typ', 'crit', 'jku', 'b64'),
  value: fc.constantFrom<unknown>(
    'HS512',
    'none',
    'k2',
    'at+jwt',
    'jwt',
    ['exp'],
    undefined,
    false,
  ),
});

function changed(
  base: Record<string, unknown>,
  changes: readonly { member: string; value: unknown }[],
): Record<string, unknown> {
  const result = { ...base };
  for (const { member, value } of changes) {
    if (value === undefined) delete result[member];
    else result[member] = value;
  }
  return result;
}

const signedToken = fc
  .tuple(fc.array(headerChange, { maxLength: 1 }), fc.array(claimChange, { maxLength: 2 }))
  .map(([headerChanges, claimChanges]) => {
    const h = changed(HEADER, headerChanges);
    const c = changed(
      { sub: 'u', iss: 'https://issuer', aud: 'api', iat: now, exp: now + 600 },
      claimChanges,
    );
    return hmacToken(h, c, K1, h.alg === 'HS512' ? 'sha512' : 'sha256');
  });

describe('differential: fast path vs jose', () => {
  it('decides like jose on validly signed tokens with random headers and claims', async () => {
    const tokens = fc.sample(signedToken, { numRuns: 3000, seed: 7 });
    const stricter = await compare(tokens);
    // The corpus must exercise both outcomes, or the comparison proves nothing.
    const accepted = (await Promise.all(tokens.map(ours))).filter(
      (decision) => decision.accepted,
    ).length;
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(tokens.length - 100);
    expect(Object.keys(stricter).every((code) => code in STRICTER)).toBe(true);
    // 3000 tokens through both verifiers: seconds of CPU, more on a loaded machine.
  }, 30_000);

  it('refuses invalid UTF-8 like jose, and a byte order mark that jose skips (stricter on purpose)', async () => {
    // GIVEN validly signed tokens whose header or payload bytes are not strict UTF-8 JSON
    const claims = JSON.stringify({ sub: 'u', iss: 'https://issuer', aud: 'api', exp: now + 600 });
    const header = JSON.stringify(HEADER);
    const invalid = [[0x80], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]];
    const withInvalid = (json: string, bytes: number[]): Buffer =>
      Buffer.concat([
        Buffer.from(json.slice(0, -1)),
        Buffer.from(',"x":"'),
        Buffer.from(bytes),
        Buffer.from('"}'),
      ]);
    const bom = (json: string): Buffer =>
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]);

    // WHEN / THEN invalid UTF-8: both refuse
    await compare(
      invalid.flatMap((bytes) => [
        hmacToken(withInvalid(header, bytes), claims, K1),
        hmacToken(header, withInvalid(claims, bytes), K1),
      ]),
    );
    // AND a BOM: jose accepts, the ring refuses as malformed
    for (const token of [hmacToken(bom(header), claims, K1), hmacToken(header, bom(claims), K1)]) {
      expect((await jose(token)).accepted).toBe(true);
      expect(await ours(token)).toMatchObject({
        accepted: false,
        code: expect.stringMatching(/^ERR_JWT_(MALFORMED|CLAIMS_MALFORMED)$/),
      });
    }
  });

  it('decides like jose on mutations of a valid token', async () => {
    const valid = hmacToken(
      HEADER,
      { sub: 'u', iss: 'https://issuer', aud: 'api', exp: now + 600 },
      K1,
    );
    const mutated = fc
      .sample(tokenMutation(), { numRuns: 3000, seed: 11 })
      .map((mutate) => mutate(valid));
    await compare([valid, ...mutated]);
  });
});
