/**
 * JwtKeyRing with asymmetric keys: it signs with the AWSCURRENT private key and verifies with
 * the public halves of AWSCURRENT and AWSPREVIOUS, under the same grace rules as HMAC keys. jose,
 * given only the public JWK, is the independent check of what the ring signs.
 */
import { importJWK, jwtVerify, SignJWT } from 'jose';

import { JwtKeyRing } from '../../client';
import { ASYMMETRIC_ALGORITHMS, keyMembersOf, publicJwk } from '../../key-document';

import { asymmetricKey, fakeSecrets, key, SECRET_ID } from './support';

const NOW = Date.UTC(2026, 0, 1);

function ringOver(secrets: ReturnType<typeof fakeSecrets>, clock: () => number): JwtKeyRing {
  return new JwtKeyRing({ secretId: SECRET_ID, client: secrets.client, clock, issuer: 'iss' });
}

function headerOf(token: string): unknown {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
}

describe.each(ASYMMETRIC_ALGORITHMS)('Class: JwtKeyRing with %s keys', (alg) => {
  it('signs with the current private key a token that jose verifies with the public JWK alone', async () => {
    // GIVEN a secret whose AWSCURRENT is an asymmetric key
    const current = await asymmetricKey(alg, 'k1', NOW);
    const secrets = fakeSecrets();
    secrets.setKey('AWSCURRENT', current);
    const ring = ringOver(secrets, () => NOW);

    // WHEN
    const token = await ring.sign({ sub: 'user' });

    // THEN the header names the key and its algorithm, and jose verifies it with the public half
    expect(headerOf(token)).toEqual({ alg, kid: 'k1', typ: 'JWT' });
    const { payload } = await jwtVerify(token, await importJWK({ ...publicJwk(current) }, alg), {
      algorithms: [alg],
      currentDate: new Date(NOW),
    });
    expect(payload).toMatchObject({ sub: 'user', iss: 'iss' });
    // AND the ring verifies its own token
    await expect(ring.verify(token)).resolves.toMatchObject({ stage: 'AWSCURRENT', kid: 'k1' });
  });

  it('verifies a token jose signed with the private JWK', async () => {
    // GIVEN
    const current = await asymmetricKey(alg, 'k1', NOW);
    const secrets = fakeSecrets();
    secrets.setKey('AWSCURRENT', current);
    const token = await new SignJWT({ sub: 'user', iss: 'iss' })
      .setProtectedHeader({ alg, kid: 'k1' })
      .setExpirationTime(NOW / 1000 + 60)
      .sign(await importJWK(keyMembersOf(current), alg));

    // WHEN / THEN
    await expect(ringOver(secrets, () => NOW).verify(token)).resolves.toMatchObject({
      payload: { sub: 'user' },
    });
  });

  it('verifies the previous key within its grace, then fails with ERR_JWT_PREVIOUS_KEY_EXPIRED', async () => {
    // GIVEN k1 signed a token, then a rotation made k2 current with a 1-hour grace for k1
    const previous = await asymmetricKey(alg, 'k1', NOW);
    const secrets = fakeSecrets();
    secrets.setKey('AWSCURRENT', previous);
    let now = NOW;
    const oldToken = await ringOver(secrets, () => now).sign({}, { expiresIn: '1d' });
    const current = await asymmetricKey(alg, 'k2', NOW + 1000, {
      graceSeconds: 3600,
      previousKid: 'k1',
    });
    secrets.setKey('AWSCURRENT', current);
    secrets.setKey('AWSPREVIOUS', previous);

    // WHEN / THEN within the grace: verified by the previous key
    now = NOW + 2000;
    await expect(ringOver(secrets, () => now).verify(oldToken)).resolves.toMatchObject({
      stage: 'AWSPREVIOUS',
    });
    // AND after it: refused
    now = NOW + 1000 + 3600_000;
    await expect(ringOver(secrets, () => now).verify(oldToken)).rejects.toMatchObject({
      code: 'ERR_JWT_PREVIOUS_KEY_EXPIRED',
    });
  });

  it('verifies across a change of algorithm: an HS256 previous key and this current one', async () => {
    // GIVEN an HMAC key signed a token, then the secret moved to this algorithm
    const previous = key('h1', NOW);
    const secrets = fakeSecrets();
    secrets.setKey('AWSCURRENT', previous);
    const hmacToken = await ringOver(secrets, () => NOW).sign({});
    secrets.setKey('AWSCURRENT', await asymmetricKey(alg, 'a1', NOW, { previousKid: 'h1' }));
    secrets.setKey('AWSPREVIOUS', previous);
    const ring = ringOver(secrets, () => NOW);

    // WHEN
    const newToken = await ring.sign({});

    // THEN both verify, each with its own key and algorithm
    await expect(ring.verify(hmacToken)).resolves.toMatchObject({ stage: 'AWSPREVIOUS' });
    await expect(ring.verify(newToken)).resolves.toMatchObject({
      stage: 'AWSCURRENT',
      protectedHeader: { alg },
    });
  });
});
