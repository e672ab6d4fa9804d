/**
 * A weak Ed25519 public key (small order, or a non-canonical encoding) never verifies: a key set
 * entry holding one is skipped with its reason, and a key document holding one is refused. The
 * forged token is the one anyone can make without a private key: signature R = the identity,
 * S = 0, under the identity key `AQAA…AAAA`.
 */
import { generateKeyPairSync } from 'node:crypto';

import { JwksVerifier, JwtKeyRing } from '../../client';
import { parseKeySet } from '../../client/key-set';
import { publicJwk } from '../../key-document';
import {
  FORGED_ED25519_SIGNATURE,
  NON_CANONICAL_ED25519,
  SMALL_ORDER_ED25519,
} from '../support/weak-ed25519-keys';

import { asymmetricKey, compact, fakeSecrets, SECRET_ID } from './support';

const NOW = Date.UTC(2026, 0, 1);
const CLAIMS = { sub: 'admin', exp: NOW / 1000 + 600 };
const IDENTITY_X = Buffer.from(SMALL_ORDER_ED25519[0]![1], 'hex').toString('base64url');
/** The key set entry of the report: the identity point, as a published EdDSA key. */
const WEAK_ENTRY = { kty: 'OKP', crv: 'Ed25519', x: IDENTITY_X, kid: 'h', alg: 'EdDSA' };

function forgedToken(kid: string): string {
  return compact({ alg: 'EdDSA', kid }, CLAIMS, FORGED_ED25519_SIGNATURE.toString('base64url'));
}

function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: { code?: string }) => error.code ?? String(error),
  );
}

describe('weak Ed25519 public keys', () => {
  it('JwksVerifier skips the weak entry, reports why, and refuses the forged token', async () => {
    // GIVEN a key set holding a valid key and the weak entry
    const valid = await asymmetricKey('ES256', 'k1', NOW);
    const warnings: Record<string, unknown>[] = [];
    const verifier = new JwksVerifier({
      jwksUri: 'https://keys.example/.well-known/jwks.json',
      fetch: () => Promise.resolve(Response.json({ keys: [publicJwk(valid), WEAK_ENTRY] })),
      clock: () => NOW,
      logger: { warn: (message, fields) => warnings.push({ message, ...fields }) },
    });

    // WHEN
    const code = await codeOf(verifier.verify(forgedToken('h')));

    // THEN the token names no usable key, and the entry was reported skipped, with its reason
    expect(code).toBe('ERR_JWT_UNKNOWN_KID');
    expect(warnings).toContainEqual(
      expect.objectContaining({
        message: 'key set entry skipped',
        kid: 'h',
        reason: expect.stringMatching(/small order/) as string,
      }),
    );
  });

  it.each([...SMALL_ORDER_ED25519, ...NON_CANONICAL_ED25519])(
    'a key set entry whose x is %s is skipped, with its reason',
    (_name, hex) => {
      // GIVEN the entry, beside a valid one (a set with no usable key is refused whole)
      const good = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
      const x = Buffer.from(hex, 'hex').toString('base64url');

      // WHEN
      const { keys, skipped } = parseKeySet(
        {
          keys: [
            { ...good, kid: 'good', alg: 'EdDSA' },
            { ...WEAK_ENTRY, x },
          ],
        },
        'test set',
      );

      // THEN
      expect([...keys.keys()]).toEqual(['good']);
      expect(skipped).toEqual([
        {
          index: 1,
          kid: 'h',
          reason: expect.stringMatching(/small order|not a canonical encoding/) as string,
        },
      ]);
    },
  );

  it('JwtKeyRing refuses a key document whose x is the identity, and so the forged token', async () => {
    // GIVEN an AWSCURRENT document with a real private key and the identity as its public key
    const document = {
      ...(await asymmetricKey('EdDSA', 'h', NOW)),
      x: IDENTITY_X,
    };
    const secrets = fakeSecrets();
    secrets.stages.set('AWSCURRENT', { versionId: 'v1', value: JSON.stringify(document) });
    const ring = new JwtKeyRing({ secretId: SECRET_ID, client: secrets.client, clock: () => NOW });

    // WHEN / THEN
    await expect(codeOf(ring.verify(forgedToken('h')))).resolves.toBe('ERR_KEY_DOCUMENT_INVALID');
  });
});
