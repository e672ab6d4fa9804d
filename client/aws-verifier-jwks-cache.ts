/**
 * A JWKS cache for AWS JWT Verify (npm aws-jwt-verify) that lets a key removed from the
 * published set go. aws-jwt-verify's own SimpleJwksCache keeps a fetched set for the life of the
 * process and fetches again only for a kid it does not hold. The rotation announces the standby
 * key a whole interval ahead, so a long-running aws-jwt-verify process never meets an unknown
 * kid, and a revoked or retired key would verify until it restarts. This cache is
 * aws-jwt-verify's documented extension point (`JwtVerifier.create(props, { jwksCache })`, its
 * `JwksCache` interface) run on JwksVerifier's policy: the set is trusted for its Cache-Control
 * max-age within [minCacheMs, maxCacheMs], the first read after that waits for a new fetch, and
 * while the URL fails the expired set serves for maxStalenessMs at most (key-set-cache.ts,
 * key-set-policy.ts). A kid the set does not hold follows aws-jwt-verify's own rule: its
 * penalty box decides whether a fetch may be made, and hears whether the kid was found.
 *
 * Typed structurally: this package neither imports aws-jwt-verify nor depends on it. Entries
 * are read as JwksVerifier reads them (key-set.ts: public ES256, EdDSA and RS256 keys with kid
 * and alg, no private member) and handed over re-exported from the imported key, with `alg`,
 * so aws-jwt-verify checks the token's alg against it.
 *
 * @example
 * const verifier = JwtVerifier.create(
 *   { issuer, audience: 'api', jwksUri: `${issuer}/.well-known/jwks.json` },
 *   { jwksCache: new AwsJwtVerifyJwksCache() },
 * );
 */
import { type AsymmetricKey } from './compact-jws';
import { JwtKeyRingError } from './errors';
import { checkFetchableUrl } from './fetch-json';
import { requireKid } from './jwt-verification';
import { type KeySet, parseKeySet } from './key-set';
import { type Keys, KeySetCache } from './key-set-cache';
import {
  fetchKeySet,
  keySetPolicy,
  type KeySetPolicy,
  type KeySetPolicyOptions,
} from './key-set-policy';

/**
 * A key set entry as AWS JWT Verify takes it (its `JwkWithKid`): the public members, `kid`,
 * `alg` and `use`. (Type aliases, not interfaces: AWS JWT Verify's JSON types need an index
 * signature, which only a type alias has implicitly.)
 */
export type PublishedJwk =
  | { kty: 'EC'; crv: string; x: string; y: string; kid: string; alg: string; use: 'sig' }
  | { kty: 'OKP'; crv: string; x: string; kid: string; alg: string; use: 'sig' }
  | { kty: 'RSA'; n: string; e: string; kid: string; alg: string; use: 'sig' };

/** A key set as AWS JWT Verify takes it (its `Jwks`). */
export type PublishedJwks = { keys: PublishedJwk[] };

/** A token as AWS JWT Verify hands it over (its `DecomposedJwt`): only the header's kid is read. */
export interface DecomposedToken {
  readonly header: Readonly<Record<string, unknown>>;
}

/**
 * AWS JWT Verify's `PenaltyBox`: whether a kid the cached set does not hold may cause a fetch
 * (`wait` resolves) or not (it rejects), then whether that fetch found the kid. Its
 * `SimplePenaltyBox` fits.
 */
export interface JwksPenaltyBox {
  wait(jwksUri: string, kid: string): Promise<void>;
  registerFailedAttempt(jwksUri: string, kid: string): void;
  registerSuccessfulAttempt(jwksUri: string, kid: string): void;
}

export interface AwsJwtVerifyJwksCacheOptions extends KeySetPolicyOptions {
  /**
   * Decides the fetches a kid the set does not hold may cause. AWS JWT Verify's own
   * `new SimplePenaltyBox({ waitSeconds })` may be passed.
   * @default SimplePenaltyBox's rule, timed by `clock`: after a fetch that did not find the
   * token's kid (or failed), no fetch for an unknown kid of that URL for 10 seconds (such tokens
   * are refused with ERR_JWT_UNKNOWN_KID meanwhile); a fetch that finds its kid ends the wait
   */
  readonly penaltyBox?: JwksPenaltyBox;
  /** Current time in epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** Where skipped key set entries and failed fetches are reported. @default silent */
  readonly logger?: { warn(message: string, fields?: Record<string, unknown>): void };
}

/** SimplePenaltyBox's `waitSeconds` default (AWS JWT Verify 5, jwk.ts). */
const PENALTY_WAIT_MS = 10_000;

interface KeySetEntry {
  readonly cache: KeySetCache;
  /** Successful fetches so far: tells a caller whether a fetch landed while it waited. */
  loads: number;
}

/**
 * AWS JWT Verify's `JwksCache`, honouring the key set's max-age. Errors are JwtKeyRingError
 * (ERR_JWT_UNKNOWN_KID, ERR_KEY_STORE_UNAVAILABLE, ERR_KEY_SET_INVALID), thrown through
 * AWS JWT Verify's `verify` as they are.
 */
export class AwsJwtVerifyJwksCache {
  /** By URL: a verifier's URLs come from its issuer configuration, never from a token. */
  private readonly entries = new Map<string, KeySetEntry>();
  private readonly jwks = new WeakMap<AsymmetricKey, PublishedJwk>();
  private readonly policy: KeySetPolicy;
  private readonly clock: () => number;
  private readonly penaltyBox: JwksPenaltyBox;
  private readonly options: AwsJwtVerifyJwksCacheOptions;

  constructor(options: AwsJwtVerifyJwksCacheOptions = {}) {
    this.options = options;
    this.policy = keySetPolicy(options);
    const clock = options.clock ?? Date.now;
    if (typeof clock !== 'function') {
      throw new JwtKeyRingError('ERR_INVALID_ARGUMENT', 'clock must be a function');
    }
    this.clock = clock;
    this.penaltyBox = options.penaltyBox ?? new ClockedPenaltyBox(PENALTY_WAIT_MS, clock);
  }

  /** The key for an async verify: the cached set while fresh, else the set fetched now. */
  async getJwk(jwksUri: string, decomposedJwt: DecomposedToken): Promise<PublishedJwk> {
    const kid = requireKid(decomposedJwt.header);
    const entry = this.entryFor(jwksUri);
    const loadsBefore = entry.loads;
    const keys = entry.cache.freshKeys() ?? (await entry.cache.keys());
    const key = keys.get(kid);
    if (key !== undefined) return this.jwkOf(key);
    // AWS JWT Verify's rule for a kid the set does not hold: the penalty box may refuse a fetch,
    // and hears whether the fetch found the kid. A set fetched for this call already counts.
    await this.penaltyBox.wait(jwksUri, kid);
    let found: AsymmetricKey | undefined;
    try {
      const latest =
        entry.loads === loadsBefore
          ? (await entry.cache.refresh('unknown_kid')).keys
          : (entry.cache.freshKeys() ?? keys);
      found = latest.get(kid);
    } finally {
      if (found === undefined) this.penaltyBox.registerFailedAttempt(jwksUri, kid);
      else this.penaltyBox.registerSuccessfulAttempt(jwksUri, kid);
    }
    if (found === undefined) throw unknownKid(jwksUri);
    return this.jwkOf(found);
  }

  /**
   * The key for `verifySync`, which cannot wait for a fetch: only a set within its cache period
   * serves. Otherwise it refuses (ERR_KEY_STORE_UNAVAILABLE) and starts the fetch that serves
   * the next call; an unknown kid is refused without a fetch, as AWS JWT Verify does.
   */
  getCachedJwk(jwksUri: string, decomposedJwt: DecomposedToken): PublishedJwk {
    const kid = requireKid(decomposedJwt.header);
    const entry = this.entryFor(jwksUri);
    const keys: Keys | undefined = entry.cache.freshKeys();
    if (keys === undefined) {
      entry.cache.keys().catch(() => undefined);
      throw new JwtKeyRingError(
        'ERR_KEY_STORE_UNAVAILABLE',
        `the key set ${jwksUri} is not cached or its cache period has ended; verify() fetches it, verifySync() does not wait for the fetch it starts`,
      );
    }
    const key = keys.get(kid);
    if (key === undefined) throw unknownKid(jwksUri);
    return this.jwkOf(key);
  }

  /**
   * A key set the application already holds (AWS JWT Verify's `cacheJwks`), read as a fetched
   * one is and cached for the default cache period (it carries no max-age).
   */
  addJwks(jwksUri: string, jwks: unknown): void {
    const keySet = parseKeySet(jwks, jwksUri);
    this.reportSkipped(keySet, jwksUri);
    this.entryFor(jwksUri).cache.store(keySet);
  }

  /** Fetches the set now (AWS JWT Verify's `hydrate`), whatever the cache holds. */
  async getJwks(jwksUri: string): Promise<PublishedJwks> {
    const { keys } = await this.entryFor(jwksUri).cache.refresh('manual');
    return { keys: [...keys.values()].map((key) => this.jwkOf(key)) };
  }

  private entryFor(jwksUri: string): KeySetEntry {
    const known = this.entries.get(jwksUri);
    if (known !== undefined) return known;
    const url = checkFetchableUrl(jwksUri, 'jwksUri');
    const { fetchPolicy, cacheBounds } = this.policy;
    const load = async () => {
      const fetched = await fetchKeySet(url, fetchPolicy);
      entry.loads += 1;
      return fetched;
    };
    const entry: KeySetEntry = {
      loads: 0,
      cache: new KeySetCache({
        load,
        source: url.href,
        clock: this.clock,
        ...cacheBounds,
        // Unknown kids are the penalty box's: the cache's own interval is never consulted.
        unknownKidRefreshIntervalMs: cacheBounds.minCacheMs,
        onWarning: (message, fields) => this.options.logger?.warn(message, fields),
      }),
    };
    this.entries.set(jwksUri, entry);
    return entry;
  }

  private reportSkipped(keySet: KeySet, source: string): void {
    for (const { index, kid, reason } of keySet.skipped) {
      this.options.logger?.warn('key set entry skipped', {
        source,
        index,
        ...(kid !== undefined && { kid }),
        reason,
      });
    }
  }

  /** The entry as AWS JWT Verify reads it, made once per imported key. */
  private jwkOf(key: AsymmetricKey): PublishedJwk {
    let jwk = this.jwks.get(key);
    if (jwk === undefined) {
      jwk = publishedJwk(key);
      this.jwks.set(key, jwk);
    }
    return jwk;
  }
}

/**
 * AWS JWT Verify's SimplePenaltyBox (jwk.ts) on an injected clock instead of a timer: after a
 * failed attempt on a URL, `wait` rejects until `waitMs` have passed; a successful one ends it.
 */
class ClockedPenaltyBox implements JwksPenaltyBox {
  private readonly failedAt = new Map<string, number>();

  constructor(
    private readonly waitMs: number,
    private readonly clock: () => number,
  ) {}

  wait(jwksUri: string): Promise<void> {
    const failedAt = this.failedAt.get(jwksUri);
    if (failedAt !== undefined && this.clock() - failedAt < this.waitMs) {
      return Promise.reject(
        new JwtKeyRingError(
          'ERR_JWT_UNKNOWN_KID',
          `the token's kid is not in the key set ${jwksUri}, which is not fetched again for an unknown kid until ${this.waitMs} ms after the last fetch that did not find one`,
        ),
      );
    }
    return Promise.resolve();
  }

  registerFailedAttempt(jwksUri: string): void {
    this.failedAt.set(jwksUri, this.clock());
  }

  registerSuccessfulAttempt(jwksUri: string): void {
    this.failedAt.delete(jwksUri);
  }
}

function publishedJwk(key: AsymmetricKey): PublishedJwk {
  const exported = key.publicKey.export({ format: 'jwk' });
  const member = (name: 'crv' | 'x' | 'y' | 'n' | 'e'): string => {
    const value = exported[name];
    if (typeof value !== 'string') {
      throw new Error(`unreachable: the public ${key.alg} key has no ${name}`);
    }
    return value;
  };
  const named = { kid: key.kid, alg: key.alg, use: 'sig' } as const;
  switch (exported.kty) {
    case 'EC':
      return { kty: 'EC', crv: member('crv'), x: member('x'), y: member('y'), ...named };
    case 'OKP':
      return { kty: 'OKP', crv: member('crv'), x: member('x'), ...named };
    default:
      return { kty: 'RSA', n: member('n'), e: member('e'), ...named };
  }
}

function unknownKid(jwksUri: string): JwtKeyRingError {
  return new JwtKeyRingError(
    'ERR_JWT_UNKNOWN_KID',
    `no key of the key set ${jwksUri} has the token's kid`,
  );
}
