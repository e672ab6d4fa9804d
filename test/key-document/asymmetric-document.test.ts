/** Key documents of the asymmetric algorithms: made, serialized, parsed, and their public half. */
import fc from 'fast-check';

import {
  ASYMMETRIC_ALGORITHMS,
  type AsymmetricKeyDocument,
  type KeyDocumentError,
  type KeyDocumentErrorCode,
  makeKeyDocument,
  parseKeyDocument,
  PRIVATE_MEMBERS,
  publicJwk,
  publicJwkMembers,
  serializeKeyDocument,
} from '../../key-document';

import { codeOf } from './support';

const NOW = new Date('2026-01-01T00:00:00.000Z');

/** One key per algorithm, made once: RSA generation takes a while on a shared machine. */
const documents = new Map<string, AsymmetricKeyDocument>();
beforeAll(async () => {
  for (const alg of ASYMMETRIC_ALGORITHMS) {
    const document = await makeKeyDocument({
      alg,
      kid: `${alg}-1`,
      now: NOW,
      previousKeyGraceSeconds: 3600,
      nextKid: `${alg}-2`,
      previousKid: `${alg}-0`,
    });
    documents.set(alg, document as AsymmetricKeyDocument);
  }
});

function documentOf(alg: string): AsymmetricKeyDocument {
  return documents.get(alg)!;
}

const MEMBER_ORDER = {
  ES256: ['kty', 'alg', 'use', 'kid', 'crv', 'x', 'y', 'd'],
  EdDSA: ['kty', 'alg', 'use', 'kid', 'crv', 'x', 'd'],
  RS256: ['kty', 'alg', 'use', 'kid', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'],
};
const OURS = ['createdAt', 'previousKeyGraceSeconds', 'nextKid', 'previousKid'];

describe('Function: makeKeyDocument', () => {
  it.each(ASYMMETRIC_ALGORITHMS)(
    'makes a %s private JWK that serializes in a fixed order and parses back unchanged',
    (alg) => {
      // GIVEN
      const document = documentOf(alg);

      // WHEN
      const text = serializeKeyDocument(document);

      // THEN
      expect(Object.keys(JSON.parse(text) as object)).toEqual([...MEMBER_ORDER[alg], ...OURS]);
      expect(parseKeyDocument(text)).toEqual(document);
      expect(document).toMatchObject({ alg, use: 'sig', kid: `${alg}-1`, nextKid: `${alg}-2` });
    },
  );

  it('makes RS256 keys of the modulus asked for', async () => {
    // WHEN
    const document = await makeKeyDocument({
      alg: 'RS256',
      kid: 'k',
      now: NOW,
      rsaModulusBits: 3072,
    });

    // THEN
    expect(Buffer.from((document as { n: string }).n, 'base64url')).toHaveLength(384);
  });

  it('makes HMAC keys as generateKeyDocument does: 64 random bytes', async () => {
    const document = await makeKeyDocument({ alg: 'HS384', kid: 'k', now: NOW });
    expect(Buffer.from((document as { k: string }).k, 'base64url')).toHaveLength(64);
  });
});

describe('Function: publicJwk', () => {
  it.each(ASYMMETRIC_ALGORITHMS)(
    'gives exactly the public members of %s with kid, alg and use',
    (alg) => {
      // GIVEN
      const document = documentOf(alg);

      // WHEN
      const jwk = publicJwk(document);

      // THEN
      const publicMembers = MEMBER_ORDER[alg].filter(
        (member) => !(PRIVATE_MEMBERS as readonly string[]).includes(member),
      );
      expect(Object.keys(jwk).sort()).toEqual([...publicMembers].sort());
      expect(jwk).toMatchObject({ kid: `${alg}-1`, alg, use: 'sig' });
    },
  );

  it.each(ASYMMETRIC_ALGORITHMS)(
    'writes exactly the members publicJwkMembers lists for %s, in its order',
    (alg) => {
      // GIVEN
      const document = documentOf(alg);

      // WHEN
      const jwk = publicJwk(document);

      // THEN
      expect(Object.keys(jwk)).toEqual(publicJwkMembers(document.kty));
    },
  );

  it.each(['oct', 'constructor', 'toString', ''])('lists no member for kty %j', (kty) => {
    expect(publicJwkMembers(kty)).toBeUndefined();
  });

  it('never carries a private member nor one of ours, for any generated document', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ASYMMETRIC_ALGORITHMS),
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.option(fc.string({ minLength: 1, maxLength: 64 }), { nil: undefined }),
        async (alg, kid, grace, nextKid) => {
          // GIVEN any document the module makes
          const document = await makeKeyDocument({
            alg,
            kid,
            now: NOW,
            ...(grace !== undefined && { previousKeyGraceSeconds: grace }),
            ...(nextKid !== undefined && nextKid !== kid && { nextKid }),
          });

          // WHEN its public half is taken
          const jwk = publicJwk(document as AsymmetricKeyDocument) as Record<string, unknown>;

          // THEN no member of it is private or ours, and no value is a private member's
          for (const member of [...PRIVATE_MEMBERS, ...OURS]) expect(jwk[member]).toBeUndefined();
          const secrets = PRIVATE_MEMBERS.map(
            (member) => (document as unknown as Record<string, unknown>)[member],
          ).filter((value) => value !== undefined);
          expect(Object.values(jwk).filter((value) => secrets.includes(value as string))).toEqual(
            [],
          );
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe('Function: parseKeyDocument (asymmetric)', () => {
  const variants: [
    string,
    string,
    (document: Record<string, unknown>) => object,
    KeyDocumentErrorCode,
  ][] = [
    ['ES256 with kty RSA', 'ES256', (d) => ({ ...d, kty: 'RSA' }), 'ERR_KEY_DOCUMENT_WRONG_KTY'],
    ['RS256 with kty EC', 'RS256', (d) => ({ ...d, kty: 'EC' }), 'ERR_KEY_DOCUMENT_WRONG_KTY'],
    ['EdDSA with kty EC', 'EdDSA', (d) => ({ ...d, kty: 'EC' }), 'ERR_KEY_DOCUMENT_WRONG_KTY'],
    ['HS256 with kty EC', 'ES256', (d) => ({ ...d, alg: 'HS256' }), 'ERR_KEY_DOCUMENT_WRONG_KTY'],
    ['kty EC with ES384', 'ES256', (d) => ({ ...d, alg: 'ES384' }), 'ERR_KEY_DOCUMENT_WRONG_ALG'],
    ['kty RSA with PS256', 'RS256', (d) => ({ ...d, alg: 'PS256' }), 'ERR_KEY_DOCUMENT_WRONG_ALG'],
    [
      'kty OKP with alg none',
      'EdDSA',
      (d) => ({ ...d, alg: 'none' }),
      'ERR_KEY_DOCUMENT_WRONG_ALG',
    ],
    // RFC 9864's name of EdDSA on Ed25519: verifiers take it in tokens and key set entries, but
    // a document is what the rotation publishes and signs with, and keeps EdDSA (parse.ts).
    [
      'kty OKP with alg Ed25519 (RFC 9864)',
      'EdDSA',
      (d) => ({ ...d, alg: 'Ed25519' }),
      'ERR_KEY_DOCUMENT_WRONG_ALG',
    ],
    [
      'a public key (no d)',
      'ES256',
      (d) => ({ ...d, d: undefined }),
      'ERR_KEY_DOCUMENT_MISSING_KEY',
    ],
    ['RSA without qi', 'RS256', (d) => ({ ...d, qi: undefined }), 'ERR_KEY_DOCUMENT_MISSING_KEY'],
    ['EC on P-384', 'ES256', (d) => ({ ...d, crv: 'P-384' }), 'ERR_KEY_DOCUMENT_BAD_KEY'],
    ['Ed448', 'EdDSA', (d) => ({ ...d, crv: 'Ed448' }), 'ERR_KEY_DOCUMENT_BAD_KEY'],
    [
      'padded base64url',
      'EdDSA',
      (d) => ({ ...d, x: `${String(d.x)}=` }),
      'ERR_KEY_DOCUMENT_BAD_KEY',
    ],
    [
      'x and y swapped (a point off the curve)',
      'ES256',
      (d) => ({ ...d, x: d.y, y: d.x }),
      'ERR_KEY_DOCUMENT_BAD_KEY',
    ],
    ['multi-prime RSA (oth)', 'RS256', (d) => ({ ...d, oth: [] }), 'ERR_KEY_DOCUMENT_BAD_KEY'],
    ['use enc', 'RS256', (d) => ({ ...d, use: 'enc' }), 'ERR_KEY_DOCUMENT_WRONG_USE'],
  ];

  it.each(variants)('fails when the document is %s', (_case, alg, change, code) => {
    // GIVEN a valid document, changed
    const text = JSON.stringify(change({ ...documentOf(alg) }));

    // WHEN / THEN
    expect(codeOf(() => parseKeyDocument(text))).toBe(code);
  });

  it('fails on an RSA modulus of 1024 bits with a message that quotes no key member', async () => {
    // GIVEN a 1024-bit key (node:crypto still makes them)
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', kid: 'small' };

    // WHEN
    let error: KeyDocumentError | undefined;
    try {
      parseKeyDocument(JSON.stringify(jwk), { source: 'secret "s" (AWSCURRENT)' });
    } catch (caught) {
      error = caught as KeyDocumentError;
    }

    // THEN
    expect(error?.code).toBe('ERR_KEY_DOCUMENT_BAD_KEY');
    expect(error?.message).toMatch(/^secret "s" \(AWSCURRENT\): .*1024/);
    for (const member of ['n', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const) {
      expect(error?.message).not.toContain(String(jwk[member]).slice(0, 16));
    }
  });
});
