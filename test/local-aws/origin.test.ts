/**
 * Contract tests for a local distribution's viewer side: the bucket served as CloudFront serves
 * an S3 origin through origin access control, with its edge cache (CloudFront's developer
 * guide: "Manage how long content stays in the cache", "Invalidate files"). Plain HTTP clients
 * (fetch, jose's createRemoteJWKSet, jwks-rsa) read it; writes go through the real S3 and
 * CloudFront SDK clients.
 */
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import jwksClient from 'jwks-rsa';

import { type Distribution, type LocalAws, startLocalAws } from '../../local-aws';

const BUCKET = 'jwks-bucket';
const JWKS_PATH = '/.well-known/jwks.json';
const JWKS_KEY = JWKS_PATH.slice(1);

describe('local CloudFront distribution (viewer side)', () => {
  let local: LocalAws;
  let s3: S3Client;
  let cloudFront: CloudFrontClient;
  let distribution: Distribution;
  let now: number;

  beforeEach(async () => {
    now = Date.UTC(2026, 0, 1, 12);
    local = await startLocalAws({ clock: () => now });
    s3 = new S3Client(local.s3ClientConfig({ maxAttempts: 1 }));
    cloudFront = new CloudFrontClient(local.clientConfig({ maxAttempts: 1 }));
    local.createBucket(BUCKET);
    distribution = local.createDistribution({ bucket: BUCKET });
  });

  afterEach(async () => {
    s3.destroy();
    cloudFront.destroy();
    await local.close();
  });

  /** `null` writes no Cache-Control. */
  async function write(body: string, cacheControl: string | null = 'max-age=300') {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: JWKS_KEY,
        Body: body,
        ContentType: 'application/json',
        CacheControl: cacheControl ?? undefined,
      }),
    );
  }

  async function read(path = JWKS_PATH, init?: RequestInit) {
    const response = await fetch(`${distribution.url}${path}`, init);
    return { response, body: await response.text() };
  }

  async function invalidate(callerReference: string, paths: string[]) {
    await cloudFront.send(
      new CreateInvalidationCommand({
        DistributionId: distribution.id,
        InvalidationBatch: {
          CallerReference: callerReference,
          Paths: { Quantity: paths.length, Items: paths },
        },
      }),
    );
  }

  describe('serving objects', () => {
    it('answers GET with the body and the headers S3 stored: Content-Type, Cache-Control, ETag, Last-Modified', async () => {
      // GIVEN
      await write('{"keys":[]}');
      const stored = local.readObject(BUCKET, JWKS_KEY)!;

      // WHEN
      const { response, body } = await read();

      // THEN
      expect(response.status).toBe(200);
      expect(body).toBe('{"keys":[]}');
      expect(Object.fromEntries(response.headers)).toMatchObject({
        'content-type': 'application/json',
        'cache-control': 'max-age=300',
        etag: stored.etag,
        'last-modified': new Date(now).toUTCString(),
        'x-cache': 'Miss from cloudfront',
      });
      expect(response.headers.has('age')).toBe(false);
    });

    it('answers a hit from its cache with Age, in whole seconds since it was fetched', async () => {
      await write('{"keys":[]}');
      await read();
      now += 42_700;
      const { response } = await read();
      expect(response.headers.get('x-cache')).toBe('Hit from cloudfront');
      expect(response.headers.get('age')).toBe('42');
    });

    it('answers HEAD with the headers and no body', async () => {
      await write('{"keys":[]}');
      const { response, body } = await read(JWKS_PATH, { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBe('11');
      expect(body).toBe('');
    });

    it('answers 403 AccessDenied for a missing object, as S3 does through origin access control', async () => {
      const { response, body } = await read('/.well-known/missing.json');
      expect(response.status).toBe(403);
      expect(body).toContain('<Code>AccessDenied</Code>');
    });

    it('lists nothing: the root and a folder answer 403', async () => {
      await write('{"keys":[]}');
      for (const path of ['/', '/.well-known/']) {
        const { response, body } = await read(path);
        expect(response.status).toBe(403);
        expect(body).not.toContain('jwks.json');
      }
    });

    it('refuses methods other than GET and HEAD with 403', async () => {
      const { response } = await read(JWKS_PATH, { method: 'POST', body: '{}' });
      expect(response.status).toBe(403);
    });

    it('answers 304 to a conditional GET whose ETag is current', async () => {
      await write('{"keys":[]}');
      const { response } = await read();
      const again = await read(JWKS_PATH, {
        headers: { 'if-none-match': response.headers.get('etag')! },
      });
      expect(again.response.status).toBe(304);
    });

    it('keeps distributions apart: each serves its own bucket at its own URL', async () => {
      // GIVEN a second distribution on a second bucket
      local.createBucket('other-bucket');
      const other = local.createDistribution({ bucket: 'other-bucket' });
      await write('{"keys":["first"]}');

      // WHEN / THEN
      expect((await read()).body).toBe('{"keys":["first"]}');
      expect((await fetch(`${other.url}${JWKS_PATH}`)).status).toBe(403);
    });
  });

  describe('edge cache', () => {
    it('serves the cached body until max-age has passed, fetching the bucket once per max-age', async () => {
      // GIVEN a cached key set
      await write('{"keys":["old"]}', 'max-age=300');
      await read();

      // WHEN the object is rewritten, read just before and at the end of max-age
      await write('{"keys":["new"]}', 'max-age=300');
      now += 299_999;
      const before = await read();
      now += 1;
      const after = await read();

      // THEN
      expect(before.body).toBe('{"keys":["old"]}');
      expect(after.body).toBe('{"keys":["new"]}');
      expect(local.originFetches(distribution.id, JWKS_PATH)).toBe(2);
      expect(local.viewerRequests.map((request) => [request.servedFrom, request.status])).toEqual([
        ['origin', 200],
        ['cache', 200],
        ['origin', 200],
      ]);
    });

    it('prefers s-maxage to max-age', async () => {
      await write('{"keys":["old"]}', 'max-age=300, s-maxage=10');
      await read();
      await write('{"keys":["new"]}');
      now += 10_000;
      expect((await read()).body).toBe('{"keys":["new"]}');
    });

    it('keeps an object without Cache-Control for the default TTL', async () => {
      // GIVEN a distribution whose default TTL is 60 s
      distribution = local.createDistribution({ bucket: BUCKET, defaultTtlSeconds: 60 });
      await write('{"keys":["old"]}', null);
      await read();
      await write('{"keys":["new"]}', null);

      // WHEN / THEN
      now += 59_000;
      expect((await read()).body).toBe('{"keys":["old"]}');
      now += 1_000;
      expect((await read()).body).toBe('{"keys":["new"]}');
    });

    it('clamps max-age to the maximum TTL', async () => {
      distribution = local.createDistribution({
        bucket: BUCKET,
        defaultTtlSeconds: 30,
        maxTtlSeconds: 30,
      });
      await write('{"keys":["old"]}', 'max-age=3600');
      await read();
      await write('{"keys":["new"]}');
      now += 30_000;
      expect((await read()).body).toBe('{"keys":["new"]}');
    });

    it('does not cache no-store when the minimum TTL is 0', async () => {
      distribution = local.createDistribution({ bucket: BUCKET, minTtlSeconds: 0 });
      await write('{"keys":["old"]}', 'no-store');
      await read();
      await write('{"keys":["new"]}', 'no-store');
      expect((await read()).body).toBe('{"keys":["new"]}');
      expect(local.originFetches(distribution.id)).toBe(2);
    });

    it('caches a 403 for the error caching minimum TTL (10 s by default)', async () => {
      // GIVEN a read before the key set exists
      expect((await read()).response.status).toBe(403);
      await write('{"keys":[]}');

      // WHEN / THEN
      now += 9_999;
      expect((await read()).response.status).toBe(403);
      now += 1;
      expect((await read()).response.status).toBe(200);
    });

    it('an invalidation removes the cached paths at once', async () => {
      // GIVEN both documents cached, then rewritten
      await write('{"keys":["old"]}');
      await read();
      await write('{"keys":["new"]}');

      // WHEN
      await invalidate('retire-1', [JWKS_PATH]);

      // THEN
      expect((await read()).body).toBe('{"keys":["new"]}');
      expect(local.originFetches(distribution.id, JWKS_PATH)).toBe(2);
    });

    it('an invalidation ending in * removes every cached path it prefixes, and only those', async () => {
      // GIVEN two cached objects
      await write('{"keys":["old"]}');
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'other.txt',
          Body: 'old',
          CacheControl: 'max-age=300',
        }),
      );
      await read();
      await read('/other.txt');
      await write('{"keys":["new"]}');
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'other.txt',
          Body: 'new',
          CacheControl: 'max-age=300',
        }),
      );

      // WHEN
      await invalidate('retire-1', ['/.well-known/*']);

      // THEN
      expect((await read()).body).toBe('{"keys":["new"]}');
      expect((await read('/other.txt')).body).toBe('old');
    });

    it('an invalidation of another path leaves the cached object', async () => {
      await write('{"keys":["old"]}');
      await read();
      await write('{"keys":["new"]}');
      await invalidate('retire-1', ['/.well-known/openid-configuration']);
      expect((await read()).body).toBe('{"keys":["old"]}');
    });

    it('does not key the cache on the query string', async () => {
      await write('{"keys":[]}');
      await read(`${JWKS_PATH}?a=1`);
      await read(`${JWKS_PATH}?a=2`);
      expect(local.originFetches(distribution.id, JWKS_PATH)).toBe(1);
    });
  });

  describe('faults', () => {
    it('holds a viewer request until released; it is answered with the state of that moment', async () => {
      // GIVEN a read held on arrival
      await write('{"keys":["old"]}');
      const held = local.faults.hold({ operation: 'ViewerRequest' });
      const reading = read();
      await held.arrived;

      // WHEN the key set changes meanwhile
      await write('{"keys":["new"]}');
      held.release();

      // THEN
      expect((await reading).body).toBe('{"keys":["new"]}');
    });

    it('fails viewer requests with the injected status, then serves again', async () => {
      await write('{"keys":[]}');
      local.faults.inject({ operation: 'ViewerRequest', error: 'ServiceUnavailable', times: 1 });
      expect((await read()).response.status).toBe(503);
      expect((await read()).response.status).toBe(200);
    });
  });

  describe('third-party JWKS clients', () => {
    async function publishKey() {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      const jwk = { ...(await exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
      await write(JSON.stringify({ keys: [jwk] }));
      const token = await new SignJWT({ sub: 'user' })
        .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
        .sign(privateKey);
      return token;
    }

    it("jose's createRemoteJWKSet verifies a token with the key read from the distribution", async () => {
      const token = await publishKey();
      const keySet = createRemoteJWKSet(new URL(`${distribution.url}${JWKS_PATH}`));
      const { payload } = await jwtVerify(token, keySet);
      expect(payload.sub).toBe('user');
    });

    it('jwks-rsa reads the signing key by kid from the distribution', async () => {
      await publishKey();
      const client = jwksClient({ jwksUri: `${distribution.url}${JWKS_PATH}`, cache: false });
      const key = await client.getSigningKey('key-1');
      expect(key.kid).toBe('key-1');
      expect(key.getPublicKey()).toContain('BEGIN PUBLIC KEY');
    });
  });
});
