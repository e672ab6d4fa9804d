/**
 * How JwtKeyRing reads the secret, against local-aws through the real SDK: failures before the
 * first load are rate-limited; a token of the next key (nextKid) is read for at once; and the
 * two parallel reads that straddle a rotation's label move are detected and read again.
 */
import { JwtKeyRing, type JwtKeyRingOptions } from '../../client';
import { type KeyDocument } from '../../key-document';

import { hmacToken, key, kidOf, type LocalSecret, localSecret } from './support';

const T0 = Date.UTC(2026, 0, 1);
const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe('Class: JwtKeyRing', () => {
  let now: number;
  let secret: LocalSecret | undefined;

  async function start(first: KeyDocument): Promise<LocalSecret> {
    secret = await localSecret(() => now, first);
    return secret;
  }

  function ring(options: Partial<JwtKeyRingOptions> = {}): JwtKeyRing {
    return new JwtKeyRing({
      secretId: secret!.arn,
      client: secret!.client,
      clock: () => now,
      ...options,
    });
  }

  function tokenOf(document: KeyDocument, kid = document.kid): string {
    return hmacToken(
      { alg: 'HS256', kid, typ: 'JWT' },
      { sub: 'u', exp: Math.floor(now / 1000) + 3600 },
      document,
    );
  }

  const codeOf = (outcome: Promise<unknown>): Promise<string> =>
    outcome.then(
      () => 'accepted',
      (error: { code: string }) => error.code,
    );

  beforeEach(() => {
    now = T0;
  });

  afterEach(async () => {
    await secret?.close();
    secret = undefined;
  });

  describe('first load', () => {
    it('fails when Secrets Manager throttles, and then fails fast: 100 verifies make at most 2 calls until the retry interval passes', async () => {
      // GIVEN a ring that never loaded its keys, and Secrets Manager throttling every read
      const k1 = key('k1', T0);
      const local = (await start(k1)).local;
      local.faults.inject({
        operation: 'GetSecretValue',
        error: 'ThrottlingException',
        times: Infinity,
      });
      const keys = ring();
      const token = tokenOf(k1);

      // WHEN 100 verifications come one after the other, then 100 at once
      const codes = new Set<string>();
      for (let index = 0; index < 100; index += 1) codes.add(await codeOf(keys.verify(token)));
      const sequentialReads = secret!.reads();
      now += 5 * SECOND;
      for (const code of await Promise.all(
        Array.from({ length: 100 }, () => codeOf(keys.verify(token))),
      )) {
        codes.add(code);
      }

      // THEN each burst made one read pair, and every caller was refused as unavailable
      expect(codes).toEqual(new Set(['ERR_KEY_STORE_UNAVAILABLE']));
      expect(sequentialReads).toBeLessThanOrEqual(2);
      expect(secret!.reads()).toBeLessThanOrEqual(4);

      // AND once the retry interval has passed and the service answers, the keys load
      local.faults.clear();
      now += 5 * SECOND;
      await expect(keys.verify(token)).resolves.toMatchObject({ kid: 'k1' });
    });
  });

  describe('next key (nextKid)', () => {
    it('accepts a token of the new key at once after a rotation, though a junk kid spent the unknown-kid budget a second before', async () => {
      // GIVEN k1 current, naming k2 as its next key, loaded at T0
      const k1 = key('k1', T0, { nextKid: 'k2' });
      const k2 = key('k2', T0 + MINUTE, { graceSeconds: 3600, nextKid: 'k3', previousKid: 'k1' });
      await start(k1);
      const keys = ring();
      await keys.refresh();

      // WHEN a token with a random kid comes at 59 s, k2 becomes current at 60 s, and a token of
      // k2 comes at 61 s
      now = T0 + 59 * SECOND;
      await expect(codeOf(keys.verify(tokenOf(k1, 'junk-kid')))).resolves.toBe(
        'ERR_JWT_UNKNOWN_KID',
      );
      now = T0 + 60 * SECOND;
      await secret!.put(k2);
      now = T0 + 61 * SECOND;

      // THEN it is accepted; k1's tokens verify with the previous key
      await expect(keys.verify(tokenOf(k2))).resolves.toMatchObject({
        kid: 'k2',
        stage: 'AWSCURRENT',
      });
      await expect(keys.verify(tokenOf(k1))).resolves.toMatchObject({ stage: 'AWSPREVIOUS' });
      // AND other unknown kids are still held to their own budget
      await expect(codeOf(keys.verify(tokenOf(k1, 'junk-2')))).resolves.toBe('ERR_JWT_UNKNOWN_KID');
    });

    it('a flood of tokens carrying the next kid before any rotation reads at most once per second', async () => {
      // GIVEN k1 current, naming k2 as its next key, loaded
      const k1 = key('k1', T0, { nextKid: 'k2' });
      await start(k1);
      const keys = ring({ nextKidRefreshIntervalMs: 1000 });
      await keys.refresh();
      const readsBefore = secret!.reads();
      const forged = tokenOf(k1, 'k2');

      // WHEN 1,000 tokens with kid k2 (signed with another key) come over 10 seconds
      const codes = new Set<string>();
      for (let index = 0; index < 1000; index += 1) {
        now = T0 + index * 10;
        codes.add(await codeOf(keys.verify(forged)));
      }

      // THEN all were refused, with at most one read pair per second
      expect(codes).toEqual(new Set(['ERR_JWT_UNKNOWN_KID']));
      expect(secret!.reads() - readsBefore).toBeLessThanOrEqual(2 * 10);
      expect(secret!.reads() - readsBefore).toBeGreaterThan(0);
    });
  });

  describe('reads across a label move', () => {
    /** k1 was current, k2 is, naming k1 as its previous key; k3 is about to become current. */
    const k1 = key('k1', T0 - 60 * MINUTE);
    const k2 = key('k2', T0 - 30 * MINUTE, {
      graceSeconds: 3600,
      previousKid: 'k1',
      nextKid: 'k3',
    });
    const k3 = key('k3', T0, { graceSeconds: 3600, previousKid: 'k2', nextKid: 'k4' });
    const stage = (name: string) => (input: Record<string, unknown>) => input.VersionStage === name;

    async function rotatedOnce(): Promise<JwtKeyRing> {
      await start(k1);
      await secret!.put(k2);
      const keys = ring();
      await keys.refresh();
      // Spend the unknown-kid budget, as junk traffic would: a missed key is not read for.
      await codeOf(keys.verify(tokenOf(k1, 'junk-kid')));
      return keys;
    }

    /** A refresh whose two reads are answered in the order given, with k3's promotion between. */
    async function refreshAcrossTheMove(
      keys: JwtKeyRing,
      answeredBeforeTheMove: 'AWSCURRENT' | 'AWSPREVIOUS',
    ): Promise<void> {
      const local = secret!.local;
      const heldCurrent = local.faults.hold({
        operation: 'GetSecretValue',
        when: stage('AWSCURRENT'),
      });
      const heldPrevious = local.faults.hold({
        operation: 'GetSecretValue',
        when: stage('AWSPREVIOUS'),
      });
      const refreshing = keys.refresh();
      await Promise.all([heldCurrent.arrived, heldPrevious.arrived]);
      const [before, after] =
        answeredBeforeTheMove === 'AWSCURRENT'
          ? [heldCurrent, heldPrevious]
          : [heldPrevious, heldCurrent];
      before.release();
      await secret!.put(k3);
      after.release();
      await refreshing;
    }

    it('AWSPREVIOUS read before the move: reads it again, and the key just demoted verifies', async () => {
      // GIVEN
      const keys = await rotatedOnce();

      // WHEN AWSPREVIOUS is read before k3's promotion and AWSCURRENT after it
      await refreshAcrossTheMove(keys, 'AWSPREVIOUS');

      // THEN k2, just demoted, verifies as the previous key; k1 is gone; k3 signs
      await expect(keys.verify(tokenOf(k2))).resolves.toMatchObject({ stage: 'AWSPREVIOUS' });
      await expect(codeOf(keys.verify(tokenOf(k1)))).resolves.toBe('ERR_JWT_UNKNOWN_KID');
      expect(kidOf(await keys.sign({}))).toBe('k3');
    });

    it('both reads return the version that moved: reads AWSCURRENT again, and signs with the new key', async () => {
      // GIVEN
      const keys = await rotatedOnce();

      // WHEN AWSCURRENT is read before k3's promotion and AWSPREVIOUS after it (both k2)
      await refreshAcrossTheMove(keys, 'AWSCURRENT');

      // THEN k3 signs, and k2 verifies as the previous key
      const reads = secret!.reads();
      expect(kidOf(await keys.sign({}))).toBe('k3');
      await expect(keys.verify(tokenOf(k2))).resolves.toMatchObject({ stage: 'AWSPREVIOUS' });
      expect(secret!.reads()).toBe(reads);
    });

    it('documents without previousKid: an AWSPREVIOUS found absent while the grace runs is read again', async () => {
      // GIVEN keys as today's rotation writes them (a grace, no previousKid): k2 current, k1
      // retired, and a ring that loaded them and spent its unknown-kid budget
      const old = key('k1', T0 - 90 * MINUTE);
      const current = key('k2', T0 - 30 * MINUTE, { graceSeconds: 600 });
      const next = key('k3', T0, { graceSeconds: 3600 });
      await start(old);
      await secret!.put(current);
      await secret!.removePrevious();
      const keys = ring();
      await keys.refresh();
      await codeOf(keys.verify(tokenOf(old, 'junk-kid')));

      // WHEN AWSPREVIOUS is read before k3's promotion (nothing) and AWSCURRENT after it
      const local = secret!.local;
      const heldPrevious = local.faults.hold({
        operation: 'GetSecretValue',
        when: stage('AWSPREVIOUS'),
      });
      const heldCurrent = local.faults.hold({
        operation: 'GetSecretValue',
        when: stage('AWSCURRENT'),
      });
      const refreshing = keys.refresh();
      await Promise.all([heldPrevious.arrived, heldCurrent.arrived]);
      heldPrevious.release();
      await secret!.put(next);
      heldCurrent.release();
      await refreshing;

      // THEN k2, just demoted, verifies as the previous key
      await expect(keys.verify(tokenOf(current))).resolves.toMatchObject({
        stage: 'AWSPREVIOUS',
      });
    });

    it('a revoked previous key is read again once, then stays absent: nothing is carried over from the cache', async () => {
      // GIVEN a ring holding k1 as the previous key
      const keys = await rotatedOnce();
      await expect(keys.verify(tokenOf(k1))).resolves.toMatchObject({ stage: 'AWSPREVIOUS' });

      // WHEN k1 is revoked (its label removed, its grace not ended) and the ring refreshes twice
      await secret!.removePrevious();
      const readsBefore = secret!.reads();
      await keys.refresh();
      const firstRefreshReads = secret!.reads() - readsBefore;
      await keys.refresh();

      // THEN k1 is refused; the first refresh read AWSPREVIOUS a second time, the next did not
      await expect(codeOf(keys.verify(tokenOf(k1)))).resolves.toBe('ERR_JWT_UNKNOWN_KID');
      expect(firstRefreshReads).toBe(3);
      expect(secret!.reads() - readsBefore).toBe(5);
    });
  });
});
