/**
 * A fetched key set, cached under the refresh policy JwtKeyRing's cache follows
 * (refresh-policy.ts, key-cache.ts), with the
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
import { RefreshPolicy } from './refresh-policy';

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

export class KeySetCache {
  private cached: CachedSet | undefined;
  private readonly policy: RefreshPolicy<CachedSet>;

  constructor(private readonly options: KeySetCacheOptions) {
    const { source, maxStalenessMs } = options;
    this.policy = new RefreshPolicy({
      read: (cause) => this.load(cause),
      cached: () => this.cached,
      expiresAt: (set) => set.expiresAt,
      readAt: (set) => set.fetchedAt,
      clock: options.clock,
      retryAfterFailureMs: options.retryAfterFailureMs,
      maxStaleAfterExpiryMs: maxStalenessMs,
      unknownKidRefreshIntervalMs: options.unknownKidRefreshIntervalMs,
      // The host was promised one fetch per max-age; a set just fetched holds every kid.
      everyReadSpendsUnknownKidBudget: true,
      // A failing URL must not hold every caller for its fetch timeout at each retry.
      waitForRetryWhileFailing: false,
      tooStale: (staleForMs, failure) =>
        new JwtKeyRingError(
          'ERR_KEY_STORE_UNAVAILABLE',
          `the key set ${source} could not be refreshed and has been stale for ` +
            `${Math.round(staleForMs / 1000)} s, beyond the ${Math.round(maxStalenessMs / 1000)} s staleness bound`,
          { cause: failure },
        ),
      readVerb: 'fetched',
    });
  }

  /** The cached keys when no refresh is due: the hot path, answered without a promise. */
  freshKeys(): Keys | undefined {
    const cached = this.cached;
    return cached !== undefined && this.options.clock() < cached.expiresAt
      ? cached.keys
      : undefined;
  }

  /** The keys to use now: cached while fresh, refreshed when due, stale only within bounds. */
  async keys(): Promise<Keys> {
    return this.freshKeys() ?? (await this.policy.due()).keys;
  }

  /**
   * A fetch for a kid the set does not hold, at most once per interval (a set fetched within
   * the interval counts), so that tokens with random kids cannot make a fetch per request.
   * Undefined when no fetch was made or it failed.
   */
  async refreshForUnknownKid(): Promise<Keys | undefined> {
    return (await this.policy.refreshForUnknownKid())?.keys;
  }

  /**
   * Fetches the set; concurrent callers share the one fetch in flight (its cause is that of the
   * caller that started it).
   */
  refresh(cause: KeyRefreshCause): Promise<CachedSet> {
    return this.policy.refresh(cause);
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
      this.options.onWarning('key set refresh failed', {
        source: this.options.source,
        errorCode: failure.code,
        reason: failure.message,
      });
      this.options.onRefresh?.({
        cause,
        outcome: 'failed',
        at: this.options.clock(),
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
}
