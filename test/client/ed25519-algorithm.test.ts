/**
 * RFC 9864 names EdDSA on Ed25519 `Ed25519`, and jose 6 signs with that name. An Ed25519 key
 * verifies tokens that say `EdDSA` or `Ed25519`, and a key set entry of an Ed25519 key may say
 * either; we keep signing and publishing `EdDSA`. Interop: jose signs, JwtKeyRing (the key from
 * the secret) and JwksVerifier (the key from a key set on 127.0.0.1) verify.
 */
import { importJWK, SignJWT } from 'jose';

import { JwksVerifier, JwtKeyRing } from '../../client';
import { type AsymmetricKeyDocument, keyMembersOf, publicJwk } from '../../key-document';
import { type KeySetServer, startKeySetServer } from '../support/key-set-server';

import { asymmetricKey, fakeSecrets, SECRET_ID } from './support';

const NOW = Date.UTC(2026, 0, 1);
const ISSUER = 'https://issuer';

let document: AsymmetricKeyDocument;
let server: KeySetServer;

beforeAll(async () => {
  document = await asymmetricKey('EdDSA', 'k-ed', NOW);
  server = await startKeySetServer();
});

afterAll(async () => {
  await server.close();
});

/** A token jose signs with the document's private key, its header naming `alg`. */
async function joseToken(alg: 'Ed25519' | 'EdDSA'): Promise<string> {
  const key = await importJWK({ ...keyMembersOf(document) }, alg);
  return new SignJWT({ sub: `signed as ${alg}` })
    .setProtectedHeader({ alg, kid: document.kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setIssuedAt(NOW / 1000)
    .setExpirationTime(NOW / 1000 + 600)
    .sign(key);
}

function ring(): JwtKeyRing {
  const secrets = fakeSecrets();
  secrets.setKey('AWSCURRENT', document);
  return new JwtKeyRing({
    secretId: SECRET_ID,
    client: secrets.client,
    clock: () => NOW,
    issuer: ISSUER,
  });
}

/** A verifier of the key set on 127.0.0.1, the document's entry naming its algorithm `entryAlg`. */
function jwksVerifier(entryAlg: string): JwksVerifier {
  server.serveKeySet({ keys: [{ ...publicJwk(document), alg: entryAlg }] });
  return new JwksVerifier({ jwksUri: server.jwksUri, issuer: ISSUER, clock: () => NOW });
}

describe('Ed25519 (RFC 9864) and EdDSA: two names of one algorithm', () => {
  it.each(['Ed25519', 'EdDSA'] as const)(
    'JwtKeyRing verifies what jose signs as %s with the EdDSA document',
    async (alg) => {
      // GIVEN
      const token = await joseToken(alg);

      // WHEN
      const verified = await ring().verify(token);

      // THEN
      expect(verified).toMatchObject({
        payload: { sub: `signed as ${alg}` },
        protectedHeader: { alg },
        kid: document.kid,
      });
    },
  );

  it.each([
    ['Ed25519', 'Ed25519'],
    ['Ed25519', 'EdDSA'],
    ['EdDSA', 'Ed25519'],
    ['EdDSA', 'EdDSA'],
  ] as const)(
    'JwksVerifier verifies what jose signs as %s with a key set entry that says %s',
    async (tokenAlg, entryAlg) => {
      // GIVEN
      const verifier = jwksVerifier(entryAlg);
      const token = await joseToken(tokenAlg);

      // WHEN
      const verified = await verifier.verify(token);

      // THEN
      expect(verified).toMatchObject({
        payload: { sub: `signed as ${tokenAlg}` },
        kid: document.kid,
      });
    },
  );

  it('keeps signing with EdDSA, and publishing EdDSA', async () => {
    // WHEN
    const token = await ring().sign({ sub: 'user' });

    // THEN
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as {
      alg: string;
    };
    expect(header.alg).toBe('EdDSA');
    expect(publicJwk(document).alg).toBe('EdDSA');
  });

  it.each<[string, () => Promise<Record<string, unknown>>]>([
    ['an EC (P-256) key', async () => publicJwk(await asymmetricKey('ES256', 'k-other', NOW))],
    ['an RSA key', async () => publicJwk(await asymmetricKey('RS256', 'k-other', NOW))],
    ['an X25519 key', () => Promise.resolve({ ...publicJwk(document), crv: 'X25519' })],
  ])('refuses a key set entry of %s that says Ed25519', async (_name, entryOf) => {
    // GIVEN the entry, beside a usable one
    const entry = { ...(await entryOf()), kid: 'k-other', alg: 'Ed25519' };
    server.serveKeySet({ keys: [publicJwk(document), entry] });
    const warnings: Record<string, unknown>[] = [];
    const verifier = new JwksVerifier({
      jwksUri: server.jwksUri,
      issuer: ISSUER,
      clock: () => NOW,
      logger: { warn: (message, fields) => warnings.push({ message, ...fields }) },
    });

    // WHEN
    await verifier.refresh();

    // THEN it is skipped, with the reason
    expect(warnings).toEqual([
      expect.objectContaining({
        message: 'key set entry skipped',
        kid: 'k-other',
        reason: expect.stringMatching(
          /not a usable "Ed25519" key: EdDSA needs (kty|crv)/,
        ) as string,
      }),
    ]);
  });
});
