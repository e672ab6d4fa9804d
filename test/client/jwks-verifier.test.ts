/**
 * JwksVerifier against a real HTTP server on 127.0.0.1: the cache rules (max-age within
 * bounds, one fetch per period, rate-limited unknown kids, bounded stale-if-error), the fetch bounds
 * (timeout, size), the key set entry rules and OpenID discovery. Time is the injected clock;
 * fetches are counted at the server.
 */
import { randomUUID } from 'node:crypto';

import { JwksVerifier, type JwksVerifierOptions, JwtKeyRing, type SignOptions } from '../../client';
import { ASYMMETRIC_ALGORITHMS, type AsymmetricKeyDocument, publicJwk } from '../../key-document';
import {
  CONFIGURATION_PATH,
  JWKS_PATH,
  type KeySetServer,
  startKeySetServer,
} from '../support/key-set-server';

import { asymmetricKey, compact, fakeSecrets, SECRET_ID } from './support';

const NOW = Date.UTC(2026, 0, 1);
const ISSUER = 'https://issuer';
const SECOND = 1000;

let server: KeySetServer;
let now = NOW;
const clock = (): number => now;
let es256: AsymmetricKeyDocument;
let eddsa: AsymmetricKeyDocument;
let rs256: AsymmetricKeyDocument;

/** Generous: RSA key generation and the long loops take seconds on a loaded machine. */
const SLOW_MS = 60_000;

beforeAll(async () => {
  [es256, eddsa, rs256] = (await Promise.all(
    ASYMMETRIC_ALGORITHMS.map((alg) => asymmetricKey(alg, `kid-${alg}`, NOW)),
  )) as [AsymmetricKeyDocument, AsymmetricKeyDocument, AsymmetricKeyDocument];
}, SLOW_MS);

// A server per test: each counts its own requests, and nothing one test left running reaches
// the next one's server.
beforeEach(async () => {
  now = NOW;
  server = await startKeySetServer();
  server.publish([es256, eddsa, rs256]);
});

afterEach(async () => {
  await server.close();
});

/**
 * A token as the application signs it: JwtKeyRing with the document as AWSCURRENT, valid for a
 * day unless asked otherwise, signed at `at` (default: the test clock).
 */
function signWith(
  document: AsymmetricKeyDocument,
  options: SignOptions & { at?: number } = {},
): Promise<string> {
  const secrets = fakeSecrets();
  secrets.setKey('AWSCURRENT', document);
  const ring = new JwtKeyRing({
    secretId: SECRET_ID,
    client: secrets.client,
    clock: () => options.at ?? now,
    issuer: ISSUER,
    audience: 'api',
  });
  return ring.sign({ sub: 'user' }, { expiresIn: '1d', ...options });
}

function verifier(options: Partial<JwksVerifierOptions> = {}): JwksVerifier {
  return new JwksVerifier({
    jwksUri: server.jwksUri,
    issuer: ISSUER,
    audience: 'api',
    clock,
    ...options,
  });
}

function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: { code?: string }) => error.code ?? String(error),
  );
}

/** A token naming a kid, with no valid signature: an unknown kid is refused before any check. */
function tokenWithKid(kid: string): string {
  return compact({ alg: 'ES256', kid }, { exp: NOW / 1000 + 600 }, 'AAAA');
}

describe('Class: JwksVerifier', () => {
  describe('Method: verify', () => {
    it.each(ASYMMETRIC_ALGORITHMS)('accepts a %s token signed by JwtKeyRing', async (alg) => {
      // GIVEN the key set published from the documents, and a token signed with one of them
      const document = { ES256: es256, EdDSA: eddsa, RS256: rs256 }[alg];
      const token = await signWith(document);

      // WHEN
      const verified = await verifier().verify(token);

      // THEN
      expect(verified).toMatchObject({
        kid: document.kid,
        payload: { sub: 'user', iss: ISSUER, aud: 'api' },
        protectedHeader: { alg, kid: document.kid, typ: 'JWT' },
      });
    });

    it('fails when the token is expired, or for another audience or issuer', async () => {
      const keys = verifier();
      const codes = await Promise.all([
        codeOf(keys.verify(await signWith(es256, { at: NOW - 3600 * SECOND, expiresIn: 60 }))),
        codeOf(keys.verify(await signWith(es256, { audience: 'other' }))),
        codeOf(keys.verify(await signWith(es256, { issuer: 'https://other' }))),
        codeOf(keys.verify(await signWith(es256), { audience: 'other' })),
      ]);
      expect(codes).toEqual([
        'ERR_JWT_EXPIRED',
        'ERR_JWT_CLAIM_INVALID',
        'ERR_JWT_CLAIM_INVALID',
        'ERR_JWT_CLAIM_INVALID',
      ]);
    });
  });

  describe('cache period', () => {
    it('makes 0 fetches per verification while the set is cached', async () => {
      // GIVEN
      const keys = verifier();
      const tokens = await Promise.all([es256, eddsa, rs256].map((document) => signWith(document)));

      // WHEN 300 verifications over the first 4 minutes (the default period is 5)
      for (let index = 0; index < 300; index += 1) {
        now = NOW + index * 800;
        await keys.verify(tokens[index % 3]!);
      }

      // THEN one fetch, the first
      expect(server.requests()).toBe(1);
    });

    it.each<[string, Record<string, string>, number]>([
      ['max-age=600', { 'cache-control': 'max-age=600' }, 600],
      [
        'public, max-age=120, must-revalidate',
        { 'cache-control': 'public, max-age=120, must-revalidate' },
        120,
      ],
      [
        'max-age=600 with Age: 500 (from a CDN)',
        { 'cache-control': 'max-age=600', age: '500' },
        100,
      ],
      ['max-age=1, below the 60 s minimum', { 'cache-control': 'max-age=1' }, 60],
      ['max-age=0', { 'cache-control': 'max-age=0' }, 60],
      ['no-store', { 'cache-control': 'no-store' }, 60],
      ['max-age=86400, above the 1 h maximum', { 'cache-control': 'max-age=86400' }, 3600],
      ['no Cache-Control (the 5 min default)', {}, 300],
    ])('honours %s', async (_name, headers, periodSeconds) => {
      // GIVEN a response with these headers, fetched once
      server.serveKeySet({ keys: [publicJwk(es256)] }, headers);
      const keys = verifier();
      const token = await signWith(es256);
      await keys.verify(token);

      // WHEN the clock is just before the end of the period: no fetch ahead of it
      now = NOW + periodSeconds * SECOND - 1;
      await keys.verify(token);
      const beforeExpiry = server.requests();
      // AND at its end: the verification waits for the one new fetch
      now = NOW + periodSeconds * SECOND;
      await keys.verify(token);
      const atExpiry = server.requests();
      // AND past the end of the new set's period
      now += periodSeconds * SECOND + 1;
      await keys.verify(token);

      // THEN
      expect([beforeExpiry, atExpiry, server.requests()]).toEqual([1, 2, 3]);
    });

    it(
      'makes at most 1 fetch per max-age over a day of verifications',
      async () => {
        // GIVEN max-age 10 minutes
        server.publish([es256], 'max-age=600');
        const keys = verifier();
        const token = await signWith(es256, { expiresIn: '2d' });

        // WHEN a verification every 50 s for 24 h
        for (let at = 0; at < 86_400; at += 50) {
          now = NOW + at * SECOND;
          await keys.verify(token);
        }

        // THEN fetches: the first, then at most one per max-age
        expect(server.requests()).toBeGreaterThanOrEqual(86_400 / 600);
        expect(server.requests()).toBeLessThanOrEqual(1 + 86_400 / 600);
      },
      SLOW_MS,
    );
  });

  describe('unknown kids', () => {
    it(
      'a flood of 10,000 unknown kids causes at most 1 fetch per refresh interval',
      async () => {
        // GIVEN a verifier that has fetched the set
        const keys = verifier({ unknownKidRefreshIntervalMs: 30 * SECOND });
        await keys.refresh();

        // WHEN 10,000 tokens with random kids arrive over 2 minutes (12 ms apart)
        const codes = new Set<string | undefined>();
        for (let index = 0; index < 10_000; index += 1) {
          now = NOW + index * 12;
          codes.add(await codeOf(keys.verify(tokenWithKid(randomUUID()))));
        }

        // THEN each is refused as unknown, and the 120 s caused at most 120 / 30 fetches
        expect(codes).toEqual(new Set(['ERR_JWT_UNKNOWN_KID']));
        expect(server.requests() - 1).toBeGreaterThanOrEqual(1);
        expect(server.requests() - 1).toBeLessThanOrEqual(4);
      },
      SLOW_MS,
    );

    it('a flood of concurrent unknown kids shares one fetch', async () => {
      // GIVEN a verifier that fetched the set more than an interval ago
      const keys = verifier();
      await keys.refresh();
      now = NOW + 31 * SECOND;

      // WHEN 1,000 unknown kids arrive at once
      await Promise.all(
        Array.from({ length: 1000 }, () => codeOf(keys.verify(tokenWithKid(randomUUID())))),
      );

      // THEN
      expect(server.requests()).toBe(2);
    });

    it('finds a key published after the set was fetched, once the interval has passed', async () => {
      // GIVEN a verifier that fetched a set without the EdDSA key
      server.publish([es256]);
      const keys = verifier();
      await keys.refresh();
      server.publish([es256, eddsa]);
      const token = await signWith(eddsa);

      // WHEN / THEN within the interval, the set fetched counts as the refresh
      now = NOW + 10 * SECOND;
      await expect(codeOf(keys.verify(token))).resolves.toBe('ERR_JWT_UNKNOWN_KID');
      // AND past it, one fetch finds the key
      now = NOW + 31 * SECOND;
      await expect(keys.verify(token)).resolves.toMatchObject({ kid: eddsa.kid });
      expect(server.requests()).toBe(2);
    });
  });

  describe('when the URL fails', () => {
    it('serves the expired set for at most maxStalenessMs, then fails closed, then recovers', async () => {
      // GIVEN a set fetched with max-age 60 s, then the URL failing
      server.publish([es256], 'max-age=60');
      const keys = verifier({ maxStalenessMs: 15 * 60 * SECOND });
      const token = await signWith(es256);
      await keys.verify(token);
      server.routes.set(JWKS_PATH, { status: 503, body: 'unavailable' });

      // WHEN / THEN the stale set verifies up to 15 minutes past its expiry
      const outcome = async (secondsAfterExpiry: number): Promise<string | undefined> => {
        now = NOW + (60 + secondsAfterExpiry) * SECOND;
        return codeOf(keys.verify(token));
      };
      expect(await outcome(1)).toBeUndefined();
      expect(await outcome(600)).toBeUndefined();
      expect(await outcome(899)).toBeUndefined();
      expect(await outcome(900)).toBe('ERR_KEY_STORE_UNAVAILABLE');
      expect(await outcome(901)).toBe('ERR_KEY_STORE_UNAVAILABLE');
      // AND the failing URL was not asked per request
      const failedFetches = server.requests() - 1;
      expect(failedFetches).toBeGreaterThanOrEqual(1);
      expect(failedFetches).toBeLessThanOrEqual(5);
      // AND once the URL answers again (after the retry interval), the verifier recovers
      server.publish([es256], 'max-age=60');
      expect(await outcome(910)).toBeUndefined();
    });

    it('rate-limits failures before the first load: one fetch per retry interval', async () => {
      // GIVEN a URL that fails
      server.routes.set(JWKS_PATH, { status: 500, body: 'error' });
      const keys = verifier();
      const token = await signWith(es256);

      // WHEN 100 verifications at once, then 100 one second apart
      const concurrent = await Promise.all(
        Array.from({ length: 100 }, () => codeOf(keys.verify(token))),
      );
      for (let index = 1; index <= 100; index += 1) {
        now = NOW + index * SECOND;
        await codeOf(keys.verify(token));
      }

      // THEN every one failed closed, and the URL saw one fetch per 5 s
      expect(new Set(concurrent)).toEqual(new Set(['ERR_KEY_STORE_UNAVAILABLE']));
      expect(server.requests()).toBe(1 + 100 / 5);
    });

    it('fails when the server never answers, aborted by the timeout', async () => {
      server.routes.set(JWKS_PATH, { hang: true });
      const keys = verifier({ timeoutMs: 50 });
      await expect(keys.refresh()).rejects.toMatchObject({
        code: 'ERR_KEY_STORE_UNAVAILABLE',
        message: expect.stringContaining('no answer within 50 ms') as string,
      });
    });

    it('fails when the body never ends, aborted by the timeout', async () => {
      server.routes.set(JWKS_PATH, { endless: 10 });
      const keys = verifier({ timeoutMs: 50 });
      await expect(keys.refresh()).rejects.toMatchObject({
        message: expect.stringContaining('no answer within 50 ms') as string,
      });
    });

    it('cuts off a response over the size limit while it streams', async () => {
      // GIVEN a body that sends 100 kB and never ends: only counting while streaming stops it
      server.routes.set(JWKS_PATH, { endless: 100_000 });
      const keys = verifier({ maxResponseBytes: 65_536, timeoutMs: 60_000 });

      // WHEN / THEN refused for its size, not by the timeout
      await expect(keys.refresh()).rejects.toMatchObject({
        code: 'ERR_KEY_STORE_UNAVAILABLE',
        message: expect.stringContaining('larger than 65536 bytes') as string,
      });
    });

    it('refuses a response whose Content-Length is over the size limit, unread', async () => {
      server.routes.set(JWKS_PATH, { body: JSON.stringify({ keys: [publicJwk(rs256)] }) });
      await expect(verifier({ maxResponseBytes: 100 }).refresh()).rejects.toMatchObject({
        message: expect.stringContaining('larger than 100 bytes') as string,
      });
    });

    it.each<[string, () => void, string]>([
      [
        'HTTP 404',
        () => server.routes.set(JWKS_PATH, { status: 404 }),
        'ERR_KEY_STORE_UNAVAILABLE',
      ],
      [
        'a redirect (not followed)',
        () =>
          server.routes.set(JWKS_PATH, {
            status: 302,
            headers: { location: `${server.issuer}/elsewhere` },
          }),
        'ERR_KEY_STORE_UNAVAILABLE',
      ],
      ['not JSON', () => server.routes.set(JWKS_PATH, { body: '<html>' }), 'ERR_KEY_SET_INVALID'],
      [
        'not UTF-8',
        () => server.routes.set(JWKS_PATH, { body: Buffer.from([0x7b, 0xff, 0x7d]) }),
        'ERR_KEY_SET_INVALID',
      ],
      ['not a JWK Set', () => server.serveKeySet([publicJwk(es256)]), 'ERR_KEY_SET_INVALID'],
      ['an empty JWK Set', () => server.serveKeySet({ keys: [] }), 'ERR_KEY_SET_INVALID'],
      [
        'a JWK Set of more than 100 keys',
        () =>
          server.serveKeySet({
            keys: Array.from({ length: 101 }, (_, index) => ({
              ...publicJwk(eddsa),
              kid: `k${index}`,
            })),
          }),
        'ERR_KEY_SET_INVALID',
      ],
      [
        'a JWK Set whose every entry is refused',
        () => server.serveKeySet({ keys: [{ ...publicJwk(es256), d: 'AAAA' }] }),
        'ERR_KEY_SET_INVALID',
      ],
    ])('fails closed before the first load on %s', async (_name, serve, code) => {
      serve();
      const keys = verifier();
      await expect(codeOf(keys.verify(await signWith(es256)))).resolves.toBe(code);
    });
  });

  describe('key set entries', () => {
    const withMember = (member: string, value: unknown) => (document: AsymmetricKeyDocument) => ({
      ...publicJwk(document),
      [member]: value,
    });
    const withoutMember = (member: string) => (document: AsymmetricKeyDocument) =>
      Object.fromEntries(Object.entries(publicJwk(document)).filter(([name]) => name !== member));
    it.each<
      [string, AsymmetricKeyDocument['alg'], (document: AsymmetricKeyDocument) => unknown, string]
    >([
      ['the whole private JWK (d)', 'ES256', (document) => ({ ...document }), 'private member "d"'],
      ['d', 'EdDSA', withMember('d', 'AAAA'), 'private member "d"'],
      ...(['p', 'q', 'dp', 'dq', 'qi', 'oth'] as const).map(
        (member) =>
          [member, 'RS256', withMember(member, 'AAAA'), `private member "${member}"`] as [
            string,
            AsymmetricKeyDocument['alg'],
            (document: AsymmetricKeyDocument) => unknown,
            string,
          ],
      ),
      ['k', 'ES256', withMember('k', 'AAAA'), 'private member "k"'],
      [
        'an oct key',
        'ES256',
        (document) => ({ kty: 'oct', kid: document.kid, alg: 'HS256', k: 'A'.repeat(43) }),
        'oct',
      ],
      ['alg of another key type', 'RS256', withMember('alg', 'ES256'), 'ES256 needs kty "EC"'],
      ['alg RS384', 'RS256', withMember('alg', 'RS384'), 'alg must be'],
      ['alg HS256 on a public key', 'EdDSA', withMember('alg', 'HS256'), 'alg must be'],
      ['alg none', 'ES256', withMember('alg', 'none'), 'alg must be'],
      ['no alg', 'ES256', withoutMember('alg'), 'alg must be'],
      ['crv P-384', 'ES256', withMember('crv', 'P-384'), 'crv "P-256"'],
      ['use enc', 'ES256', withMember('use', 'enc'), 'use must be "sig"'],
      ['key_ops without verify', 'ES256', withMember('key_ops', ['encrypt']), 'key_ops'],
      ['no kid', 'ES256', withoutMember('kid'), 'kid must be'],
      ['x not base64url', 'EdDSA', withMember('x', 'a+b/'), 'canonical'],
      ['x of the wrong size', 'EdDSA', withMember('x', 'AAAA'), '32 bytes'],
      [
        'an RSA modulus of 1024 bits',
        'RS256',
        withMember('n', Buffer.alloc(128, 0xff).toString('base64url')),
        '2048',
      ],
      [
        'a point not on the curve',
        'ES256',
        withMember('y', Buffer.alloc(32, 1).toString('base64url')),
        'valid public key',
      ],
    ])('skips an entry with %s, warns, and uses the others', async (_name, alg, entry, reason) => {
      // GIVEN a set with the bad entry next to a good one
      const document = { ES256: es256, EdDSA: eddsa, RS256: rs256 }[alg];
      const good = alg === 'ES256' ? eddsa : es256;
      server.serveKeySet({ keys: [entry(document), publicJwk(good)] });
      const warnings: Record<string, unknown>[] = [];
      const keys = verifier({
        logger: { warn: (message, fields) => warnings.push({ message, ...fields }) },
      });

      // WHEN
      const bad = await codeOf(keys.verify(await signWith(document)));
      const accepted = await keys.verify(await signWith(good));

      // THEN the bad entry verifies nothing, the good one verifies, and the warning says why
      expect(bad).toBe('ERR_JWT_UNKNOWN_KID');
      expect(accepted.kid).toBe(good.kid);
      expect(warnings).toEqual([
        expect.objectContaining({
          message: 'key set entry skipped',
          index: 0,
          reason: expect.stringContaining(reason) as string,
        }),
      ]);
      // AND the warning holds no key material
      const logged = JSON.stringify(warnings);
      for (const member of ['d', 'p', 'q', 'x', 'y', 'n'] as const) {
        const value = (document as unknown as Record<string, string | undefined>)[member];
        if (value !== undefined) expect(logged).not.toContain(value);
      }
    });

    it('refuses every entry of a duplicated kid', async () => {
      // GIVEN two entries with one kid (another key under the ES256 key's kid)
      const impostor = await asymmetricKey('ES256', es256.kid, NOW);
      server.serveKeySet({ keys: [publicJwk(es256), publicJwk(impostor), publicJwk(eddsa)] });
      const keys = verifier();

      // WHEN / THEN neither key verifies; the other kid still does
      expect(await codeOf(keys.verify(await signWith(es256)))).toBe('ERR_JWT_UNKNOWN_KID');
      expect(await codeOf(keys.verify(await signWith(impostor)))).toBe('ERR_JWT_UNKNOWN_KID');
      await expect(keys.verify(await signWith(eddsa))).resolves.toMatchObject({ kid: eddsa.kid });
    });
  });

  describe('discovery', () => {
    it('reads the jwks_uri of the issuer’s OpenID configuration, once', async () => {
      // GIVEN a verifier given the issuer only
      const keys = new JwksVerifier({ issuer: server.issuer, audience: 'api', clock });
      const before = server.requests(CONFIGURATION_PATH);
      const token = await signWith(es256, { issuer: server.issuer });

      // WHEN it verifies across two cache periods
      await keys.verify(token);
      now = NOW + 301 * SECOND;
      await keys.verify(token);

      // THEN
      expect(server.requests(CONFIGURATION_PATH) - before).toBe(1);
      expect(server.requests(JWKS_PATH)).toBe(2);
      // AND the issuer is also the iss it requires
      expect(await codeOf(keys.verify(await signWith(es256)))).toBe('ERR_JWT_CLAIM_INVALID');
    });

    it.each<[string, (issuer: string) => Record<string, unknown>]>([
      [
        'another issuer',
        (issuer) => ({ issuer: `${issuer}/other`, jwks_uri: `${issuer}${JWKS_PATH}` }),
      ],
      [
        'the issuer with a trailing slash',
        (issuer) => ({ issuer: `${issuer}/`, jwks_uri: `${issuer}${JWKS_PATH}` }),
      ],
      ['no issuer', (issuer) => ({ jwks_uri: `${issuer}${JWKS_PATH}` })],
      [
        'a jwks_uri on another host',
        (issuer) => ({
          issuer,
          jwks_uri: `${issuer.replace('127.0.0.1', 'localhost')}${JWKS_PATH}`,
        }),
      ],
      [
        'a jwks_uri on another port',
        (issuer) => ({ issuer, jwks_uri: `http://127.0.0.1:1${JWKS_PATH}` }),
      ],
      [
        'a jwks_uri elsewhere on the internet',
        (issuer) => ({ issuer, jwks_uri: `https://attacker.example${JWKS_PATH}` }),
      ],
      ['no jwks_uri', (issuer) => ({ issuer })],
      ['a relative jwks_uri', (issuer) => ({ issuer, jwks_uri: JWKS_PATH })],
    ])('fails closed when the configuration names %s', async (_name, configuration) => {
      // GIVEN
      server.routes.set(CONFIGURATION_PATH, { body: JSON.stringify(configuration(server.issuer)) });
      const keys = new JwksVerifier({ issuer: server.issuer, clock });
      const before = server.requests(JWKS_PATH);

      // WHEN / THEN no key set is fetched
      expect(await codeOf(keys.verify(await signWith(es256, { issuer: server.issuer })))).toBe(
        'ERR_KEY_SET_INVALID',
      );
      expect(server.requests(JWKS_PATH)).toBe(before);
      server.routes.set(CONFIGURATION_PATH, {
        body: JSON.stringify({ issuer: server.issuer, jwks_uri: server.jwksUri }),
      });
    });

    it('fails closed when an https issuer names a plain http jwks_uri on its host', async () => {
      // GIVEN an https issuer (served by an injected fetch: the test has no TLS server)
      const requested: string[] = [];
      const fetch = (url: string): Promise<Response> => {
        requested.push(url);
        return Promise.resolve(
          Response.json({
            issuer: 'https://keys.example',
            jwks_uri: 'http://keys.example/jwks.json',
          }),
        );
      };
      const keys = new JwksVerifier({ issuer: 'https://keys.example', fetch, clock });

      // WHEN / THEN
      await expect(keys.refresh()).rejects.toMatchObject({ code: 'ERR_KEY_SET_INVALID' });
      expect(requested).toEqual(['https://keys.example/.well-known/openid-configuration']);
    });
  });

  describe('constructor', () => {
    it.each<[string, Partial<JwksVerifierOptions>]>([
      ['neither jwksUri nor issuer', { jwksUri: undefined, issuer: undefined }],
      ['a jwksUri over plain http on a public host', { jwksUri: 'http://keys.example/jwks.json' }],
      ['a jwksUri that is not a URL', { jwksUri: 'keys.example/jwks.json' }],
      ['a jwksUri with credentials', { jwksUri: 'https://user:pass@keys.example/jwks.json' }],
      [
        'an issuer to discover over plain http',
        { jwksUri: undefined, issuer: 'http://keys.example' },
      ],
      ['minCacheMs as text', { minCacheMs: '60000' as unknown as number }],
      ['maxCacheMs below minCacheMs', { minCacheMs: 60_000, maxCacheMs: 30_000 }],
      ['defaultCacheMs above maxCacheMs', { defaultCacheMs: 7_200_000 }],
      ['timeoutMs 0', { timeoutMs: 0 }],
      ['maxResponseBytes not whole', { maxResponseBytes: 1.5 }],
      ['maxStalenessMs negative', { maxStalenessMs: -1 }],
      ['unknownKidRefreshIntervalMs NaN', { unknownKidRefreshIntervalMs: Number.NaN }],
      ['clockToleranceSeconds as text', { clockToleranceSeconds: '60' as unknown as number }],
      ['fetch not a function', { fetch: 'fetch' as unknown as JwksVerifierOptions['fetch'] }],
    ])('fails when given %s', (_name, options) => {
      expect(() => verifier(options)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) as Error,
      );
    });

    it.each([
      'http://127.0.0.1:8080/jwks.json',
      'http://[::1]:8080/jwks.json',
      'http://localhost/jwks.json',
    ])('accepts plain http on the loopback host of %s', (jwksUri) => {
      expect(() => verifier({ jwksUri })).not.toThrow();
    });
  });
});
