/**
 * One policy for every reader of a published key set (JwksVerifier, and the JwksCache it lends
 * to aws-jwt-verify): how a fetch is bounded (time, size) and how long a fetched set is trusted
 * (max-age within bounds, then a bounded staleness while the URL fails). The options, their
 * defaults and their checks live here once, so two readers cannot drift into two policies.
 */
import { JwtKeyRingError } from './errors';
import { type Fetch, fetchJson, type FetchPolicy } from './fetch-json';
import { parseKeySet } from './key-set';
import { type FetchedKeySet, type KeySetCacheOptions } from './key-set-cache';
import { checkNumber } from './options';
import { DEFAULT_MAX_STALENESS_MS, RETRY_AFTER_FAILURE_MS } from './refresh-policy';

export interface KeySetPolicyOptions {
  /**
   * The least time a fetched key set is used before it is fetched again, whatever its
   * Cache-Control says (max-age=0 included). Above 0. @default 60000 (1 minute)
   */
  readonly minCacheMs?: number;
  /**
   * The longest: how long a key removed from the set (a revoke) can keep verifying while the
   * URL answers, on top of the CDN's own caching. At least minCacheMs. @default 3600000 (1 hour)
   */
  readonly maxCacheMs?: number;
  /**
   * The cache period of a response with no Cache-Control max-age, within the two bounds.
   * @default 300000 (5 minutes)
   */
  readonly defaultCacheMs?: number;
  /**
   * How long past its cache period an expired set keeps verifying while the URL fails (network,
   * timeout, HTTP error, a set with no usable key); then every verify fails closed with
   * ERR_KEY_STORE_UNAVAILABLE. 0 or more. @default 900000 (15 minutes)
   */
  readonly maxStalenessMs?: number;
  /** How long a fetch may take, body included, in ms. Above 0. @default 5000 */
  readonly timeoutMs?: number;
  /** Larger responses are cut off while they stream, in bytes. @default 65536 */
  readonly maxResponseBytes?: number;
  /** @default the global fetch */
  readonly fetch?: Fetch;
}

/** What the options become: the fetch's bounds and the cache's. */
export interface KeySetPolicy {
  readonly fetchPolicy: FetchPolicy;
  readonly cacheBounds: Pick<
    KeySetCacheOptions,
    'minCacheMs' | 'maxCacheMs' | 'defaultCacheMs' | 'maxStalenessMs' | 'retryAfterFailureMs'
  >;
}

const ABOVE_ZERO = { min: 0, aboveMin: true } as const;

/** The policy, or an ERR_INVALID_ARGUMENT naming the option and the value received. */
export function keySetPolicy(options: KeySetPolicyOptions): KeySetPolicy {
  const fetch = options.fetch ?? globalThis.fetch;
  if (typeof fetch !== 'function') {
    throw new JwtKeyRingError('ERR_INVALID_ARGUMENT', 'fetch must be a function');
  }
  const fetchPolicy: FetchPolicy = {
    fetch,
    timeoutMs: checkNumber(options.timeoutMs ?? 5_000, 'timeoutMs', ABOVE_ZERO),
    maxResponseBytes: checkNumber(options.maxResponseBytes ?? 65_536, 'maxResponseBytes', {
      min: 1,
      integer: true,
    }),
  };
  const minCacheMs = checkNumber(options.minCacheMs ?? 60_000, 'minCacheMs', ABOVE_ZERO);
  const maxCacheMs = checkNumber(options.maxCacheMs ?? 3_600_000, 'maxCacheMs', {
    min: minCacheMs,
    minName: 'minCacheMs',
  });
  const defaultCacheMs = checkNumber(
    options.defaultCacheMs ?? Math.min(maxCacheMs, Math.max(minCacheMs, 300_000)),
    'defaultCacheMs',
    { min: minCacheMs, minName: 'minCacheMs' },
  );
  if (defaultCacheMs > maxCacheMs) {
    throw new JwtKeyRingError(
      'ERR_INVALID_ARGUMENT',
      `defaultCacheMs must be <= maxCacheMs (${maxCacheMs}), got ${defaultCacheMs}`,
    );
  }
  return {
    fetchPolicy,
    cacheBounds: {
      minCacheMs,
      maxCacheMs,
      defaultCacheMs,
      maxStalenessMs: checkNumber(
        options.maxStalenessMs ?? DEFAULT_MAX_STALENESS_MS,
        'maxStalenessMs',
        {
          min: 0,
        },
      ),
      retryAfterFailureMs: Math.min(RETRY_AFTER_FAILURE_MS, minCacheMs),
    },
  };
}

/** One fetch of the key set at `url` under the policy, read strictly (key-set.ts). */
export async function fetchKeySet(url: URL, fetchPolicy: FetchPolicy): Promise<FetchedKeySet> {
  const { body, freshForSeconds } = await fetchJson(url, fetchPolicy);
  return {
    keySet: parseKeySet(body, url.href),
    ...(freshForSeconds !== undefined && { freshForSeconds }),
  };
}
