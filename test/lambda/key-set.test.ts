/**
 * The key set's documents, built with no I/O: every object is parsed back as a verifier reads
 * it, holds exactly the public half of each key (property test over generated documents of each
 * asymmetric algorithm, with stray members of any name added), and an HMAC key is never
 * published. The checks that guard every write refuse each kind of bad entry.
 */
import { createPrivateKey, createPublicKey, type JsonWebKey, sign, verify } from 'node:crypto';

import fc from 'fast-check';

import {
  type AsymmetricKeyDocument,
  generateKeyDocument,
  type KeyDocument,
  makeKeyDocument,
  PRIVATE_MEMBERS,
  publicJwk,
} from '../../key-document';
import { RotationError } from '../../lambda/rotation/errors';
import {
  jwksProblem,
  keySetObjects,
  openIdConfigurationProblem,
} from '../../lambda/rotation/key-set';

const ISSUER = 'https://d111111abcdef8.cloudfront.net';
const ALGORITHMS = ['ES256', 'EdDSA', 'RS256'] as const;
const PUBLIC_MEMBERS = {
  EC: ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'],
  OKP: ['alg', 'crv', 'kid', 'kty', 'use', 'x'],
  RSA: ['alg', 'e', 'kid', 'kty', 'n', 'use'],
} as const;

/** A few keys per algorithm, made once: RSA generation is too slow for every run. */
let pool: Record<(typeof ALGORITHMS)[number], AsymmetricKeyDocument[]>;

beforeAll(async () => {
  const make = async (alg: (typeof ALGORITHMS)[number], index: number) =>
    (await makeKeyDocument({
      alg,
      kid: `${alg}-${index}`,
      now: new Date(Date.UTC(2026, 0, 1 + index)),
      previousKeyGraceSeconds: 3600,
      nextKid: `${alg}-next-${index}`,
    })) as AsymmetricKeyDocument;
  pool = { ES256: [], EdDSA: [], RS256: [] };
  for (const alg of ALGORITHMS) {
    for (let index = 0; index < 3; index += 1) pool[alg].push(await make(alg, index));
  }
}, 60_000);

function parsedObjects(documents: readonly AsymmetricKeyDocument[], algorithm = documents[0]!.alg) {
  const objects = keySetObjects({ issuer: ISSUER, algorithm }, documents);
  return {
    paths: objects.map((object) => [object.path, object.objectKey]),
    jwks: JSON.parse(objects[0]!.body) as { keys: Record<string, unknown>[] },
    discovery: JSON.parse(objects[1]!.body) as Record<string, unknown>,
  };
}

describe('Function: keySetObjects', () => {
  it('writes the JWKS and the discovery document at their paths, without a leading slash in S3', () => {
    // WHEN
    const { paths, discovery } = parsedObjects(pool.ES256.slice(0, 1));

    // THEN
    expect(paths).toEqual([
      ['/.well-known/jwks.json', '.well-known/jwks.json'],
      ['/.well-known/openid-configuration', '.well-known/openid-configuration'],
    ]);
    expect(discovery).toEqual({
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });

  it('holds exactly the public half of each key, once per kid, for any mix of keys and stray members', () => {
    // GIVEN documents of each algorithm, repeated and reordered, some carrying extra members of
    // any name (a future member of ours, a JOSE member, a private member's name)
    const strayName = fc.oneof(
      fc.constantFrom(...PRIVATE_MEMBERS, 'key_ops', 'x5c', 'createdAt', 'nextKid', 'ext'),
      fc.string({ minLength: 1, maxLength: 8 }),
    );
    const documentArbitrary = fc
      .tuple(
        fc.constantFrom(...ALGORITHMS),
        fc.nat({ max: 2 }),
        fc.dictionary(strayName, fc.string(), { maxKeys: 4 }),
      )
      .map(
        ([alg, index, stray]) =>
          ({ ...stray, ...pool[alg][index]! }) as unknown as AsymmetricKeyDocument,
      );

    fc.assert(
      fc.property(
        fc.array(documentArbitrary, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(...ALGORITHMS),
        (documents, configured) => {
          // WHEN
          const { jwks, discovery } = parsedObjects(documents, configured);

          // THEN one entry per kid, in first-seen order, each the key's public half exactly
          const kids = [...new Set(documents.map((document) => document.kid))];
          expect(jwks.keys.map((entry) => entry.kid)).toEqual(kids);
          for (const entry of jwks.keys) {
            const source = documents.find((document) => document.kid === entry.kid)!;
            expect(Object.keys(entry).sort()).toEqual([...PUBLIC_MEMBERS[source.kty]]);
            expect(entry).toEqual({ ...publicJwk(source) });
            expect(entry).toMatchObject({ kid: source.kid, alg: source.alg, use: 'sig' });
            for (const member of PRIVATE_MEMBERS) expect(entry).not.toHaveProperty(member);
          }
          // AND the discovery document names the configured algorithm first, then the others
          expect(discovery.id_token_signing_alg_values_supported).toEqual([
            ...new Set([configured, ...documents.map((document) => document.alg)]),
          ]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each(ALGORITHMS)('publishes %s keys that verify what their private half signs', (alg) => {
    // GIVEN
    const document = pool[alg][0]!;
    const { jwks } = parsedObjects([document]);
    const digest = alg === 'EdDSA' ? null : 'sha256';
    const data = Buffer.from('signed by the private half');
    const signature = sign(
      digest,
      data,
      createPrivateKey({ key: document as unknown as JsonWebKey, format: 'jwk' }),
    );

    // WHEN the published entry is imported as a public key
    const publicKey = createPublicKey({ key: jwks.keys[0] as JsonWebKey, format: 'jwk' });

    // THEN it is the key's public half
    expect(publicKey.type).toBe('public');
    expect(verify(digest, data, publicKey, signature)).toBe(true);
  });

  it.each(['HS256', 'HS384', 'HS512'] as const)('fails when asked to publish an %s key', (alg) => {
    // GIVEN an HMAC document among asymmetric ones
    const hmac = generateKeyDocument({ alg, kid: 'shared', now: new Date() });
    const documents = [pool.ES256[0]!, hmac as KeyDocument] as AsymmetricKeyDocument[];

    // WHEN / THEN nothing is built, and the message carries no key material
    const error = thrownBy(() => keySetObjects({ issuer: ISSUER, algorithm: 'ES256' }, documents));
    expect(error).toBeInstanceOf(RotationError);
    expect(error).toMatchObject({ code: 'ERR_KEY_SET_INVALID' });
    expect((error as Error).message).toMatch(/kid shared is an HS\d{3} key: never published/);
    expect((error as Error).message).not.toContain(hmac.k);
  });

  it('fails when the issuer cannot name the key set', () => {
    expect(() =>
      keySetObjects({ issuer: `${ISSUER}/`, algorithm: 'ES256' }, pool.ES256.slice(0, 1)),
    ).toThrow(expect.objectContaining({ code: 'ERR_KEY_SET_INVALID' }));
  });

  it('writes an empty set when no key is publishable yet', () => {
    expect(parsedObjects([], 'RS256').jwks).toEqual({ keys: [] });
  });
});

describe('Function: jwksProblem', () => {
  const entry = (): Record<string, unknown> => ({ ...publicJwk(pool.ES256[0]!) });

  it('accepts the public halves', () => {
    expect(
      jwksProblem({ keys: ALGORITHMS.map((alg) => ({ ...publicJwk(pool[alg][0]!) })) }),
    ).toBeUndefined();
  });

  it.each([
    [
      'a private member',
      () => ({ keys: [{ ...entry(), d: 'AAAA' }] }),
      /holds the private member "d"/,
    ],
    [
      'an RSA private member',
      () => ({ keys: [{ ...publicJwk(pool.RS256[0]!), qi: 'AAAA' }] }),
      /private member "qi"/,
    ],
    [
      'a symmetric key',
      () => ({ keys: [{ kty: 'oct', k: 'AAAA', kid: 'x' }] }),
      /private member "k"/,
    ],
    ['multi-prime members', () => ({ keys: [{ ...entry(), oth: [] }] }), /private member "oth"/],
    ['a member of ours', () => ({ keys: [{ ...entry(), createdAt: 'x' }] }), /does not: createdAt/],
    ['another JOSE member', () => ({ keys: [{ ...entry(), x5c: ['x'] }] }), /does not: x5c/],
    ['no kid', () => ({ keys: [{ ...entry(), kid: undefined }] }), /lacks kid/],
    ['an encryption key', () => ({ keys: [{ ...entry(), use: 'enc' }] }), /use "sig"/],
    ['an HMAC alg', () => ({ keys: [{ ...entry(), alg: 'HS256' }] }), /unpublishable alg/],
    ['an unknown kty', () => ({ keys: [{ ...entry(), kty: 'oct' }] }), /unpublishable kty/],
    ['a repeated kid', () => ({ keys: [entry(), entry()] }), /repeated kid/],
    ['a member besides keys', () => ({ keys: [], d: 'x' }), /besides "keys": d/],
    ['no keys array', () => ({ keys: {} }), /must be \{ "keys"/],
    ['an entry that is not an object', () => ({ keys: ['x'] }), /entry 0 is not an object/],
  ])('refuses %s', (_, jwks, problem) => {
    // (the table is built before beforeAll makes the keys: each row builds its set when run)
    expect(jwksProblem(jwks())).toMatch(problem);
  });
});

describe('Function: openIdConfigurationProblem', () => {
  const good = {
    issuer: ISSUER,
    jwks_uri: `${ISSUER}/.well-known/jwks.json`,
    id_token_signing_alg_values_supported: ['RS256'],
  };

  it('accepts the discovery document', () => {
    expect(openIdConfigurationProblem(good)).toBeUndefined();
  });

  it.each([
    ['an http issuer', { ...good, issuer: 'http://d111111abcdef8.cloudfront.net' }, /https/],
    [
      'a jwks_uri on another host',
      { ...good, jwks_uri: 'https://x.example/.well-known/jwks.json' },
      /jwks_uri/,
    ],
    ['no algorithm', { ...good, id_token_signing_alg_values_supported: [] }, /algorithms/],
    [
      'an HMAC algorithm',
      { ...good, id_token_signing_alg_values_supported: ['HS256'] },
      /algorithms/,
    ],
  ])('refuses %s', (_, document, problem) => {
    expect(openIdConfigurationProblem(document)).toMatch(problem);
  });
});

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}
