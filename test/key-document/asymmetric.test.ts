import { generateKeyPairSync } from 'node:crypto';

import {
  ASYMMETRIC_ALGORITHMS,
  type AsymmetricAlgorithm,
  asymmetricKeyProblem,
  generateAsymmetricJwk,
  PRIVATE_MEMBERS,
  publicMembers,
} from '../../key-document/asymmetric';

const KEY_TYPES = { ES256: 'EC', EdDSA: 'OKP', RS256: 'RSA' } as const;

async function jwkFor(alg: AsymmetricAlgorithm): Promise<Record<string, unknown>> {
  return { kty: KEY_TYPES[alg], ...(await generateAsymmetricJwk(alg)) };
}

describe('asymmetric key documents', () => {
  it.each(ASYMMETRIC_ALGORITHMS)('generates a usable %s key', async (alg) => {
    // WHEN
    const jwk = await jwkFor(alg);

    // THEN
    expect(asymmetricKeyProblem(alg, jwk)).toBeUndefined();
  });

  // 4096 bits works the same way and takes seconds on this machine: npm run bench reports it.
  it('generates RSA keys of 3072 bits', async () => {
    const jwk: Record<string, string> = {
      kty: 'RSA',
      ...(await generateAsymmetricJwk('RS256', { modulusBits: 3072 })),
    };
    expect(Buffer.from(String(jwk.n), 'base64url').length * 8).toBe(3072);
    expect(asymmetricKeyProblem('RS256', jwk)).toBeUndefined();
  });

  it.each([
    ['ES256', ['x', 'y']],
    ['EdDSA', ['x']],
    ['RS256', ['n']],
  ] as const)(
    'fails when the public members of a %s key belong to another key',
    async (alg, members) => {
      // GIVEN two keys, and the first one's private members with the second one's public ones
      const [mine, other] = [await jwkFor(alg), await jwkFor(alg)];
      const mixed = { ...mine, ...Object.fromEntries(members.map((m) => [m, other[m]])) };

      // WHEN / THEN
      expect(asymmetricKeyProblem(alg, mixed)).toMatch(
        /public members do not belong|do not form a valid key/,
      );
    },
  );

  it.each<
    [string, AsymmetricAlgorithm, (jwk: Record<string, unknown>) => Record<string, unknown>, RegExp]
  >([
    ['kty of another algorithm', 'ES256', (jwk) => ({ ...jwk, kty: 'RSA' }), /needs kty "EC"/],
    ['another curve', 'ES256', (jwk) => ({ ...jwk, crv: 'P-384' }), /needs crv "P-256"/],
    ['an X25519 key', 'EdDSA', (jwk) => ({ ...jwk, crv: 'X25519' }), /needs crv "Ed25519"/],
    ['a missing d', 'ES256', ({ d: _d, ...jwk }) => jwk, /d must be canonical/],
    ['a padded x', 'EdDSA', (jwk) => ({ ...jwk, x: `${String(jwk.x)}=` }), /x must be canonical/],
    ['a short coordinate', 'ES256', (jwk) => ({ ...jwk, y: 'AAAA' }), /y must be 32 bytes/],
    ['multi-prime RSA', 'RS256', (jwk) => ({ ...jwk, oth: [] }), /oth/],
    ['an even exponent', 'RS256', (jwk) => ({ ...jwk, e: 'AQAA' }), /odd public exponent/],
  ])('fails on %s', async (_name, alg, change, problem) => {
    const jwk = change(await jwkFor(alg));
    expect(asymmetricKeyProblem(alg, jwk)).toMatch(problem);
  });

  it('fails on an RSA modulus shorter than 2048 bits', () => {
    const jwk = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      format: 'jwk',
    });
    expect(asymmetricKeyProblem('RS256', jwk as Record<string, unknown>)).toMatch(
      /2048 to 8192 bits, got 1024/,
    );
  });

  it.each(ASYMMETRIC_ALGORITHMS)(
    'derives a public half of %s with no private member',
    async (alg) => {
      for (let round = 0; round < (alg === 'RS256' ? 3 : 25); round += 1) {
        const jwk = await jwkFor(alg);
        const half = publicMembers(jwk);
        expect(
          Object.keys(half).filter((m) => (PRIVATE_MEMBERS as readonly string[]).includes(m)),
        ).toEqual([]);
        expect(half.kty).toBe(KEY_TYPES[alg]);
      }
    },
  );
});
