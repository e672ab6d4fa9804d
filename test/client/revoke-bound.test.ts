/**
 * The revoke bound at each verifier (README, "The revoke bound at each verifier"), measured with
 * each library's real defaults, not assumed. For each verifier kind: one long-lived verifier
 * reads the keys once (a token of the key to be revoked), the key leaves what it reads at that
 * very moment (the worst case: its cache is as fresh as it gets), and the key's holder keeps
 * minting fresh tokens with it. Time moves in 10-second steps until the verifier refuses them;
 * a token of the key that stays must pass at every step.
 *
 * The key set is served by a node:http server on 127.0.0.1 with the stack's `Cache-Control:
 * public, max-age=300`, so each row is the verifier's own share; CloudFront's share (the
 * invalidation, at worst its 5-minute max-age) comes on top (README). JwtKeyRing reads Secrets
 * Manager on local-aws, the revoke being the removal of AWSPREVIOUS.
 *
 * Time: JwtKeyRing, JwksVerifier and AwsJwtVerifyJwksCache take an injected clock; jose
 * (cacheMaxAge), jwks-rsa (its lru-cache reads `performance.now()`), jsonwebtoken and
 * aws-jwt-verify (`exp`) read Date. jest's fake timers fake Date and performance alone
 * (`doNotFake` lists every timer: sockets and timeouts stay real), and each step moves them with
 * the injected clock. Nothing sleeps.
 */
import { dirname } from 'node:path';

import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import jwt from 'jsonwebtoken';

import { AwsJwtVerifyJwksCache, JwksVerifier, JwtKeyRing } from '../../client';
import { type AsymmetricKeyDocument, type KeyDocument } from '../../key-document';
import { fakeDateOnly } from '../support/fake-date';
import { JWKS_PATH, type KeySetServer, startKeySetServer } from '../support/key-set-server';

import {
  asymmetricKey,
  asymmetricToken,
  hmacToken,
  key,
  type LocalSecret,
  localSecret,
} from './support';

const AUDIENCE = 'api';
const STEP_MS = 10_000;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
// Each row walks up to 720 steps, each a signature and a verification or two.
jest.setTimeout(60_000);
/** What the stack serves (keySetMaxAge's default). */
const CACHE_CONTROL = 'public, max-age=300';

/** A verifier made once; `accepts` tells whether it verifies the token. */
interface Verifier {
  accepts(token: string): Promise<boolean>;
}

/** The signer side of a row: tokens of the key being revoked and of the key that stays. */
interface Keys {
  revoked(): string;
  staying(): string;
}

interface Row {
  readonly name: string;
  /** The bound the README states for this verifier (undefined: none, it never refetches). */
  readonly statedMs: number | undefined;
  /** How far below the stated bound the measure may land (a refresh made ahead of time). */
  readonly earlyByMs?: number;
  /** The cache holds an entry while its age is not above the bound: refused on the step after. */
  readonly staleAfterBound?: boolean;
  /**
   * The revoke also cuts the verifier off what it reads (network, permissions): it serves its
   * stale keys within its staleness bound, then fails closed, the staying key's tokens with them.
   */
  readonly unreachable?: boolean;
  /** How long to look for a refusal. */
  readonly limitMs: number;
  readonly stepMs: number;
  setUp(now: () => number): Promise<{
    verifier: Verifier;
    keys: Keys;
    /** Removes the revoked key from what the verifier reads. */
    revoke(): Promise<void>;
    close?(): Promise<void>;
  }>;
}

const accepting =
  (verify: (token: string) => Promise<unknown>): Verifier['accepts'] =>
  (token) =>
    verify(token).then(
      () => true,
      () => false,
    );

/** A key set on 127.0.0.1 holding both keys, and ES256 tokens of each (15 minutes, fresh). */
async function keySetRig(now: () => number, unreachable: boolean) {
  const server = await startKeySetServer();
  const revoked = await asymmetricKey('ES256', 'revoked', now());
  const staying = await asymmetricKey('ES256', 'staying', now());
  server.publish([revoked, staying], CACHE_CONTROL);
  const tokenOf = (document: AsymmetricKeyDocument) => (): string => {
    const seconds = Math.floor(now() / 1000);
    return asymmetricToken(
      { alg: 'ES256', kid: document.kid, typ: 'JWT' },
      { iss: server.issuer, aud: AUDIENCE, sub: 'user', iat: seconds, exp: seconds + 900 },
      document,
    );
  };
  return {
    server,
    keys: { revoked: tokenOf(revoked), staying: tokenOf(staying) },
    revoke: () => {
      server.publish([staying], CACHE_CONTROL);
      if (unreachable) server.routes.set(JWKS_PATH, { status: 503, body: 'unavailable' });
      return Promise.resolve();
    },
    close: () => server.close(),
  };
}

/** A row on the published key set: the verifier is built on its URL. */
function keySetRow(
  row: Omit<Row, 'setUp'>,
  build: (server: KeySetServer, now: () => number) => Promise<Verifier> | Verifier,
): Row {
  return {
    ...row,
    async setUp(now) {
      const rig = await keySetRig(now, row.unreachable === true);
      return { ...rig, verifier: await build(rig.server, now) };
    },
  };
}

/**
 * JwtKeyRing on local-aws: the leaked key is AWSPREVIOUS, in a long grace; the revoke removes
 * its label.
 */
function keyRingRow(row: Omit<Row, 'setUp'>): Row {
  return {
    ...row,
    async setUp(now) {
      const revoked: KeyDocument = key('revoked', now());
      const staying = key('staying', now(), { graceSeconds: 86_400, previousKid: 'revoked' });
      const secret: LocalSecret = await localSecret(now, revoked);
      await secret.put(staying);
      const ring = new JwtKeyRing({ secretId: secret.arn, client: secret.client, clock: now });
      const tokenOf = (document: KeyDocument) => (): string => {
        const seconds = Math.floor(now() / 1000);
        return hmacToken(
          { alg: 'HS256', kid: document.kid, typ: 'JWT' },
          { sub: 'user', iat: seconds, exp: seconds + 900 },
          document,
        );
      };
      return {
        verifier: { accepts: accepting((token) => ring.verify(token)) },
        keys: { revoked: tokenOf(revoked), staying: tokenOf(staying) },
        async revoke() {
          await secret.removePrevious();
          if (row.unreachable === true) {
            secret.local.faults.inject({
              operation: 'GetSecretValue',
              error: 'InternalServiceError',
              times: Infinity,
            });
          }
        },
        close: () => secret.close(),
      };
    },
  };
}

const ROWS: readonly Row[] = [
  keyRingRow({
    name: 'JwtKeyRing (Secrets Manager reachable)',
    statedMs: 5 * MINUTE_MS, // cacheTtlMs
    earlyByMs: 30_000, // refreshAheadMs: a read starts 10% ahead of the cache period's end
    limitMs: 2 * 60 * MINUTE_MS,
    stepMs: STEP_MS,
  }),
  keyRingRow({
    name: 'JwtKeyRing (Secrets Manager unreachable)',
    statedMs: 15 * MINUTE_MS, // maxStalenessMs, from the last successful read
    unreachable: true,
    limitMs: 2 * 60 * MINUTE_MS,
    stepMs: STEP_MS,
  }),
  keySetRow(
    { name: 'JwksVerifier', statedMs: 5 * MINUTE_MS, limitMs: 2 * 60 * MINUTE_MS, stepMs: STEP_MS },
    (server, now) => {
      const verifier = new JwksVerifier({ jwksUri: server.jwksUri, clock: now });
      return { accepts: accepting((token) => verifier.verify(token)) };
    },
  ),
  keySetRow(
    {
      name: 'JwksVerifier (key set URL failing)',
      statedMs: 20 * MINUTE_MS, // max-age, then maxStalenessMs
      unreachable: true,
      limitMs: 2 * 60 * MINUTE_MS,
      stepMs: STEP_MS,
    },
    (server, now) => {
      const verifier = new JwksVerifier({ jwksUri: server.jwksUri, clock: now });
      return { accepts: accepting((token) => verifier.verify(token)) };
    },
  ),
  keySetRow(
    {
      name: 'jose createRemoteJWKSet',
      statedMs: 10 * MINUTE_MS, // cacheMaxAge
      limitMs: 2 * 60 * MINUTE_MS,
      stepMs: STEP_MS,
    },
    async (server) => {
      const { createRemoteJWKSet, jwtVerify } = await import('jose');
      const keys = createRemoteJWKSet(new URL(server.jwksUri));
      return { accepts: accepting((token) => jwtVerify(token, keys, { audience: AUDIENCE })) };
    },
  ),
  keySetRow(
    {
      name: 'jwks-rsa',
      statedMs: 10 * MINUTE_MS, // cacheMaxAge
      staleAfterBound: true, // lru-cache: stale when its age is > ttl
      limitMs: 2 * 60 * MINUTE_MS,
      stepMs: STEP_MS,
    },
    async (server) => {
      // Loaded afresh under the fake clock: its lru-cache keeps the performance object it finds.
      // lru-cache also reuses a time it read for `ttlResolution` (1 ms) of real time, across which
      // this test's clock can jump a step: its cache reads the clock at every call here
      // (ttlResolution 0). The cache's policy (ttl = cacheMaxAge) stays jwks-rsa's own.
      jest.resetModules();
      const memoizerLruCache = require.resolve('lru-cache', {
        paths: [dirname(require.resolve('lru-memoizer'))],
      });
      jest.doMock(memoizerLruCache, () => {
        const actual = jest.requireActual<{ LRUCache: new (options: object) => object }>(
          memoizerLruCache,
        );
        class EveryReadTimed extends actual.LRUCache {
          constructor(options: object) {
            super({ ...options, ttlResolution: 0 });
          }
        }
        return { ...actual, LRUCache: EveryReadTimed };
      });
      const { JwksClient } = await import('jwks-rsa');
      const client = new JwksClient({ jwksUri: server.jwksUri }); // cache on, rate limit off
      return {
        accepts: accepting(async (token) => {
          const kid = jwt.decode(token, { complete: true })?.header.kid;
          const signingKey = await client.getSigningKey(kid);
          return jwt.verify(token, signingKey.getPublicKey(), {
            audience: AUDIENCE,
            algorithms: ['ES256'],
          });
        }),
      };
    },
  ),
  keySetRow(
    {
      name: 'aws-jwt-verify with AwsJwtVerifyJwksCache',
      statedMs: 5 * MINUTE_MS,
      limitMs: 2 * 60 * MINUTE_MS,
      stepMs: STEP_MS,
    },
    (server, now) => {
      const verifier = JwtVerifier.create(
        { issuer: server.issuer, audience: AUDIENCE, jwksUri: server.jwksUri },
        { jwksCache: new AwsJwtVerifyJwksCache({ clock: now }) },
      );
      return { accepts: accepting((token) => verifier.verify(token)) };
    },
  ),
  keySetRow(
    {
      name: 'aws-jwt-verify with AwsJwtVerifyJwksCache (key set URL failing)',
      statedMs: 20 * MINUTE_MS, // max-age, then maxStalenessMs
      unreachable: true,
      limitMs: 2 * 60 * MINUTE_MS,
      stepMs: STEP_MS,
    },
    (server, now) => {
      const verifier = JwtVerifier.create(
        { issuer: server.issuer, audience: AUDIENCE, jwksUri: server.jwksUri },
        { jwksCache: new AwsJwtVerifyJwksCache({ clock: now }) },
      );
      return { accepts: accepting((token) => verifier.verify(token)) };
    },
  ),
  keySetRow(
    {
      name: 'aws-jwt-verify (its SimpleJwksCache)',
      statedMs: undefined,
      limitMs: 30 * DAY_MS,
      stepMs: 60 * MINUTE_MS,
    },
    (server) => {
      // Its default cache and penalty box; only the transport differs, as its own fetcher speaks
      // https alone and this server is plain http on 127.0.0.1.
      const fetcher = {
        fetch: async (uri: string) => (await fetch(uri)).arrayBuffer(),
      };
      const verifier = JwtVerifier.create(
        { issuer: server.issuer, audience: AUDIENCE, jwksUri: server.jwksUri },
        { jwksCache: new SimpleJwksCache({ fetcher }) },
      );
      return { accepts: accepting((token) => verifier.verify(token)) };
    },
  ),
];

describe('The revoke bound at each verifier', () => {
  let now: number;
  /** What each row measured, printed once (the README's table quotes it). */
  const measured = new Map<string, number | undefined>();

  afterAll(() => {
    const lines = [...measured].map(
      ([name, ms]) => `${name}: ${ms === undefined ? 'never' : `${ms / 1000} s`}`,
    );
    process.stdout.write(`revoke bounds measured:\n  ${lines.join('\n  ')}\n`);
  });

  beforeEach(() => {
    now = Date.UTC(2026, 0, 1);
    fakeDateOnly(now);
    // (lru-cache takes a start time of 0 for "no TTL": the fake performance.now() begins at 0)
    advance(1000);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  function advance(ms: number): void {
    now += ms;
    jest.advanceTimersByTime(ms); // Date and performance.now() alike; no timer is faked
  }

  /** Time from the revoke to the first refusal of a fresh token of the revoked key. */
  async function measure(row: Row): Promise<{ refusedAfterMs?: number; stayingRefused: number }> {
    const clock = (): number => now;
    const { verifier, keys, revoke, close } = await row.setUp(clock);
    try {
      // GIVEN the verifier has read the keys, then the revoke at once
      expect(await verifier.accepts(keys.revoked())).toBe(true);
      await revoke();
      let stayingRefused = 0;
      for (let elapsed = 0; elapsed <= row.limitMs; elapsed += row.stepMs) {
        if (!(await verifier.accepts(keys.staying()))) stayingRefused += 1;
        if (!(await verifier.accepts(keys.revoked()))) {
          return { refusedAfterMs: elapsed, stayingRefused };
        }
        advance(row.stepMs);
      }
      return { stayingRefused };
    } finally {
      await close?.();
    }
  }

  it.each(ROWS.filter((row) => row.statedMs !== undefined))(
    '$name refuses the revoked key within its stated bound',
    async (row) => {
      // WHEN the revoked key's holder keeps minting tokens, 10 s apart
      const { refusedAfterMs, stayingRefused } = await measure(row);

      // THEN they are refused once the verifier's cache period has run out, and not before it
      // (less a refresh made ahead of time); the key that stays verifies throughout
      const stated = row.statedMs ?? 0;
      measured.set(row.name, refusedAfterMs);
      if (row.staleAfterBound === true) {
        expect(refusedAfterMs).toBeGreaterThan(stated);
        expect(refusedAfterMs).toBeLessThanOrEqual(stated + row.stepMs);
      } else {
        expect(refusedAfterMs).toBeLessThanOrEqual(stated);
        expect(refusedAfterMs).toBeGreaterThan(stated - (row.earlyByMs ?? 0) - row.stepMs);
      }
      // (a verifier cut off from its keys refuses every token at that same step: it fails closed)
      expect(stayingRefused).toBe(row.unreachable === true ? 1 : 0);
    },
  );

  it('aws-jwt-verify’s own cache keeps trusting the revoked key for 30 days and more', async () => {
    // GIVEN aws-jwt-verify with its default cache, which never ages (tokens of known kids only,
    // as when the standby key was announced ahead)
    const row = ROWS.find((candidate) => candidate.statedMs === undefined)!;

    // WHEN the revoked key's holder keeps minting tokens, an hour apart, for 30 days
    const { refusedAfterMs, stayingRefused } = await measure(row);

    // THEN not one is refused
    measured.set(row.name, refusedAfterMs);
    expect(refusedAfterMs).toBeUndefined();
    expect(stayingRefused).toBe(0);
  });

  it('aws-jwt-verify’s own cache drops the revoked key only once a token of an unknown kid makes it fetch', async () => {
    // GIVEN aws-jwt-verify with its default cache, which has read the set, then the revoke
    const clock = (): number => now;
    const rig = await keySetRig(clock, false);
    try {
      const fetcher = { fetch: async (uri: string) => (await fetch(uri)).arrayBuffer() };
      const verifier = JwtVerifier.create(
        { issuer: rig.server.issuer, audience: AUDIENCE, jwksUri: rig.server.jwksUri },
        { jwksCache: new SimpleJwksCache({ fetcher }) },
      );
      await verifier.verify(rig.keys.revoked());
      await rig.revoke();
      advance(DAY_MS);
      const before = await accepting((token) => verifier.verify(token))(rig.keys.revoked());

      // WHEN a token names a kid the cached set does not hold (here: no key at all)
      const stranger = await asymmetricKey('ES256', 'stranger', now);
      const seconds = Math.floor(now / 1000);
      await verifier
        .verify(
          asymmetricToken(
            { alg: 'ES256', kid: 'stranger', typ: 'JWT' },
            { iss: rig.server.issuer, aud: AUDIENCE, exp: seconds + 900 },
            stranger,
          ),
        )
        .catch(() => undefined);

      // THEN the fetch it caused replaced the set, and the revoked key is refused from then on
      const after = await accepting((token) => verifier.verify(token))(rig.keys.revoked());
      expect({ before, after, fetches: rig.server.requests() }).toEqual({
        before: true,
        after: false,
        fetches: 2,
      });
    } finally {
      await rig.close();
    }
  });
});
