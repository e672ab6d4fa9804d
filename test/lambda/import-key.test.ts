/** testSecret's import of a key document into jose. */
import { jwtVerify, SignJWT } from 'jose';

import {
  ASYMMETRIC_ALGORITHMS,
  generateKeyDocument,
  type JwtAlgorithm,
  makeKeyDocument,
} from '../../key-document';
import { importKeyDocument } from '../../lambda/rotation/import-key';

const NOW = new Date('2026-01-01T00:00:00.000Z');

describe('Function: importKeyDocument', () => {
  it.each<JwtAlgorithm>(['HS256', 'HS384', 'HS512', ...ASYMMETRIC_ALGORITHMS])(
    'gives %s keys that jose signs and verifies with',
    async (alg) => {
      // GIVEN
      const document = await makeKeyDocument({ alg, kid: 'k1', now: NOW });
      const { signingKey, verificationKey } = await importKeyDocument(document);

      // WHEN
      const token = await new SignJWT({ sub: 'user' })
        .setProtectedHeader({ alg, kid: document.kid })
        .setExpirationTime('1h')
        .sign(signingKey);
      const { payload, protectedHeader } = await jwtVerify(token, verificationKey, {
        algorithms: [alg],
      });

      // THEN
      expect(payload.sub).toBe('user');
      expect(protectedHeader).toEqual({ alg, kid: 'k1' });
    },
  );

  it.each(ASYMMETRIC_ALGORITHMS)('verifies %s with a public key only', async (alg) => {
    // GIVEN
    const { verificationKey } = await importKeyDocument(
      await makeKeyDocument({ alg, kid: 'k1', now: NOW }),
    );

    // THEN
    expect(verificationKey.type).toBe('public');
  });

  it('gives a key that does not verify a token signed with another key', async () => {
    const signer = await importKeyDocument(
      generateKeyDocument({ alg: 'HS256', kid: 'a', now: NOW }),
    );
    const other = await importKeyDocument(
      generateKeyDocument({ alg: 'HS256', kid: 'b', now: NOW }),
    );
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .sign(signer.signingKey);
    await expect(jwtVerify(token, other.verificationKey)).rejects.toThrow(
      'signature verification failed',
    );
  });
});
