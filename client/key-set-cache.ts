/**
 * A fetched key set, cached by the rules JwtKeyRing's cache follows (key-cache.ts), with the
 * response deciding the cache period: its Cache-Control max-age (less Age), clamped to
 * [minCacheMs, maxCacheMs]. Fetched again when the period ends, not ahead of it, so a process
 * makes at most one fetch per max-age (the published key set's promise to its host); callers
 * arriving then wait for that one fetch, bounded by the fetch timeout. One fetch in flight at a
 * time. When the URL fails, the expired set keeps serving for
 * at most maxStalenessMs past its expiry, then every verification fails closed; failures before
 * the first load are rate-limited too. A kid the set does not hold causes at most one fetch per
 * unknownKidRefreshIntervalMs, whatever the number of tokens carrying unknown kids.
 */
import { type AsymmetricKey } from './compact-jws';
import { JwtKeyRingError } from './errors';
import { type KeySet } from './key-set';
import { type KeyRefresh, type KeyRefreshCause } from './observer';

export interface FetchedKeySet {
  readonly keySet: KeySet;
  /** What the response said (see fetch-json.ts freshnessOf); undefined: it said nothing. */
  readonly freshForSeconds?: number;
}

export interface KeySetCacheOptions {
  readonly load: () => Promise<FetchedKeySet>;
  /** Names the key set in messages (its URL, or the issuer before discovery). */
  readonly source: string;
  readonly clock: () => number;
  readonly minCacheMs: number;
  readonly maxCacheMs: number;
  readonly defaultCacheMs: number;
  readonly maxStalenessMs: number;
  readonly retryAfterFailureMs: number;
  readonly unknownKidRefreshIntervalMs: number;
  readonly onWarning: (message: string, fields: Record<string, unknown>) => void;
  /** Told when each fetch ends, why it was made and how it went. @default - nobody */
  readonly onRefresh?: (refresh: KeyRefresh) => void;
}

export type Keys = ReadonlyMap<string, AsymmetricKey>;

interface CachedSet {
  readonly keys: Keys;
  readonly fetchedAt: number;
  /** When the set is stale: used only while the URL fails, and only within maxStalenessMs. */
  readonly expiresAt: number;
}

interface FetchFailure {
  readonly at: number;
  readonly error: JwtKeyRingError;
}

export class KeySetCache {
  private cached: CachedSet | undefined;
  private inFlight: Promise<CachedSet> | undefined;
  private lastFailure: FetchFailure | undefined;
  private lastUnknownKidRefreshAt: number | undefined;

  constructor(private readonly options: KeySetCacheOptions) {}

  /** The cached keys when no refresh is due: the hot path, answered without a promise. */
  freshKeys(): Keys | undefined {
    const cached = this.cached;
    return cached !== undefined && this.options.clock() < cached.expiresAt
      ? cached.keys
      : undefined;
  }

  /** The keys to use now: cached while fresh, refreshed when due, stale only within bounds. */
  async keys(): Promise<Keys> {
    const fresh = this.freshKeys();
    if (fresh !== undefined) return fresh;
    const cached = this.cached;
    const now = this.options.clock();
    const recentFailure = this.recentFailure(now);
    if (cached === undefined) {
      // Before the first load too: no fetch per request while the URL fails.
      if (recentFailure !== undefined && this.inFlight === undefined) {
        throw failingFast(recentFailure, this.options.retryAfterFailureMs);
      }
      return (await this.refresh('initial')).keys;
    }
    const staleForMs = now - cached.expiresAt;
    if (staleForMs >= this.options.maxStalenessMs) {
      // Still try (not more often than the retry interval): the URL may be back.
      if (recentFailure !== undefined) throw this.tooStale(staleForMs, recentFailure.error);
      try {
        return (await this.refresh('ttl')).keys;
      } catch (error) {
        throw this.tooStale(staleForMs, error);
      }
    }
    if (this.lastFailure === undefined) {
      // The set just expired and nothing has failed: callers wait for the new set, so a key
      // removed from it stops verifying at the end of the cache period.
      try {
        return (await this.refresh('ttl')).keys;
      } catch {
        return cached.keys;
      }
    }
    // The URL is failing: serve the stale set at once, retrying in the background.
    if (recentFailure === undefined) this.refresh('ttl').catch(() => undefined);
    return cached.keys;
  }

  /**
   * A fetch for a kid the set does not hold, at most once per interval (a set fetched within
   * the interval counts), so that tokens with random kids cannot make a fetch per request.
   * Undefined when no fetch was made or it failed.
   */
  async refreshForUnknownKid(): Promise<Keys | undefined> {
    const now = this.options.clock();
    const last = Math.max(
      this.lastUnknownKidRefreshAt ?? -Infinity,
      this.cached?.fetchedAt ?? -Infinity,
    );
    if (now - last < this.options.unknownKidRefreshIntervalMs) return undefined;
    if (this.recentFailure(now) !== undefined) return undefined;
    this.lastUnknownKidRefreshAt = now;
    try {
      return (await this.refresh('unknown_kid')).keys;
    } catch {
      return undefined;
    }
  }

  /**
   * Fetches the set; concurrent callers share the one fetch in flight (its cause is that of the
   * caller that started it).
   */
  refresh(cause: KeyRefreshCause): Promise<CachedSet> {
    this.inFlight ??= this.load(cause).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * Caches a set the application already holds (AWS JWT Verify's `cacheJwks`) as if fetched
   * now with no max-age: it serves for the default cache period, then the URL is read.
   */
  store(keySet: KeySet): void {
    const fetchedAt = this.options.clock();
    this.cached = {
      keys: keySet.keys,
      fetchedAt,
      expiresAt: fetchedAt + this.cachePeriodMs(undefined),
    };
  }

  private async load(cause: KeyRefreshCause): Promise<CachedSet> {
    const fetchedAt = this.options.clock();
    try {
      const { keySet, freshForSeconds } = await this.options.load();
      for (const { index, kid, reason } of keySet.skipped) {
        this.options.onWarning('key set entry skipped', {
          source: this.options.source,
          index,
          ...(kid !== undefined && { kid }),
          reason,
        });
      }
      const periodMs = this.cachePeriodMs(freshForSeconds);
      this.cached = {
        keys: keySet.keys,
        fetchedAt,
        expiresAt: fetchedAt + periodMs,
      };
      this.lastFailure = undefined;
      // A key set has no current key: the read's cause and outcome are all it reports.
      this.options.onRefresh?.({ cause, outcome: 'ok', at: this.options.clock() });
      return this.cached;
    } catch (error) {
      const failure =
        error instanceof JwtKeyRingError
          ? error
          : new JwtKeyRingError(
              'ERR_KEY_STORE_UNAVAILABLE',
              `could not read the key set ${this.options.source}: ${(error as Error).name}`,
              { cause: error },
            );
      this.lastFailure = { at: this.options.clock(), error: failure };
      this.options.onWarning('key set refresh failed', {
        source: this.options.source,
        errorCode: failure.code,
        reason: failure.message,
      });
      this.options.onRefresh?.({
        cause,
        outcome: 'failed',
        at: this.lastFailure.at,
        code: failure.code,
      });
      throw failure;
    }
  }

  private cachePeriodMs(freshForSeconds: number | undefined): number {
    const { minCacheMs, maxCacheMs, defaultCacheMs } = this.options;
    const asked = freshForSeconds === undefined ? defaultCacheMs : freshForSeconds * 1000;
    return Math.min(maxCacheMs, Math.max(minCacheMs, asked));
  }

  /** The last failed fetch, while it is recent enough that no new fetch is made. */
  private recentFailure(now: number): FetchFailure | undefined {
    const failure = this.lastFailure;
    return failure !== undefined && now - failure.at < this.options.retryAfterFailureMs
      ? failure
      : undefined;
  }

  private tooStale(staleForMs: number, cause: unknown): JwtKeyRingError {
    return new JwtKeyRingError(
      'ERR_KEY_STORE_UNAVAILABLE',
      `the key set ${this.options.source} could not be refreshed and has been stale for ` +
        `${Math.round(staleForMs / 1000)} s, beyond the ${Math.round(this.options.maxStalenessMs / 1000)} s staleness bound`,
      { cause },
    );
  }
}

function failingFast(failure: FetchFailure, retryAfterFailureMs: number): JwtKeyRingError {
  return new JwtKeyRingError(
    failure.error.code,
    `${failure.error.message} (not fetched again until ${retryAfterFailureMs} ms after that failure)`,
    { cause: failure.error },
  );
}
