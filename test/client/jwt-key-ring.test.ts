/**
 * JwtKeyRing: signing and verifying across the two keys, the grace end read from the secret,
 * the cache under an injected clock and a counting client, and Secrets Manager failing.
 */
import { JwtKeyRing, type JwtKeyRingOptions, type SignOptions } from '../../client';

import { fakeSecrets, type FakeSecrets, key, SECRET_ID } from './support';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

describe('Class: JwtKeyRing', () => {
  let secrets: FakeSecrets;
  let now: number;

  function ring(options: Partial<JwtKeyRingOptions> = {}): JwtKeyRing {
    return new JwtKeyRing({
      secretId: SECRET_ID,
      client: secrets.client,
      clock: () => now,
      ...options,
    });
  }

  beforeEach(() => {
    now = T0;
    secrets = fakeSecrets();
    secrets.setKey('AWSCURRENT', key('k1', T0));
  });

  describe('Method: sign / verify', () => {
    it('signs with the current key (alg, kid, typ in the header; iat and exp set) and verifies it', async () => {
      // GIVEN
      const keys = ring({ issuer: 'https://issuer', audience: 'api' });

      // WHEN
      const token = await keys.sign({ sub: 'user-1', role: 'admin' }, { expiresIn: '15m' });
      const verified = await keys.verify(token);

      // THEN
      expect(verified).toMatchObject({
        stage: 'AWSCURRENT',
        kid: 'k1',
        protectedHeader: { alg: 'HS256', kid: 'k1', typ: 'JWT' },
        payload: {
          sub: 'user-1',
          role: 'admin',
          iss: 'https://issuer',
          aud: 'api',
          iat: T0 / 1000,
          exp: T0 / 1000 + 900,
        },
      });
    });

    it('a token signed before a rotation verifies after it with the previous key, until the grace ends', async () => {
      // GIVEN a token signed with k1
      const keys = ring({ cacheTtlMs: MINUTE });
      const token = await keys.sign({}, { expiresIn: '2h' });

      // WHEN k2 becomes current with a one-hour grace for k1, and the ring refreshes
      now += 10 * MINUTE;
      secrets.setKey('AWSPREVIOUS', key('k1', T0));
      secrets.stages.set('AWSPREVIOUS', { ...secrets.stages.get('AWSCURRENT')! });
      secrets.setKey('AWSCURRENT', key('k2', now, { graceSeconds: 3600 }));
      await keys.refresh();

      // THEN it verifies with AWSPREVIOUS until exactly the grace end
      await expect(keys.verify(token)).resolves.toMatchObject({ stage: 'AWSPREVIOUS', kid: 'k1' });
      now += 60 * MINUTE - 1;
      await keys.refresh();
      await expect(keys.verify(token)).resolves.toMatchObject({ stage: 'AWSPREVIOUS' });
      now += 1;
      await expect(keys.verify(token)).rejects.toMatchObject({
        code: 'ERR_JWT_PREVIOUS_KEY_EXPIRED',
      });
      // AND new tokens are signed with k2
      const fresh = await keys.sign({});
      await expect(keys.verify(fresh)).resolves.toMatchObject({ stage: 'AWSCURRENT', kid: 'k2' });
    });

    it('fails when the secret holds no valid key document, naming the secret and stage, not the value', async () => {
      // GIVEN a password someone wrote by hand
      secrets.stages.set('AWSCURRENT', { versionId: 'v9', value: 'hunter2-not-a-key' });

      // WHEN
      const failure = (await ring()
        .sign({})
        .then(
          () => new Error('signed'),
          (error: unknown) => error,
        )) as Error & { code: string };

      // THEN
      expect(failure).toMatchObject({ code: 'ERR_KEY_DOCUMENT_INVALID' });
      expect(failure.message).toContain(`secret "${SECRET_ID}" version v9 (AWSCURRENT)`);
      expect(failure.message).not.toContain('hunter2');
    });

    it('ignores a previous value that is not a key document, and still serves the current key', async () => {
      // GIVEN
      secrets.stages.set('AWSPREVIOUS', { versionId: 'v0', value: '{"kty":"oct"}' });
      const warnings: string[] = [];
      const keys = ring({ logger: { warn: (message) => warnings.push(message) } });

      // WHEN
      const token = await keys.sign({});

      // THEN
      await expect(keys.verify(token)).resolves.toMatchObject({ stage: 'AWSCURRENT' });
      expect(warnings.join('\n')).toContain('(AWSPREVIOUS)');
    });

    it('fails when constructed without a secret', () => {
      expect(() => ring({ secretId: '' })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      );
    });

    it.each([
      ['an array', [1]],
      ['null', null],
      ['an own "__proto__" key', JSON.parse('{"__proto__": {"admin": true}, "sub": "u"}')],
    ])('refuses claims that are %s', async (_name, claims) => {
      await expect(ring().sign(claims as Record<string, unknown>)).rejects.toMatchObject({
        code: 'ERR_INVALID_ARGUMENT',
      });
    });

    it("keeps the caller's claims and lets the registered claims it sets win", async () => {
      // GIVEN claims that also name iat and exp
      const keys = ring();
      const token = await keys.sign(
        { sub: 'user-1', iat: 1, exp: 2, role: 'reader' },
        { expiresIn: 60 },
      );

      // THEN
      const { payload } = await keys.verify(token);
      expect(payload).toMatchObject({ sub: 'user-1', role: 'reader' });
      expect(payload.exp! - payload.iat!).toBe(60);
    });

    it.each([[0], [-5], ['soon'], [1.5]])('fails when expiresIn is %j', async (expiresIn) => {
      await expect(ring().sign({}, { expiresIn })).rejects.toMatchObject({
        code: 'ERR_INVALID_ARGUMENT',
      });
    });
  });

  describe('options', () => {
    const text = (value: string): number => value as unknown as number;

    it.each<[keyof JwtKeyRingOptions, unknown]>([
      ['cacheTtlMs', 0],
      ['cacheTtlMs', -1],
      ['cacheTtlMs', Number.NaN],
      ['cacheTtlMs', Number.POSITIVE_INFINITY],
      ['cacheTtlMs', text('300000')],
      ['refreshAheadMs', -1],
      ['refreshAheadMs', 5 * MINUTE],
      ['refreshAheadMs', text('30000')],
      ['maxStalenessMs', -1],
      ['maxStalenessMs', MINUTE],
      ['maxStalenessMs', Number.POSITIVE_INFINITY],
      ['maxStalenessMs', text('900000')],
      ['unknownKidRefreshIntervalMs', 0],
      ['unknownKidRefreshIntervalMs', Number.NaN],
      ['unknownKidRefreshIntervalMs', text('30000')],
      ['nextKidRefreshIntervalMs', 0],
      ['nextKidRefreshIntervalMs', -1000],
      ['nextKidRefreshIntervalMs', text('1000')],
      ['clockToleranceSeconds', text('60')],
      ['clockToleranceSeconds', -1],
      ['clockToleranceSeconds', Number.NaN],
      ['clockToleranceSeconds', Number.POSITIVE_INFINITY],
      ['maxTokenBytes', 0],
      ['maxTokenBytes', 1.5],
      ['maxTokenBytes', text('8192')],
      ['maxTokenBytes', Number.POSITIVE_INFINITY],
    ])('fails when constructed with %s: %p, naming the option', (name, value) => {
      // GIVEN / WHEN
      const construct = (): JwtKeyRing => ring({ [name]: value });

      // THEN
      expect(construct).toThrow(
        expect.objectContaining({
          code: 'ERR_INVALID_ARGUMENT',
          message: expect.stringContaining(`${name} must be`),
        }),
      );
    });

    it('accepts the edges of each range', async () => {
      // GIVEN / WHEN
      const keys = ring({
        cacheTtlMs: MINUTE,
        refreshAheadMs: 0,
        maxStalenessMs: MINUTE,
        unknownKidRefreshIntervalMs: 1,
        nextKidRefreshIntervalMs: 1,
        clockToleranceSeconds: 0,
        maxTokenBytes: 1024,
      });

      // THEN
      await expect(keys.verify(await keys.sign({}))).resolves.toMatchObject({ kid: 'k1' });
    });

    it('a tolerance given as text does not turn the nbf check off: construction fails', async () => {
      // GIVEN a token not valid for another 10 minutes
      const token = await ring().sign({}, { notBefore: 600, expiresIn: '1h' });

      // WHEN / THEN
      expect(() => ring({ clockToleranceSeconds: text('60') })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      );
      await expect(ring().verify(token)).rejects.toMatchObject({ code: 'ERR_JWT_NOT_YET_VALID' });
    });

    it.each<[string, unknown]>([
      ['text', '60'],
      ['negative', -1],
      ['NaN', Number.NaN],
      ['infinite', Number.POSITIVE_INFINITY],
    ])('verify fails when its clockToleranceSeconds is %s', async (_kind, value) => {
      const keys = ring();
      const token = await keys.sign({});
      await expect(
        keys.verify(token, { clockToleranceSeconds: value as number }),
      ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    });

    it.each<[string, SignOptions]>([
      ['notBefore as text', { notBefore: text('60') }],
      ['notBefore negative', { notBefore: -1 }],
      ['notBefore fractional', { notBefore: 1.5 }],
      ['notBefore NaN', { notBefore: Number.NaN }],
      ['notBefore not before expiresIn', { notBefore: 900, expiresIn: 900 }],
      ['expiresIn an object', { expiresIn: {} as unknown as number }],
      ['expiresIn NaN', { expiresIn: Number.NaN }],
      ['expiresIn infinite', { expiresIn: Number.POSITIVE_INFINITY }],
      ['expiresIn fractional text', { expiresIn: '1.5m' }],
    ])('sign fails when %s', async (_name, options) => {
      await expect(ring().sign({}, options)).rejects.toMatchObject({
        code: 'ERR_INVALID_ARGUMENT',
      });
    });
  });

  describe('cache', () => {
    it('reads both stages in parallel, once per cache period', async () => {
      // GIVEN
      const keys = ring({ cacheTtlMs: 5 * MINUTE, refreshAheadMs: 0 });
      secrets.hold = true;

      // WHEN the first use starts a refresh
      const first = keys.sign({});
      await Promise.resolve();
      await new Promise(setImmediate);

      // THEN both reads are in flight together before either answered
      expect(secrets.calls).toBe(2);
      secrets.hold = false;
      secrets.release();
      const token = await first;

      // AND within the cache period nothing more is read, however many verifications
      for (let index = 0; index < 100; index += 1) await keys.verify(token);
      now += 5 * MINUTE - 1;
      await keys.verify(token);
      expect(secrets.calls).toBe(2);

      // AND at the end of the period one refresh (two calls) happens
      now += 1;
      await keys.verify(token);
      expect(secrets.calls).toBe(4);
    });

    it('imports an unchanged key once across refreshes, and a changed value anew, checked in full', async () => {
      // GIVEN a ring that loaded its key, and node:crypto's key import counted
      // (the module object itself, which the compiled client calls through)
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const crypto = require('node:crypto') as { createSecretKey: () => unknown };
      const imports = jest.spyOn(crypto, 'createSecretKey');
      const keys = ring({ cacheTtlMs: MINUTE, refreshAheadMs: 0 });
      const token = await keys.sign({});
      const importedAtLoad = imports.mock.calls.length;

      // WHEN three refreshes read the same value
      for (let refresh = 0; refresh < 3; refresh += 1) {
        now += MINUTE;
        await keys.verify(token);
      }

      // THEN the key was not imported again, though it was read again
      expect(importedAtLoad).toBe(1);
      expect(imports).toHaveBeenCalledTimes(1);
      expect(secrets.calls).toBe(8);

      // AND a changed value under the same version id is parsed anew: a broken one is refused
      const { versionId } = secrets.stages.get('AWSCURRENT')!;
      secrets.stages.set('AWSCURRENT', { versionId, value: '{"kty":"oct"}' });
      now += MINUTE;
      await expect(keys.refresh()).rejects.toMatchObject({ code: 'ERR_KEY_DOCUMENT_INVALID' });
      imports.mockRestore();
    });

    it('refreshes ahead of expiry in the background, serving the cached keys meanwhile', async () => {
      // GIVEN
      const keys = ring({ cacheTtlMs: 10 * MINUTE, refreshAheadMs: MINUTE });
      const token = await keys.sign({});
      secrets.hold = true;

      // WHEN a verification comes inside the refresh-ahead window
      now += 9 * MINUTE + 1;
      const verified = await keys.verify(token);

      // THEN it did not wait, and one refresh is in flight
      expect(verified.stage).toBe('AWSCURRENT');
      expect(secrets.calls).toBe(4);
      await keys.verify(token);
      expect(secrets.calls).toBe(4);
      secrets.release();
    });

    it('makes one request at a time: concurrent callers share the refresh in flight', async () => {
      // GIVEN
      const keys = ring();
      secrets.hold = true;

      // WHEN 50 callers need keys at once
      const signing = Array.from({ length: 50 }, () => keys.sign({}));
      await new Promise(setImmediate);
      secrets.release();
      await Promise.all(signing);

      // THEN
      expect(secrets.calls).toBe(2);
    });

    it('serves cached keys while Secrets Manager is unreachable, up to the staleness bound, then fails closed', async () => {
      // GIVEN keys loaded, then Secrets Manager unreachable
      const keys = ring({ cacheTtlMs: 5 * MINUTE, maxStalenessMs: 60 * MINUTE });
      const token = await keys.sign({}, { expiresIn: '3h' });
      secrets.failWith = 'TimeoutError';

      // WHEN the cache period is over but the staleness bound is not
      now += 59 * MINUTE;
      // THEN the cached keys still verify
      await expect(keys.verify(token)).resolves.toMatchObject({ stage: 'AWSCURRENT' });

      // WHEN the staleness bound is reached
      now += MINUTE;
      // THEN it fails closed
      await expect(keys.verify(token)).rejects.toMatchObject({ code: 'ERR_KEY_STORE_UNAVAILABLE' });

      // AND recovers when Secrets Manager is back
      secrets.failWith = undefined;
      now += 10_000;
      await expect(keys.verify(token)).resolves.toMatchObject({ stage: 'AWSCURRENT' });
    });

    it('by default serves cached keys for 15 minutes while Secrets Manager fails, for verifying and signing, then fails closed', async () => {
      // GIVEN keys loaded with the default options, then Secrets Manager throttling
      const keys = ring();
      const token = await keys.sign({}, { expiresIn: '1h' });
      secrets.failWith = 'ThrottlingException';

      // WHEN 15 minutes less a millisecond have passed
      now += 15 * MINUTE - 1;
      // THEN the cached keys still verify and sign
      await expect(keys.verify(token)).resolves.toMatchObject({ stage: 'AWSCURRENT' });
      await expect(keys.sign({})).resolves.toEqual(expect.any(String));

      // WHEN the 15 minutes are up
      now += 1;
      // THEN both fail closed
      await expect(keys.verify(token)).rejects.toMatchObject({ code: 'ERR_KEY_STORE_UNAVAILABLE' });
      await expect(keys.sign({})).rejects.toMatchObject({ code: 'ERR_KEY_STORE_UNAVAILABLE' });
    });

    it('fails closed at once when the first read fails', async () => {
      secrets.failWith = 'AccessDeniedException';
      await expect(ring().sign({})).rejects.toMatchObject({ code: 'ERR_KEY_STORE_UNAVAILABLE' });
    });

    it('unknown-kid flood: 10,000 tokens with random kids cause at most one refresh per interval', async () => {
      // GIVEN a ring whose keys are loaded
      const keys = ring({ cacheTtlMs: 5 * MINUTE, unknownKidRefreshIntervalMs: 30_000 });
      const valid = await keys.sign({});
      const [, payload, signature] = valid.split('.');
      const callsBefore = secrets.calls;

      // WHEN 10,000 tokens with random kids arrive over 2 minutes
      const codes = new Set<string>();
      for (let index = 0; index < 10_000; index += 1) {
        now = T0 + Math.floor((index / 10_000) * 2 * MINUTE);
        const header = Buffer.from(
          JSON.stringify({ alg: 'HS256', kid: `random-${index}` }),
        ).toString('base64url');
        const failure = await keys
          .verify(`${header}.${payload}.${signature}`)
          .catch((error: { code: string }) => error);
        codes.add((failure as { code: string }).code);
      }

      // THEN all were rejected as unknown, with at most one refresh per 30 s (4 intervals)
      expect(codes).toEqual(new Set(['ERR_JWT_UNKNOWN_KID']));
      expect((secrets.calls - callsBefore) / 2).toBeLessThanOrEqual(4);
      expect(secrets.calls - callsBefore).toBeGreaterThan(0);
    });

    it('picks up a new key at once from a rotation event', async () => {
      // GIVEN a ring with k1 cached, then a rotation to k2
      const keys = ring({ cacheTtlMs: 60 * MINUTE });
      await keys.refresh();
      const k2 = key('k2', now, { graceSeconds: 3600 });
      secrets.stages.set('AWSPREVIOUS', { ...secrets.stages.get('AWSCURRENT')! });
      secrets.setKey('AWSCURRENT', k2);
      const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SECRET_ID}-AbCdEf`;
      const event = {
        source: 'rotating-jwt-keys',
        'detail-type': 'JWT Signing Key Rotated',
        detail: { secretArn: arn, algorithm: 'HS256', current: { versionId: 'k2', kid: 'k2' } },
      };

      // WHEN
      const handled = await keys.handleRotationEvent(event);
      const other = await keys.handleRotationEvent({
        ...event,
        detail: { ...event.detail, secretArn: `${arn}x` },
      });

      // THEN
      expect([handled, other]).toEqual([true, false]);
      const token = await keys.sign({});
      await expect(keys.verify(token)).resolves.toMatchObject({ kid: 'k2' });
    });
  });
});
