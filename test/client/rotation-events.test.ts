/**
 * JwtKeyRing.handleRotationEvent: what an event says about a key applies at once, whatever the
 * cache holds, whatever a read in flight returns later, and even when the read that follows
 * fails; and that read starts after the event arrived.
 */
import { JwtKeyRing, type JwtKeyRingOptions } from '../../client';
import { KEY_RETIRED, KEY_ROTATED, parseRotationEvent } from '../../rotation-events';
import { hmacKey } from '../support/key-documents';

import { fakeSecrets, type FakeSecrets, hmacToken, key, kidOf, SECRET_ID } from './support';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const ARN = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SECRET_ID}-AbCdEf`;
const K0 = key('k0', T0 - 60 * MINUTE);
const K1 = key('k1', T0);
const K2 = key('k2', T0 + MINUTE, { graceSeconds: 3600 });

function rotated(
  current: string,
  previous: string | null,
  options: { graceEndsAt?: number; droppedEarly?: string } = {},
): unknown {
  return {
    source: 'rotating-jwt-keys',
    'detail-type': KEY_ROTATED,
    detail: {
      secretArn: ARN,
      algorithm: 'HS256',
      rotatedAt: new Date(T0).toISOString(),
      current: { versionId: `v-${current}`, kid: current },
      previous: previous === null ? null : { versionId: `v-${previous}`, kid: previous },
      previousGraceEndsAt:
        options.graceEndsAt === undefined ? null : new Date(options.graceEndsAt).toISOString(),
      droppedEarly:
        options.droppedEarly === undefined
          ? null
          : { versionId: `v-${options.droppedEarly}`, kid: options.droppedEarly },
    },
  };
}

function retired(kid: string, current: string, reason: 'revoked' | 'grace-period-ended'): unknown {
  return {
    source: 'rotating-jwt-keys',
    'detail-type': KEY_RETIRED,
    detail: {
      secretArn: ARN,
      algorithm: 'HS256',
      retiredAt: new Date(T0).toISOString(),
      reason,
      retired: { versionId: `v-${kid}`, kid },
      current: { versionId: `v-${current}`, kid: current },
      graceEndsAt: null,
    },
  };
}

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

  function tokenOf(document: typeof K1): string {
    return hmacToken(
      { alg: 'HS256', kid: document.kid, typ: 'JWT' },
      { sub: 'u', exp: Math.floor(now / 1000) + 3 * 3600 },
      document,
    );
  }

  /** Lets every call already made reach the fake. */
  const settle = (): Promise<void> => new Promise(setImmediate);

  beforeEach(() => {
    now = T0 + 2 * MINUTE;
    secrets = fakeSecrets();
  });

  describe('Method: handleRotationEvent', () => {
    it.each(['revoked', 'grace-period-ended'] as const)(
      'a key retired (%s) stops verifying at once, even when the read that follows fails, and stays refused',
      async (reason) => {
        // GIVEN k2 current and k1 previous, loaded; then Secrets Manager unreachable
        secrets.setKey('AWSCURRENT', K2);
        secrets.setKey('AWSPREVIOUS', K1);
        const keys = ring();
        await expect(keys.verify(tokenOf(K1))).resolves.toMatchObject({ stage: 'AWSPREVIOUS' });
        secrets.failWith = 'TimeoutError';

        // WHEN the retirement of k1 arrives
        const handled = keys.handleRotationEvent(retired('k1', 'k2', reason));

        // THEN the read it caused failed, and k1 is refused all the same; k2 still serves
        await expect(handled).rejects.toMatchObject({ code: 'ERR_KEY_STORE_UNAVAILABLE' });
        await expect(keys.verify(tokenOf(K1))).rejects.toMatchObject({
          code: 'ERR_JWT_UNKNOWN_KID',
        });
        await expect(keys.verify(tokenOf(K2))).resolves.toMatchObject({ stage: 'AWSCURRENT' });
        expect(kidOf(await keys.sign({}))).toBe('k2');

        // AND a later read that still returns k1 as AWSPREVIOUS (a replica lagging) does not
        // bring it back
        secrets.failWith = undefined;
        now += 10 * MINUTE;
        await keys.refresh();
        await expect(keys.verify(tokenOf(K1))).rejects.toMatchObject({
          code: 'ERR_JWT_UNKNOWN_KID',
        });
      },
    );

    it('a retired key stays refused whatever a read in flight when the event arrived returns', async () => {
      // GIVEN k2 current and k1 previous, loaded, and a read in flight that saw k1 as previous
      secrets.setKey('AWSCURRENT', K2);
      secrets.setKey('AWSPREVIOUS', K1);
      const keys = ring();
      await keys.refresh();
      secrets.hold = true;
      const inFlight = keys.refresh();
      await settle();

      // WHEN k1 is revoked (its label removed), the event arrives, a k1 token comes, and then
      // the read in flight ends
      secrets.setKey('AWSPREVIOUS', undefined);
      const handled = keys.handleRotationEvent(retired('k1', 'k2', 'revoked'));
      const verifying = keys.verify(tokenOf(K1));
      secrets.hold = false;
      secrets.release();
      await inFlight;

      // THEN k1 is refused from the moment the event arrived
      await expect(verifying).rejects.toMatchObject({ code: 'ERR_JWT_UNKNOWN_KID' });
      await expect(handled).resolves.toBe(true);
      await expect(keys.verify(tokenOf(K1))).rejects.toMatchObject({
        code: 'ERR_JWT_UNKNOWN_KID',
      });
    });

    it('sign refuses the cached current key once an event retired it, when the keys cannot be read', async () => {
      // GIVEN k1 current, loaded; then Secrets Manager unreachable
      secrets.setKey('AWSCURRENT', K1);
      const keys = ring();
      await keys.refresh();
      secrets.failWith = 'ThrottlingException';

      // WHEN k1 is revoked (a rotation to k2 this ring missed, then revoke-previous)
      await expect(keys.handleRotationEvent(retired('k1', 'k2', 'revoked'))).rejects.toMatchObject({
        code: 'ERR_KEY_STORE_UNAVAILABLE',
      });
      const failure = (await keys.sign({}).then(
        () => new Error('signed'),
        (error: unknown) => error,
      )) as Error & { code: string };

      // THEN it refuses, saying why, naming no key material
      expect(failure.code).toBe('ERR_KEY_STORE_UNAVAILABLE');
      expect(failure.message).toMatch(/key k1 .*was retired \(revoked\).*could not be refreshed/);
      expect(failure.message).not.toContain(hmacKey(K1).k);
      await expect(keys.verify(tokenOf(K1))).rejects.toMatchObject({
        code: 'ERR_JWT_UNKNOWN_KID',
      });

      // AND once Secrets Manager answers again (after the retry interval), it signs with k2
      secrets.failWith = undefined;
      secrets.setKey('AWSCURRENT', K2);
      now += 5_000;
      expect(kidOf(await keys.sign({}))).toBe('k2');
    });

    it('a rotation event stops signing with the key it demotes, which verifies as previous until the grace the event states; a key dropped early is refused', async () => {
      // GIVEN k1 current and k0 previous, loaded; then Secrets Manager unreachable
      secrets.setKey('AWSCURRENT', K1);
      secrets.setKey('AWSPREVIOUS', K0);
      const keys = ring();
      await expect(keys.verify(tokenOf(K0))).resolves.toMatchObject({ stage: 'AWSPREVIOUS' });
      secrets.failWith = 'TimeoutError';

      // WHEN a forced rotation makes k2 current, demotes k1 (grace 10 minutes) and drops k0
      const graceEndsAt = now + 10 * MINUTE;
      await expect(
        keys.handleRotationEvent(rotated('k2', 'k1', { graceEndsAt, droppedEarly: 'k0' })),
      ).rejects.toMatchObject({ code: 'ERR_KEY_STORE_UNAVAILABLE' });

      // THEN nothing is signed with k1
      await expect(keys.sign({})).rejects.toMatchObject({ code: 'ERR_KEY_STORE_UNAVAILABLE' });
      // AND k1 verifies as the previous key until the grace end, k0 not at all
      await expect(keys.verify(tokenOf(K1))).resolves.toMatchObject({
        stage: 'AWSPREVIOUS',
        kid: 'k1',
      });
      await expect(keys.verify(tokenOf(K0))).rejects.toMatchObject({
        code: 'ERR_JWT_UNKNOWN_KID',
      });
      now = graceEndsAt;
      await expect(keys.verify(tokenOf(K1))).rejects.toMatchObject({
        code: 'ERR_JWT_PREVIOUS_KEY_EXPIRED',
      });
    });

    it('the read an event causes starts after the event: it does not join a read already in flight', async () => {
      // GIVEN k1 current, loaded, and a read in flight that saw k1 as current
      secrets.setKey('AWSCURRENT', K1);
      const keys = ring({ cacheTtlMs: 60 * MINUTE });
      await keys.refresh();
      secrets.hold = true;
      const inFlight = keys.refresh();
      await settle();
      expect(secrets.calls).toBe(4);

      // WHEN k2 becomes current and two deliveries of its event arrive, then the read ends
      secrets.stages.set('AWSPREVIOUS', secrets.stages.get('AWSCURRENT')!);
      secrets.setKey('AWSCURRENT', K2);
      const handled = [
        keys.handleRotationEvent(rotated('k2', null)),
        keys.handleRotationEvent(rotated('k2', null)),
      ];
      secrets.hold = false;
      secrets.release();
      await inFlight;

      // THEN the events waited for one read of their own, made after them
      await expect(Promise.all(handled)).resolves.toEqual([true, true]);
      expect(secrets.calls).toBe(6);
      // AND the ring signs with k2 from its cache
      expect(kidOf(await keys.sign({}))).toBe('k2');
      expect(secrets.calls).toBe(6);
    });
  });
});

describe('Function: parseRotationEvent', () => {
  it.each(['HS256', 'HS384', 'HS512', 'ES256', 'EdDSA', 'RS256'])(
    'reads an event of a %s key',
    (algorithm) => {
      // GIVEN
      const event = rotated('k2', 'k1') as { detail: Record<string, unknown> };

      // WHEN
      const parsed = parseRotationEvent({ ...event, detail: { ...event.detail, algorithm } });

      // THEN
      expect(parsed?.detail.algorithm).toBe(algorithm);
    },
  );

  it.each(['none', 'RS384', 'PS256', 'hs256', undefined])(
    'ignores an event whose algorithm is %s',
    (algorithm) => {
      const event = rotated('k2', 'k1') as { detail: Record<string, unknown> };
      expect(
        parseRotationEvent({ ...event, detail: { ...event.detail, algorithm } }),
      ).toBeUndefined();
    },
  );
});
