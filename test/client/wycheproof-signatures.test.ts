/**
 * Project Wycheproof's signature vectors for the asymmetric algorithms, from the repository's
 * copy in test/vectors/wycheproof, through the library's signature check. Messages are
 * hex bytes: the signing input of a compact JWS is any byte string, so each `msg` goes to the
 * check directly. `valid` must be accepted; `invalid` and `acceptable` refused.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { hasValidAsymmetricSignature, signatureLength } from '../../client/signatures';
import { type AsymmetricAlgorithm, publicKeyProblem } from '../../key-document/asymmetric';

interface SignatureVector {
  readonly tcId: number;
  readonly comment: string;
  readonly msg: string;
  readonly sig: string;
  readonly result: 'valid' | 'invalid' | 'acceptable';
}

interface SignatureGroup {
  readonly publicKeyJwk?: JsonWebKey;
  readonly keyJwk?: JsonWebKey;
  /** Hex of the SubjectPublicKeyInfo, for the keys a JWK cannot carry (edge-case points). */
  readonly publicKeyDer: string;
  readonly tests: SignatureVector[];
}

/** The repository's copy of the vectors (test/vectors/wycheproof/README.md says which and whence). */
const VECTORS = resolve(__dirname, '../vectors/wycheproof');

function signatureGroups(file: string): SignatureGroup[] {
  const path = resolve(VECTORS, file);
  return (JSON.parse(readFileSync(path, 'utf8')) as { testGroups: SignatureGroup[] }).testGroups;
}

describe.each<
  [AsymmetricAlgorithm, string, { valid: number; invalid: number; acceptable: number }]
>([
  ['ES256', 'ecdsa_secp256r1_sha256_p1363_test.json', { valid: 173, invalid: 89, acceptable: 0 }],
  ['EdDSA', 'ed25519_test.json', { valid: 88, invalid: 63, acceptable: 0 }],
  ['RS256', 'rsa_signature_2048_sha256_test.json', { valid: 9, invalid: 249, acceptable: 1 }],
])('Wycheproof %s signatures (%s)', (alg, file, counts) => {
  const cases = signatureGroups(file).flatMap((group) => {
    const jwk = group.publicKeyJwk ?? group.keyJwk;
    const publicKey =
      jwk === undefined
        ? createPublicKey({
            key: Buffer.from(group.publicKeyDer, 'hex'),
            format: 'der',
            type: 'spki',
          })
        : createPublicKey({ key: jwk, format: 'jwk' });
    return group.tests.map((vector) => ({
      vector,
      accepted: hasValidAsymmetricSignature(
        alg,
        publicKey,
        signatureLength(alg, publicKey),
        Buffer.from(vector.msg, 'hex'),
        Buffer.from(vector.sig, 'hex'),
      ),
    }));
  });

  it('runs every case of the file', () => {
    const byResult = { valid: 0, invalid: 0, acceptable: 0 };
    for (const { vector } of cases) byResult[vector.result] += 1;
    expect(byResult).toEqual(counts);
  });

  it('accepts every valid signature', () => {
    const refused = cases
      .filter(({ vector, accepted }) => vector.result === 'valid' && !accepted)
      .map(({ vector }) => `${vector.tcId} ${vector.comment}`);
    expect(refused).toEqual([]);
  });

  it('refuses every invalid and acceptable signature', () => {
    const accepted = cases
      .filter(({ vector, accepted }) => vector.result !== 'valid' && accepted)
      .map(({ vector }) => `${vector.tcId} ${vector.result} ${vector.comment}`);
    expect(accepted).toEqual([]);
  });
});

describe('Wycheproof Ed25519 public keys (ed25519_test.json)', () => {
  it('are all usable keys: none is refused as weak (small order, non-canonical)', () => {
    // GIVEN every group's public key as a key set entry would carry it
    const keys = signatureGroups('ed25519_test.json').map((group) => ({
      kty: 'OKP',
      crv: 'Ed25519',
      x: String(group.publicKeyJwk?.x),
    }));

    // WHEN / THEN
    expect(keys.map((jwk) => publicKeyProblem('EdDSA', jwk))).toEqual(keys.map(() => undefined));
  });
});
