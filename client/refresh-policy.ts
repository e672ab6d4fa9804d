/**
 * The one refresh policy of the library's two caches (key-cache.ts: the secret's keys, read from
 * Secrets Manager; key-set-cache.ts: the published key set, fetched over HTTPS). Both are a
 * revoke bound, so they follow one set of rules:
 *
 * - single flight: one read in flight at a time, shared by every caller that needs it;
 * - fail fast: after a failed read, no new read for retryAfterFailureMs, before the first
 *   successful read too (callers get the failure, not a call each);
 * - bounded staleness: a cached value expires at its `expiresAt`; while reads fail it serves
 *   for at most maxStaleAfterExpiryMs past that, then every caller is refused;
 * - the unknown-kid budget: at most one read per unknownKidRefreshIntervalMs for tokens whose
 *   kid the cache does not hold, and none while a read has just failed.
 *
 * What the two caches do differently on purpose is an option here, named for what it does.
 */
import { JwtKeyRingError } from './errors';
import { type KeyRefreshCause } from './observer';

/**
 * Least time between two reads after a failed one, in both caches (or their shortest cache
 * period, if shorter): callers meanwhile fail fast, or are served the cached value.
 */
export const RETRY_AFTER_FAILURE_MS = 5_000;

/**
 * How long cached keys serve while reads fail, by default: the secret's counted from its last
 * successful read, the key set's past its cache period (README, "The revoke bound").
 */
export const DEFAULT_MAX_STALENESS_MS = 15 * 60_000;

export interface RefreshPolicyOptions<T> {
  /** The read itself: resolves to the new cached value, or rejects with a JwtKeyRingError. */
  readonly read: (cause: KeyRefreshCause) => Promise<T>;
  /** The cached value now (undefined before the first successful read). */
  readonly cached: () => T | undefined;
  /** When a cached value expires: read again before it is used after that. */
  readonly expiresAt: (value: T) => number;
  /** When a cached value was read (a stored one: when it was stored). */
  readonly readAt: (value: T) => number;
  readonly clock: () => number;
  readonly retryAfterFailureMs: number;
  /** How long past its expiry a cached value serves while reads fail. */
  readonly maxStaleAfterExpiryMs: number;
  readonly unknownKidRefreshIntervalMs: number;
  /**
   * Whether a read made for any cause within unknownKidRefreshIntervalMs counts against the
   * unknown-kid budget (the key set: its host was promised at most one fetch per max-age, and
   * a set just fetched already holds every published kid), or only reads made for unknown kids
   * do (the secret: a read for its cache period says nothing about a key imported since).
   */
  readonly everyReadSpendsUnknownKidBudget: boolean;
  /**
   * Whether callers wait for the read retrying a failed one, once the retry interval has passed
   * (the secret: the SDK bounds each call), or are served the stale value at once while it
   * runs in the background (the key set: a failing URL must not hold every caller for its
   * fetch timeout at each retry). Before any read failed, callers always wait for the read that
   * replaces an expired value, so a key removed from it stops verifying when it expires.
   */
  readonly waitForRetryWhileFailing: boolean;
  /**
   * The refusal once the value is stale beyond maxStaleAfterExpiryMs. `failure` is the read that
   * just failed, or the recent failure no new read is made after (`justFailed` false).
   */
  readonly tooStale: (staleForMs: number, failure: JwtKeyRingError, justFailed: boolean) => Error;
  /** Names what is read in a fail-fast message: 'read' or 'fetched'. */
  readonly readVerb: string;
}

/** A read that failed: when, and how (what callers are told while no new read is made). */
export interface ReadFailure {
  readonly at: number;
  readonly error: JwtKeyRingError;
}

export class RefreshPolicy<T> {
  private inFlight: Promise<T> | undefined;
  private lastFailure: ReadFailure | undefined;
  private lastUnknownKidRefreshAt: number | undefined;

  constructor(private readonly options: RefreshPolicyOptions<T>) {}

  /** The read in flight, if any. */
  get reading(): Promise<T> | undefined {
    return this.inFlight;
  }

  /** Reads now; concurrent callers share the one read in flight (with its first caller's cause). */
  refresh(cause: KeyRefreshCause): Promise<T> {
    this.inFlight ??= this.options.read(cause).then(
      (value) => {
        this.lastFailure = undefined;
        this.inFlight = undefined;
        return value;
      },
      (error: unknown) => {
        this.lastFailure = { at: this.options.clock(), error: asKeyRingError(error) };
        this.inFlight = undefined;
        throw error;
      },
    );
    return this.inFlight;
  }

  /**
   * The value to use once it is no longer fresh: the first read (failing fast after a recent
   * failure), a refresh ahead of expiry, the refreshed value once expired, or the stale value
   * within its bound while reads fail.
   */
  async due(): Promise<T> {
    const cached = this.options.cached();
    const now = this.options.clock();
    const recent = this.recentFailure(now);
    if (cached === undefined) {
      if (recent !== undefined && this.inFlight === undefined) throw this.failingFast(recent);
      return this.refresh('initial');
    }
    const staleForMs = now - this.options.expiresAt(cached);
    if (staleForMs < 0) {
      // Refresh ahead of expiry: callers keep the cached value while it runs.
      if (recent === undefined) this.refresh('ttl').catch(() => undefined);
      return cached;
    }
    if (staleForMs >= this.options.maxStaleAfterExpiryMs) {
      // Still try (not more often than the retry interval): the source may be back.
      if (recent !== undefined) throw this.options.tooStale(staleForMs, recent.error, false);
      try {
        return await this.refresh('ttl');
      } catch (error) {
        throw this.options.tooStale(staleForMs, asKeyRingError(error), true);
      }
    }
    if (recent !== undefined) return cached;
    if (this.lastFailure === undefined || this.options.waitForRetryWhileFailing) {
      try {
        return await this.refresh('ttl');
      } catch {
        return this.options.cached() ?? cached;
      }
    }
    // Reads are failing: serve the stale value at once, retrying in the background.
    this.refresh('ttl').catch(() => undefined);
    return cached;
  }

  /**
   * A read for a kid the cache does not hold, within the unknown-kid budget, so that tokens with
   * random kids cannot cause a read per request. Undefined when none was made or it failed.
   */
  async refreshForUnknownKid(): Promise<T | undefined> {
    const now = this.options.clock();
    const cached = this.options.cached();
    const lastRead =
      this.options.everyReadSpendsUnknownKidBudget && cached !== undefined
        ? this.options.readAt(cached)
        : -Infinity;
    const last = Math.max(this.lastUnknownKidRefreshAt ?? -Infinity, lastRead);
    if (now - last < this.options.unknownKidRefreshIntervalMs) return undefined;
    if (this.recentFailure(now) !== undefined) return undefined;
    this.lastUnknownKidRefreshAt = now;
    try {
      return await this.refresh('unknown_kid');
    } catch {
      return undefined;
    }
  }

  /** The last failed read, while it is recent enough that no new read is made. */
  recentFailure(now: number): ReadFailure | undefined {
    const failure = this.lastFailure;
    return failure !== undefined && now - failure.at < this.options.retryAfterFailureMs
      ? failure
      : undefined;
  }

  private failingFast(failure: ReadFailure): JwtKeyRingError {
    const { readVerb, retryAfterFailureMs } = this.options;
    return new JwtKeyRingError(
      failure.error.code,
      `${failure.error.message} (not ${readVerb} again until ${retryAfterFailureMs} ms after that failure)`,
      { cause: failure.error },
    );
  }
}

/** The caches' reads reject with JwtKeyRingErrors; anything else is the store being unreadable. */
function asKeyRingError(error: unknown): JwtKeyRingError {
  return error instanceof JwtKeyRingError
    ? error
    : new JwtKeyRingError('ERR_KEY_STORE_UNAVAILABLE', 'the keys could not be read', {
        cause: error,
      });
}
