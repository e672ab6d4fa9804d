/**
 * Interoperability, independent of the rotation function: a JWKS made of the public halves of
 * generated key documents, served over HTTP on 127.0.0.1, read by unmodified third-party
 * verifiers (jose's createRemoteJWKSet + jwtVerify; jwks-rsa's getSigningKey + jsonwebtoken)
 * and by JwksVerifier, verifying tokens JwtKeyRing signs from a secret on local-aws. The key set
 * holds the standby key too, so a verifier whose cache predates a promotion accepts the first
 * tokens the promoted key signs.
 */
import { JwksVerifier, JwtKeyRing } from '../../client';
import { type AsymmetricAlgorithm, type AsymmetricKeyDocument } from '../../key-document';
import {
  joseVerifier,
  jwksRsaVerifier,
  type KeySetServer,
  startKeySetServer,
  type ThirdPartyVerifier,
} from '../support/key-set-server';

import { asymmetricKey, type LocalSecret, localSecret } from './support';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'api';

interface Verifiers {
  readonly [name: string]: ThirdPartyVerifier;
}

/** Every verifier that supports the algorithm (jsonwebtoken has no EdDSA), on one JWKS URL. */
async function verifiersOf(jwksUri: string, alg: AsymmetricAlgorithm): Promise<Verifiers> {
  const expected = { issuer: ISSUER, audience: AUDIENCE };
  const ours = new JwksVerifier({ jwksUri, ...expected });
  return {
    'jose createRemoteJWKSet + jwtVerify': await joseVerifier(jwksUri, expected),
    ...(alg !== 'EdDSA' && {
      'jwks-rsa + jsonwebtoken': jwksRsaVerifier(jwksUri, { ...expected, algorithms: [alg] }),
    }),
    JwksVerifier: async (token) => (await ours.verify(token)).payload,
  };
}

/** Each verifier's outcome: the token's sub when accepted, "refused" otherwise. */
async function outcomes(verifiers: Verifiers, token: string): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(verifiers).map(async ([name, verify]) => [
      name,
      await verify(token).then(
        (payload) => payload.sub,
        () => 'refused',
      ),
    ]),
  );
  return Object.fromEntries(entries) as Record<string, unknown>;
}

describe.each<AsymmetricAlgorithm>(['ES256', 'EdDSA', 'RS256'])(
  'third-party verifiers and JwtKeyRing tokens (%s)',
  (alg) => {
    let server: KeySetServer;
    let secret: LocalSecret;
    let current: AsymmetricKeyDocument;
    let standby: AsymmetricKeyDocument;
    let ring: JwtKeyRing;

    beforeAll(async () => {
      // GIVEN a secret whose current key names a standby key, and the key set publishing both
      const now = Date.now();
      standby = await asymmetricKey(alg, `standby-${alg}`, now);
      current = await asymmetricKey(alg, `current-${alg}`, now, { nextKid: standby.kid });
      secret = await localSecret(Date.now, current);
      ring = new JwtKeyRing({
        secretId: secret.arn,
        client: secret.client,
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      server = await startKeySetServer();
      server.publish([current, standby], 'max-age=300');
    }, 60_000); // RSA key generation takes seconds on a loaded machine

    afterAll(async () => {
      await server.close();
      await secret.close();
    });

    it('every verifier accepts what the ring signs, before and right after a promotion', async () => {
      // GIVEN verifiers that have read the key set once
      const verifiers = await verifiersOf(server.jwksUri, alg);
      const before = await ring.sign({ sub: 'before' });
      const first = await outcomes(verifiers, before);
      const fetchesBefore = server.requests();

      // WHEN the standby key is promoted in the secret (the key set is not touched)
      await secret.put({ ...standby, previousKid: current.kid });
      await ring.refresh();
      const after = await ring.sign({ sub: 'after' });

      // THEN the token of the promoted key names it, and every verifier accepts both tokens
      expect(JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString())).toMatchObject({
        alg,
        kid: standby.kid,
      });
      const names = Object.keys(verifiers);
      expect(first).toEqual(Object.fromEntries(names.map((name) => [name, 'before'])));
      expect(await outcomes(verifiers, after)).toEqual(
        Object.fromEntries(names.map((name) => [name, 'after'])),
      );
      // AND jose and JwksVerifier did not fetch the key set again (the key was in their cache);
      // jwks-rsa caches by kid, so it looks a new kid up once
      expect(server.requests() - fetchesBefore).toBe(alg === 'EdDSA' ? 0 : 1);
    });

    it('every verifier refuses a token of a key the set does not hold', async () => {
      // GIVEN a token signed by a key outside the set, under a kid the set holds
      const verifiers = await verifiersOf(server.jwksUri, alg);
      const outsider = await asymmetricKey(alg, current.kid, Date.now());
      const secretOfOutsider = await localSecret(Date.now, outsider);
      const forged = await new JwtKeyRing({
        secretId: secretOfOutsider.arn,
        client: secretOfOutsider.client,
        issuer: ISSUER,
        audience: AUDIENCE,
      }).sign({ sub: 'forged' });
      await secretOfOutsider.close();

      // WHEN / THEN
      expect(await outcomes(verifiers, forged)).toEqual(
        Object.fromEntries(Object.keys(verifiers).map((name) => [name, 'refused'])),
      );
    }, 60_000);
  },
);
