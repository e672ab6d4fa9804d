/**
 * Weak Ed25519 public keys (test/support/weak-ed25519-keys.ts): the small-order points and
 * non-canonical encodings (y >= p, RFC 8032 5.1.3), written there as encodings, independently
 * of the y values the check compares. Each small-order key is shown weak first: node:crypto
 * verifies a forged signature (R = the identity, S = 0) under it for some message.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, verify } from 'node:crypto';

import { validateKeyDocument } from '../../key-document';
import { publicKeyProblem } from '../../key-document/asymmetric';
import { ed25519PublicKeyProblem } from '../../key-document/ed25519-point';
import {
  FORGED_ED25519_SIGNATURE,
  NON_CANONICAL_ED25519,
  SMALL_ORDER_ED25519,
} from '../support/weak-ed25519-keys';

import { codeOf } from './support';

function publicKeyOf(hex: string): KeyObject {
  const x = Buffer.from(hex, 'hex').toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

/** Whether node:crypto verifies the forged signature for one of 64 messages under the key. */
function acceptsAForgery(hex: string): boolean {
  const key = publicKeyOf(hex);
  return Array.from({ length: 64 }, (_, index) => Buffer.from(`{"sub":"admin","n":${index}}`)).some(
    (message) => verify(null, message, key, FORGED_ED25519_SIGNATURE),
  );
}

describe('Function: ed25519PublicKeyProblem', () => {
  it.each(SMALL_ORDER_ED25519)(
    'refuses the small-order point %s, which verifies forgeries',
    (_name, hex) => {
      // GIVEN a key under which node:crypto verifies a forgery
      expect(acceptsAForgery(hex)).toBe(true);

      // WHEN / THEN
      expect(ed25519PublicKeyProblem(Buffer.from(hex, 'hex'))).toMatch(/small order/);
    },
  );

  it.each(NON_CANONICAL_ED25519)('refuses the non-canonical encoding %s', (_name, hex) => {
    expect(ed25519PublicKeyProblem(Buffer.from(hex, 'hex'))).toMatch(
      /not a canonical encoding|small order/,
    );
  });

  it('refuses the non-canonical twins of weak points that node:crypto imports and forges with', () => {
    const twins = NON_CANONICAL_ED25519.filter(([name]) =>
      /identity|y = p \(|sign bit set \(/.test(name),
    );
    expect(twins.map(([, hex]) => acceptsAForgery(hex))).toEqual(twins.map(() => true));
    expect(twins.map(([, hex]) => ed25519PublicKeyProblem(Buffer.from(hex, 'hex')))).not.toContain(
      undefined,
    );
  });

  it('accepts 200 keys made from private keys, and y = p - 2 (the largest canonical y)', () => {
    const keys = Array.from({ length: 200 }, () =>
      Buffer.from(
        String(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x),
        'base64url',
      ),
    );
    // p - 2 = 2^255 - 21 is not a small-order y: the bound is y < p, not y < p - 1.
    const largestCanonical = Buffer.from(
      'ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      'hex',
    );
    expect([...keys, largestCanonical].map((x) => ed25519PublicKeyProblem(x))).toEqual(
      [...keys, largestCanonical].map(() => undefined),
    );
  });
});

describe('weak Ed25519 keys where a public key enters', () => {
  const weak = [...SMALL_ORDER_ED25519, ...NON_CANONICAL_ED25519];

  it.each(weak)('a public JWK (key set entry) with %s is refused', (_name, hex) => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') };
    expect(publicKeyProblem('EdDSA', jwk)).toMatch(/small order|not a canonical encoding/);
  });

  it.each(weak)(
    'a key document whose x is %s is refused as ERR_KEY_DOCUMENT_BAD_KEY',
    (_name, hex) => {
      // GIVEN a valid EdDSA private JWK, its x replaced by the weak encoding
      const { privateKey } = generateKeyPairSync('ed25519');
      const jwk = privateKey.export({ format: 'jwk' });
      const document = {
        ...jwk,
        x: Buffer.from(hex, 'hex').toString('base64url'),
        alg: 'EdDSA',
        use: 'sig',
        kid: 'weak',
      };

      // WHEN / THEN refused for the point itself, before the halves are compared
      expect(codeOf(() => validateKeyDocument(document))).toBe('ERR_KEY_DOCUMENT_BAD_KEY');
      expect(() => validateKeyDocument(document)).toThrow(/small order|not a canonical encoding/);
    },
  );
});
