/**
 * The asymmetric paths against jose (the reference), for each algorithm: validly signed tokens
 * with random headers and claims, and mutations of a valid token. jose is given the public JWK
 * alone. Both make the same decision and return the same payload, except where the key ring is
 * deliberately stricter: then it refuses with one of the codes listed, and jose may accept.
 */
import fc from 'fast-check';
import { importJWK, jwtVerify, type CryptoKey } from 'jose';

import { type JwtKeyRing } from '../../client';
import {
  ASYMMETRIC_ALGORITHMS,
  type AsymmetricAlgorithm,
  type AsymmetricKeyDocument,
  publicJwk,
} from '../../key-document';

import { tokenMutation } from './mutations';
import { asymmetricKey, asymmetricToken, strictRing } from './support';

const NOW = Date.UTC(2026, 0, 1);
const now = NOW / 1000;

/** Where the ring refuses what jose accepts, on purpose (as for HMAC: differential.test.ts). */
const STRICTER: Record<string, string> = {
  ERR_JWT_MALFORMED: 'non-canonical base64url (padding, stray characters, non-zero trailing bits)',
  ERR_JWT_TOO_LARGE: 'the size limit',
  ERR_JWT_TYP_INVALID: 'typ must be JWT when present',
  ERR_JWT_UNKNOWN_KID: 'the key is chosen by kid; jose was handed the key directly',
};

type Decision = { accepted: true; payload: unknown } | { accepted: false; code: string };

const claimChange = fc.oneof(
  fc.record({
    member: fc.constantFrom('exp', 'nbf', 'iat'),
    value: fc.integer({ min: now - 200, max: now + 200 }),
  }),
  fc.record({
    member: fc.constantFrom('exp', 'iat', 'nbf'),
    value: fc.constantFrom<unknown>('x', null, undefined),
  }),
  fc.record({ member: fc.constant('iss'), value: fc.constantFrom<unknown>('https://other', 1) }),
  fc.record({ member: fc.constant('aud'), value: fc.constantFrom<unknown>('other', ['api'], []) }),
);
const headerChange = fc.record({
  member: fc.constantFrom('alg', 'kid', 'typ', 'crit', 'jwk'),
  value: fc.constantFrom<unknown>(
    'ES256',
    'EdDSA',
    'Ed25519',
    'RS256',
    'HS256',
    'none',
    'k2',
    'jwt',
    ['exp'],
    undefined,
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

describe.each(ASYMMETRIC_ALGORITHMS)('differential: %s vs jose', (alg: AsymmetricAlgorithm) => {
  let document: AsymmetricKeyDocument;
  let ring: JwtKeyRing;
  let publicKey: CryptoKey;
  beforeAll(async () => {
    document = await asymmetricKey(alg, 'k1', NOW);
    ring = strictRing(document, NOW);
    publicKey = (await importJWK({ ...publicJwk(document) }, alg)) as CryptoKey;
  });

  async function ours(token: string): Promise<Decision> {
    try {
      return { accepted: true, payload: (await ring.verify(token)).payload };
    } catch (error) {
      return { accepted: false, code: (error as { code: string }).code };
    }
  }

  async function jose(token: string): Promise<Decision> {
    try {
      const { payload } = await jwtVerify(token, publicKey, {
        // RFC 9864's Ed25519 is EdDSA on Ed25519: both names for an Ed25519 key, as ours.
        algorithms: alg === 'EdDSA' ? ['EdDSA', 'Ed25519'] : [alg],
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

  /** Asserts agreement; returns how many tokens the ring accepted. */
  async function compare(tokens: readonly string[]): Promise<number> {
    const disagreements: string[] = [];
    let accepted = 0;
    for (const token of tokens) {
      const [mine, reference] = await Promise.all([ours(token), jose(token)]);
      if (mine.accepted) accepted += 1;
      if (
        mine.accepted &&
        (!reference.accepted || JSON.stringify(mine.payload) !== JSON.stringify(reference.payload))
      ) {
        disagreements.push(`accepted what jose refused: ${token}`);
      }
      if (!mine.accepted && reference.accepted && STRICTER[mine.code] === undefined) {
        disagreements.push(`refused (${mine.code}) what jose accepted: ${token}`);
      }
    }
    expect(disagreements).toEqual([]);
    return accepted;
  }

  const baseClaims = { sub: 'u', iss: 'https://issuer', aud: 'api', iat: now, exp: now + 600 };

  it('decides like jose on validly signed tokens with random headers and claims', async () => {
    // GIVEN tokens the key signed, with up to one header and two claim changes
    const tokens = fc
      .sample(
        fc.tuple(fc.array(headerChange, { maxLength: 1 }), fc.array(claimChange, { maxLength: 2 })),
        { numRuns: 300, seed: 7 },
      )
      .map(([headerChanges, claimChanges]) =>
        asymmetricToken(
          changed({ alg, kid: 'k1', typ: 'JWT' }, headerChanges),
          changed(baseClaims, claimChanges),
          document,
        ),
      );

    // WHEN / THEN the same decisions, and both outcomes occur
    const accepted = await compare(tokens);
    expect(accepted).toBeGreaterThan(30);
    expect(accepted).toBeLessThan(tokens.length - 30);
  });

  it('decides like jose on mutations of a valid token', async () => {
    // GIVEN a valid token and 1000 mutations of it
    const valid = asymmetricToken({ alg, kid: 'k1', typ: 'JWT' }, baseClaims, document);
    const mutated = fc
      .sample(tokenMutation(), { numRuns: 1000, seed: 11 })
      .map((mutate) => mutate(valid));

    // WHEN / THEN
    expect(await compare([valid, ...mutated])).toBeGreaterThan(0);
  });

  it('decides like jose on a DER-encoded signature (both refuse)', async () => {
    if (alg !== 'ES256') return;
    const der = asymmetricToken({ alg, kid: 'k1' }, baseClaims, document, { der: true });
    expect(await compare([der])).toBe(0);
  });
});
