/**
 * AwsJwtVerifyJwksCache under aws-jwt-verify's real JwtVerifier: tokens JwtKeyRing signs with
 * each published algorithm verify end to end, the key set's max-age is honoured within bounds,
 * a removed key goes at the first read after it, unknown kids follow the penalty box, and
 * verifySync / hydrate / cacheJwks keep their meaning. The key set is served by a node:http
 * server on 127.0.0.1; the cache's clock is injected (aws-jwt-verify reads Date for `exp`, and
 * every token here is valid for the real time too).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as awsJwtVerify from 'aws-jwt-verify';
import { JwtVerifier } from 'aws-jwt-verify';
import { type JwksCache, SimplePenaltyBox } from 'aws-jwt-verify/jwk';
import ts from 'typescript';

import { AwsJwtVerifyJwksCache, JwtKeyRing, type JwtKeyRingError } from '../../client';
import * as jwksEntry from '../../client/jwks';
import {
  type AsymmetricAlgorithm,
  type AsymmetricKeyDocument,
  PRIVATE_MEMBERS,
  publicJwk,
} from '../../key-document';
import { type KeySetServer, startKeySetServer } from '../support/key-set-server';

import { asymmetricKey, asymmetricToken, fakeSecrets, SECRET_ID } from './support';

const AUDIENCE = 'api';
const MINUTE_MS = 60_000;

// RSA key generation takes seconds on a loaded machine.
jest.setTimeout(60_000);

let server: KeySetServer;
let now: number;
const clock = (): number => now;

beforeEach(async () => {
  server = await startKeySetServer();
  now = Date.now();
});

afterEach(async () => {
  await server.close();
});

/** A token as the key's holder signs it, valid for 15 minutes from the test's clock. */
function tokenOf(document: AsymmetricKeyDocument, sub = 'user'): string {
  const seconds = Math.floor(now / 1000);
  return asymmetricToken(
    { alg: document.alg, kid: document.kid, typ: 'JWT' },
    { iss: server.issuer, aud: AUDIENCE, sub, iat: seconds, exp: seconds + 900 },
    document,
  );
}

function verifierWith(cache: AwsJwtVerifyJwksCache) {
  return JwtVerifier.create(
    { issuer: server.issuer, audience: AUDIENCE, jwksUri: server.jwksUri },
    { jwksCache: cache },
  );
}

function codeOf(error: unknown): unknown {
  return (error as Partial<JwtKeyRingError> | undefined)?.code;
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'accepted',
    (error: unknown) => codeOf(error) ?? (error as Error).constructor.name,
  );
}

describe('Class: AwsJwtVerifyJwksCache', () => {
  describe('Type: aws-jwt-verify’s extension point', () => {
    it('is a JwksCache, and takes aws-jwt-verify’s SimplePenaltyBox as its penalty box', () => {
      // GIVEN / WHEN the cache where aws-jwt-verify's types expect its interfaces
      const cache: JwksCache = new AwsJwtVerifyJwksCache({ penaltyBox: new SimplePenaltyBox() });

      // THEN it has the interface's four methods (the assignment is checked by typecheck)
      expect(typeof cache.getJwk).toBe('function');
      expect(typeof cache.getCachedJwk).toBe('function');
      expect(typeof cache.addJwks).toBe('function');
      expect(typeof cache.getJwks).toBe('function');
    });
  });

  describe.each<AsymmetricAlgorithm>(['ES256', 'EdDSA', 'RS256'])('Algorithm: %s', (alg) => {
    it('verifies JwtKeyRing’s tokens with the published key set, end to end', async () => {
      // GIVEN the current and standby keys published, and a ring signing with the current one
      const current = await asymmetricKey(alg, 'current', now, { nextKid: 'standby' });
      const standby = await asymmetricKey(alg, 'standby', now);
      server.publish([current, standby], 'public, max-age=300');
      const secrets = fakeSecrets();
      secrets.setKey('AWSCURRENT', current);
      const ring = new JwtKeyRing({
        secretId: SECRET_ID,
        client: secrets.client,
        clock,
        issuer: server.issuer,
      });
      const verifier = verifierWith(new AwsJwtVerifyJwksCache({ clock }));

      // WHEN aws-jwt-verify verifies the ring's token
      const token = await ring.sign({ sub: 'alice', aud: AUDIENCE }, { expiresIn: '15m' });
      const payload = await verifier.verify(token);

      // THEN it is accepted, with one fetch of the key set
      expect(payload).toMatchObject({ sub: 'alice', iss: server.issuer, aud: AUDIENCE });
      expect(server.requests()).toBe(1);
      // AND a token of the standby key (promoted later) needs no fetch
      await expect(verifier.verify(tokenOf(standby))).resolves.toMatchObject({ sub: 'user' });
      expect(server.requests()).toBe(1);
    });
  });

  describe('Method: getJwk (verify)', () => {
    let current: AsymmetricKeyDocument;
    let standby: AsymmetricKeyDocument;

    beforeEach(async () => {
      current = await asymmetricKey('ES256', 'current', now);
      standby = await asymmetricKey('ES256', 'standby', now);
    });

    it('drops a removed key at the first read after max-age, and not before', async () => {
      // GIVEN the set served with max-age=120, read once
      server.publish([current, standby], 'public, max-age=120');
      const verifier = verifierWith(new AwsJwtVerifyJwksCache({ clock }));
      await verifier.verify(tokenOf(current));

      // WHEN the current key leaves the set
      server.publish([standby], 'public, max-age=120');

      // THEN its tokens verify until max-age has run out, without a fetch
      now += 119_999;
      expect(await refusal(verifier.verify(tokenOf(current)))).toBe('accepted');
      expect(server.requests()).toBe(1);
      // AND the first read after it fetches once and refuses them, as its kid is unknown now
      now += 1;
      expect(await refusal(verifier.verify(tokenOf(current)))).toBe('ERR_JWT_UNKNOWN_KID');
      expect(server.requests()).toBe(2);
      // AND the key left in the set still verifies
      expect(await refusal(verifier.verify(tokenOf(standby)))).toBe('accepted');
    });

    it.each([
      { served: 'max-age=0', cacheControl: 'max-age=0', cachedMs: MINUTE_MS, bound: 'minCacheMs' },
      {
        served: 'max-age=86400',
        cacheControl: 'max-age=86400',
        cachedMs: 3_600_000,
        bound: 'maxCacheMs',
      },
      { served: 'no-store', cacheControl: 'no-store', cachedMs: MINUTE_MS, bound: 'minCacheMs' },
      {
        served: 'no Cache-Control',
        cacheControl: undefined,
        cachedMs: 300_000,
        bound: 'defaultCacheMs',
      },
    ])(
      'keeps a set served with $served for $bound ($cachedMs ms)',
      async ({ cacheControl, cachedMs }) => {
        // GIVEN the set, read once
        server.publish([current], cacheControl);
        const verifier = verifierWith(new AwsJwtVerifyJwksCache({ clock }));
        await verifier.verify(tokenOf(current));

        // WHEN time passes to just before, then to, the end of the clamped period
        now += cachedMs - 1;
        await verifier.verify(tokenOf(current));
        const before = server.requests();
        now += 1;
        await verifier.verify(tokenOf(current));

        // THEN the set is fetched again then, and not before
        expect([before, server.requests()]).toEqual([1, 2]);
      },
    );

    it('subtracts the CDN’s Age from max-age', async () => {
      // GIVEN a copy the edge has held for 200 of its 300 seconds
      server.serveKeySet(
        { keys: [publicJwk(current)] },
        { 'cache-control': 'public, max-age=300', age: '200' },
      );
      const verifier = verifierWith(new AwsJwtVerifyJwksCache({ clock }));
      await verifier.verify(tokenOf(current));

      // WHEN 100 seconds pass
      now += 100_000;
      await verifier.verify(tokenOf(current));

      // THEN the set was fetched again
      expect(server.requests()).toBe(2);
    });

    it('fetches for an unknown kid as aws-jwt-verify’s penalty box allows: once, then not for 10 s after a miss', async () => {
      // GIVEN the set read once
      server.publish([current], 'public, max-age=3600');
      const verifier = verifierWith(new AwsJwtVerifyJwksCache({ clock }));
      await verifier.verify(tokenOf(current));
      const stranger = await asymmetricKey('ES256', 'stranger', now);

      // WHEN tokens of an unknown kid arrive
      const first = await refusal(verifier.verify(tokenOf(stranger)));
      const second = await refusal(verifier.verify(tokenOf(stranger)));
      now += 9_999;
      const third = await refusal(verifier.verify(tokenOf(stranger)));

      // THEN the first causes one fetch, and the next ones none within the wait
      expect([first, second, third]).toEqual(Array(3).fill('ERR_JWT_UNKNOWN_KID'));
      expect(server.requests()).toBe(2);
      // AND after the wait, a key published meanwhile (a fresh key after a revoke) is found
      server.publish([current, stranger], 'public, max-age=3600');
      now += 1;
      expect(await refusal(verifier.verify(tokenOf(stranger)))).toBe('accepted');
      expect(server.requests()).toBe(3);
    });

    it('fetches the set once for an unknown kid on a cold cache', async () => {
      // GIVEN a verifier that has fetched nothing
      server.publish([current], 'public, max-age=300');
      const verifier = verifierWith(new AwsJwtVerifyJwksCache({ clock }));
      const stranger = await asymmetricKey('ES256', 'stranger', now);

      // WHEN its first token has a kid the set does not hold
      const code = await refusal(verifier.verify(tokenOf(stranger)));

      // THEN the fetch that loaded the set was the unknown kid's fetch too
      expect(code).toBe('ERR_JWT_UNKNOWN_KID');
      expect(server.requests()).toBe(1);
    });

    it('asks a penalty box it is given, such as aws-jwt-verify’s own SimplePenaltyBox', async () => {
      // GIVEN aws-jwt-verify's penalty box
      server.publish([current], 'public, max-age=3600');
      const penaltyBox = new SimplePenaltyBox({ waitSeconds: 10 });
      const verifier = verifierWith(new AwsJwtVerifyJwksCache({ clock, penaltyBox }));
      await verifier.verify(tokenOf(current));
      const stranger = await asymmetricKey('ES256', 'stranger', now);

      // WHEN two tokens of an unknown kid arrive
      const first = await refusal(verifier.verify(tokenOf(stranger)));
      const second = await refusal(verifier.verify(tokenOf(stranger)));
      penaltyBox.release(server.jwksUri);

      // THEN the second is refused by its penalty box, without a fetch
      expect([first, second]).toEqual(['ERR_JWT_UNKNOWN_KID', 'WaitPeriodNotYetEndedJwkError']);
      expect(server.requests()).toBe(2);
    });

    it('serves the expired set while the URL fails, for maxStalenessMs, then fails closed', async () => {
      // GIVEN the set read once, max-age 5 minutes, then the URL failing
      server.publish([current], 'public, max-age=300');
      const verifier = verifierWith(new AwsJwtVerifyJwksCache({ clock }));
      await verifier.verify(tokenOf(current));
      server.routes.set('/.well-known/jwks.json', { status: 503, body: 'unavailable' });

      // WHEN the set has been stale for just under, then for, the 15-minute bound
      now += 5 * MINUTE_MS + 15 * MINUTE_MS - 1;
      const within = await refusal(verifier.verify(tokenOf(current)));
      now += 1;
      const beyond = await refusal(verifier.verify(tokenOf(current)));

      // THEN it verifies within the bound and fails closed beyond it
      expect([within, beyond]).toEqual(['accepted', 'ERR_KEY_STORE_UNAVAILABLE']);
    });

    it('skips an entry holding a private member, which aws-jwt-verify’s own cache would use', async () => {
      // GIVEN a set whose entry carries the private key
      const leaked = { ...publicJwk(current), d: (current as unknown as Record<string, string>).d };
      expect(PRIVATE_MEMBERS).toContain('d');
      server.serveKeySet({ keys: [leaked, publicJwk(standby)] });
      const warnings: unknown[] = [];
      const verifier = verifierWith(
        new AwsJwtVerifyJwksCache({ clock, logger: { warn: (...args) => warnings.push(args) } }),
      );

      // WHEN a token of that key arrives
      const code = await refusal(verifier.verify(tokenOf(current)));

      // THEN it is refused, and the skipped entry is reported without its members
      expect(code).toBe('ERR_JWT_UNKNOWN_KID');
      expect(JSON.stringify(warnings)).toContain('private member');
      expect(JSON.stringify(warnings)).not.toContain(leaked.d);
    });
  });

  describe('Method: getCachedJwk (verifySync)', () => {
    it('verifies from a fresh set only, and starts the fetch that serves the next call', async () => {
      // GIVEN a hydrated verifier, max-age 5 minutes
      const current = await asymmetricKey('ES256', 'current', now);
      const standby = await asymmetricKey('ES256', 'standby', now);
      server.publish([current, standby], 'public, max-age=300');
      const cache = new AwsJwtVerifyJwksCache({ clock });
      const verifier = verifierWith(cache);
      await verifier.hydrate();
      expect(verifier.verifySync(tokenOf(current))).toMatchObject({ sub: 'user' });

      // WHEN the current key leaves the set and max-age runs out
      server.publish([standby], 'public, max-age=300');
      now += 5 * MINUTE_MS;

      // THEN verifySync refuses instead of trusting the expired set
      expect(() => verifier.verifySync(tokenOf(standby))).toThrow(
        expect.objectContaining({ code: 'ERR_KEY_STORE_UNAVAILABLE' }),
      );
      // AND once the fetch it started has landed, the removed key is refused, the other accepted
      await cache.getJwks(server.jwksUri);
      expect(() => verifier.verifySync(tokenOf(current))).toThrow(
        expect.objectContaining({ code: 'ERR_JWT_UNKNOWN_KID' }),
      );
      expect(verifier.verifySync(tokenOf(standby))).toMatchObject({ sub: 'user' });
    });
  });

  describe('Method: addJwks (cacheJwks)', () => {
    it('takes a set the application holds, strictly, for the default cache period', async () => {
      // GIVEN a set handed over, not fetched
      const current = await asymmetricKey('EdDSA', 'current', now);
      server.publish([current], 'public, max-age=300');
      const verifier = verifierWith(new AwsJwtVerifyJwksCache({ clock }));
      verifier.cacheJwks({ keys: [publicJwk(current)] } as never);

      // WHEN tokens are verified then and 5 minutes later
      const first = verifier.verifySync(tokenOf(current));
      now += 5 * MINUTE_MS;
      await verifier.verify(tokenOf(current));

      // THEN the first needed no fetch; the set was fetched when its period ended
      expect(first).toMatchObject({ sub: 'user' });
      expect(server.requests()).toBe(1);
      // AND a set with no usable entry is refused
      expect(() => verifier.cacheJwks({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } as never)).toThrow(
        expect.objectContaining({ code: 'ERR_KEY_SET_INVALID' }),
      );
    });
  });

  describe('Constructor', () => {
    it.each([
      { options: { minCacheMs: '60000' }, name: 'minCacheMs' },
      { options: { maxCacheMs: 1, minCacheMs: 10 }, name: 'maxCacheMs' },
      { options: { timeoutMs: 0 }, name: 'timeoutMs' },
      { options: { maxStalenessMs: -1 }, name: 'maxStalenessMs' },
    ])('fails when $name is out of the shared policy’s range', ({ options, name }) => {
      // WHEN / THEN
      expect(() => new AwsJwtVerifyJwksCache(options as never)).toThrow(
        expect.objectContaining({
          code: 'ERR_INVALID_ARGUMENT',
          message: expect.stringContaining(name),
        }),
      );
    });

    it('fails at the first read when the URL is neither https nor loopback http', async () => {
      // GIVEN
      const cache = new AwsJwtVerifyJwksCache({ clock });

      // WHEN / THEN
      await expect(
        cache.getJwk('http://keys.example/.well-known/jwks.json', { header: { kid: 'k' } }),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    });
  });

  describe('README: the aws-jwt-verify block', () => {
    /** The first ```ts block after the marker, its indentation (a list item's) removed. */
    function readmeBlock(): string {
      const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
      const marker = readme.indexOf('<!-- aws-jwt-verify-example:');
      const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(marker));
      if (marker < 0 || match === null) throw new Error('README block not found');
      return match[1]!.replace(/^ {3}/gm, '');
    }

    it('runs as written: verifies a token of the published set with the cache', async () => {
      // GIVEN the block compiled, its imports bound to aws-jwt-verify and the client library
      const { outputText } = ts.transpileModule(readmeBlock(), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
      });
      const current = await asymmetricKey('ES256', 'current', now);
      server.publish([current], 'public, max-age=300');
      const imported: string[] = [];
      const exported: { subjectOf?: (token: string) => Promise<string | undefined> } = {};
      const modules: Record<string, unknown> = {
        'aws-jwt-verify': awsJwtVerify,
        'rotating-jwt-keys/client/jwks': jwksEntry,
      };
      (new Function('require', 'exports', 'process', outputText) as (...args: unknown[]) => void)(
        (id: string) => {
          imported.push(id);
          if (!(id in modules)) throw new Error(`unexpected import ${id}`);
          return modules[id];
        },
        exported,
        { env: { JWT_ISSUER: server.issuer, JWKS_URI: server.jwksUri } },
      );
      const token = asymmetricToken(
        { alg: 'ES256', kid: 'current', typ: 'JWT' },
        { iss: server.issuer, aud: 'orders-api', sub: 'alice', exp: Math.floor(now / 1000) + 900 },
        current,
      );

      // WHEN it verifies a token of the set
      const subject = await exported.subjectOf!(token);

      // THEN the subject comes back, read through one fetch of the set
      expect(subject).toBe('alice');
      expect(imported).toEqual(['aws-jwt-verify', 'rotating-jwt-keys/client/jwks']);
      expect(server.requests()).toBe(1);
    });
  });
});
