/**
 * The one refresh policy of both caches (client/refresh-policy.ts): single flight, fail fast,
 * bounded staleness, the unknown-kid budget, and each deliberate difference between the
 * secret's cache and the key set's as a named option. Reads are a fake the test settles; time
 * is the injected clock.
 */
import { JwtKeyRing } from '../../client';
import { JwtKeyRingError } from '../../client/errors';
import { RefreshPolicy, type RefreshPolicyOptions } from '../../client/refresh-policy';

import { fakeSecrets, key, SECRET_ID } from './support';

const NOW = Date.UTC(2026, 0, 1);
const PERIOD_MS = 60_000;
const RETRY_MS = 5_000;
const UNKNOWN_KID_MS = 30_000;
const STALE_MS = 120_000;

interface Value {
  readonly n: number;
  readonly readAt: number;
}

/** A policy over a value read by `read`, which fails while `failing` is set. */
function harness(options: Partial<RefreshPolicyOptions<Value>> = {}) {
  const state = { now: NOW, reads: 0, failing: false, cached: undefined as Value | undefined };
  const policy = new RefreshPolicy<Value>({
    read: () => {
      state.reads += 1;
      if (state.failing) {
        return Promise.reject(new JwtKeyRingError('ERR_KEY_STORE_UNAVAILABLE', 'down'));
      }
      state.cached = { n: state.reads, readAt: state.now };
      return Promise.resolve(state.cached);
    },
    cached: () => state.cached,
    expiresAt: (value) => value.readAt + PERIOD_MS,
    readAt: (value) => value.readAt,
    clock: () => state.now,
    retryAfterFailureMs: RETRY_MS,
    maxStaleAfterExpiryMs: STALE_MS,
    unknownKidRefreshIntervalMs: UNKNOWN_KID_MS,
    everyReadSpendsUnknownKidBudget: false,
    waitForRetryWhileFailing: true,
    tooStale: (staleForMs) => new JwtKeyRingError('ERR_KEY_STORE_UNAVAILABLE', `${staleForMs}`),
    readVerb: 'read',
    ...options,
  });
  return { policy, state };
}

describe('Class: RefreshPolicy', () => {
  it('shares one read among concurrent callers (single flight)', async () => {
    // GIVEN
    const { policy, state } = harness();

    // WHEN three callers need the value at once
    const values = await Promise.all([policy.due(), policy.due(), policy.refresh('manual')]);

    // THEN one read served them all
    expect(state.reads).toBe(1);
    expect(values.map((value) => value.n)).toEqual([1, 1, 1]);
  });

  it('fails fast after a failed first read, and reads again after the retry interval', async () => {
    // GIVEN a first read that failed
    const { policy, state } = harness();
    state.failing = true;
    await expect(policy.due()).rejects.toThrow('down');

    // WHEN callers arrive within the retry interval, then after it
    state.failing = false;
    state.now += RETRY_MS - 1;
    const within = policy.due();
    await expect(within).rejects.toThrow('not read again until 5000 ms after that failure');
    state.now += 1;

    // THEN no read within it; one after it
    expect(state.reads).toBe(1);
    await expect(policy.due()).resolves.toMatchObject({ n: 2 });
  });

  it('before expiry (a cache refreshing ahead of it): serves the cached value, reads behind', async () => {
    // GIVEN a value read, asked for again before it expires (the ring's refreshAheadMs window;
    // the key set's freshKeys covers its whole period, so it never asks before expiry)
    const { policy, state } = harness();
    await policy.due();
    state.now += PERIOD_MS - 1;

    // WHEN
    const served = await policy.due();

    // THEN the cached value is served at once, and one read runs in the background
    expect(served.n).toBe(1);
    expect(state.reads).toBe(2);
  });

  it('serves the stale value within its bound while reads fail, then refuses', async () => {
    // GIVEN a value read, then a source that fails
    const { policy, state } = harness();
    await policy.due();
    state.failing = true;

    // WHEN it is asked for within the bound past expiry, then at the bound
    state.now += PERIOD_MS + STALE_MS - 1;
    const within = await policy.due();
    state.now += RETRY_MS + 1;
    const beyond = policy.due();

    // THEN the stale value serves, then the refusal names how stale it is
    expect(within.n).toBe(1);
    await expect(beyond).rejects.toThrow(`${STALE_MS + RETRY_MS}`);
  });

  it.each([
    [true, 'every read spends the budget: no read', 1],
    [false, 'only unknown-kid reads spend it: a read', 2],
  ])(
    'everyReadSpendsUnknownKidBudget %s: an unknown kid just after a read (%s)',
    async (everyReadSpendsUnknownKidBudget, _, reads) => {
      // GIVEN a value just read for another cause
      const { policy, state } = harness({ everyReadSpendsUnknownKidBudget });
      await policy.due();

      // WHEN a token with an unknown kid arrives
      state.now += 1;
      await policy.refreshForUnknownKid();

      // THEN
      expect(state.reads).toBe(reads);
    },
  );

  it.each([
    [true, 3],
    [false, 1],
  ])(
    'waitForRetryWhileFailing %s: once the retry interval passed, callers get read %i',
    async (waitForRetryWhileFailing, served) => {
      // GIVEN an expired value whose refresh failed longer than the retry interval ago
      const { policy, state } = harness({ waitForRetryWhileFailing });
      await policy.due();
      state.now += PERIOD_MS;
      state.failing = true;
      await policy.due();
      state.failing = false;
      state.now += RETRY_MS;

      // WHEN a caller needs the value
      const value = await policy.due();

      // THEN it waited for the retry (the new value), or was served the stale one at once
      expect(value.n).toBe(served);
      // AND the retry was made either way
      expect(state.reads).toBe(3);
    },
  );

  it.each([true, false])(
    'makes no unknown-kid read while a read has just failed (everyReadSpendsUnknownKidBudget %s)',
    async (everyReadSpendsUnknownKidBudget) => {
      // GIVEN a value, then a refresh that failed a moment ago
      const { policy, state } = harness({ everyReadSpendsUnknownKidBudget });
      await policy.due();
      state.now += UNKNOWN_KID_MS;
      state.failing = true;
      await policy.refresh('manual').catch(() => undefined);

      // WHEN a token with an unknown kid arrives within the retry interval
      state.now += RETRY_MS - 1;
      const refreshed = await policy.refreshForUnknownKid();

      // THEN no read is made (the budget is not spent either: one read once the interval passed)
      expect(refreshed).toBeUndefined();
      expect(state.reads).toBe(2);
      state.now += 1;
      state.failing = false;
      await expect(policy.refreshForUnknownKid()).resolves.toMatchObject({ n: 3 });
    },
  );
});

describe('Class: JwtKeyRing, unknown kids while Secrets Manager fails', () => {
  it('does not read for an unknown kid within the retry interval of a failed read', async () => {
    // GIVEN a ring whose keys were read, then a refresh that failed
    let now = NOW;
    const secrets = fakeSecrets();
    secrets.setKey('AWSCURRENT', key('k1', NOW));
    const ring = new JwtKeyRing({ secretId: SECRET_ID, client: secrets.client, clock: () => now });
    const other = new JwtKeyRing({ secretId: SECRET_ID, client: fakeWith('k2'), clock: () => now });
    await ring.refresh();
    now += UNKNOWN_KID_MS;
    secrets.failWith = 'ThrottlingException';
    await ring.refresh().catch(() => undefined);
    const calls = secrets.calls;

    // WHEN a token with a kid the ring does not hold arrives a moment later
    now += 1;
    const verifying = ring.verify(await other.sign({ sub: 'a' }));

    // THEN it is refused without another call to the failing service
    await expect(verifying).rejects.toMatchObject({ code: 'ERR_JWT_UNKNOWN_KID' });
    expect(secrets.calls).toBe(calls);
  });
});

function fakeWith(kid: string) {
  const secrets = fakeSecrets();
  secrets.setKey('AWSCURRENT', key(kid, NOW));
  return secrets.client;
}
