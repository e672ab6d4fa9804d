/** testSecret's import of a key document into jose. */
import { jwtVerify, SignJWT } from 'jose';

import { generateKeyDocument, type HmacAlgorithm } from '../../key-document';
import { importKeyDocument } from '../../lambda/rotation/import-key';

const NOW = new Date('2026-01-01T00:00:00.000Z');

describe('Function: importKeyDocument', () => {
  it.each<HmacAlgorithm>(['HS256', 'HS384', 'HS512'])(
    'gives a %s key that jose signs and verifies with',
    async (alg) => {
      // GIVEN
      const document = generateKeyDocument({ alg, kid: 'k1', now: NOW });
      const key = await importKeyDocument(document);

      // WHEN
      const token = await new SignJWT({ sub: 'user' })
        .setProtectedHeader({ alg, kid: document.kid })
        .setExpirationTime('1h')
        .sign(key);
      const { payload, protectedHeader } = await jwtVerify(token, key, { algorithms: [alg] });

      // THEN
      expect(payload.sub).toBe('user');
      expect(protectedHeader).toEqual({ alg, kid: 'k1' });
    },
  );

  it('gives a key that does not verify a token signed with another key', async () => {
    const signer = await importKeyDocument(
      generateKeyDocument({ alg: 'HS256', kid: 'a', now: NOW }),
    );
    const other = await importKeyDocument(
      generateKeyDocument({ alg: 'HS256', kid: 'b', now: NOW }),
    );
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).sign(signer);
    await expect(jwtVerify(token, other)).rejects.toThrow('signature verification failed');
  });
});
