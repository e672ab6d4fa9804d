/**
 * The keys of one secret, read from Secrets Manager (secret-reader.ts) and cached under the
 * library's refresh policy (refresh-policy.ts): fresh for the cache period; refreshed ahead of
 * expiry in the background; one request in flight at a time; when Secrets Manager fails, the
 * cached keys are served up to a staleness bound, then the ring fails closed. Failures before
 * the first load are rate-limited too. What rotation events said about keys (retired, no longer
 * current: key-fates.ts) overrides whatever a read returns, from the moment the event arrives.
 */
import { JwtKeyRingError } from './errors';
import { KeyFates, type KeySnapshot } from './key-fates';
import { type KeyRefresh, type KeyRefreshCause } from './observer';
import { RefreshPolicy } from './refresh-policy';
import { type ConsistentRead, type LoadedKey, SecretReader } from './secret-reader';
import { type SecretsManagerSender } from './secrets-manager-client';

export type { KeyFate, KeySnapshot } from './key-fates';
export type { KeyStage, LoadedKey } from './secret-reader';

export interface KeyCacheOptions {
  readonly client: SecretsManagerSender;
  readonly secretId: string;
  /** The SecretId each read sends: secretId, or its replica in the client's region. */
  readonly secretIdToRead: () => Promise<string>;
  readonly clock: () => number;
  readonly cacheTtlMs: number;
  readonly refreshAheadMs: number;
  /** Counted from the last successful read (at least cacheTtlMs). */
  readonly maxStalenessMs: number;
  readonly retryAfterFailureMs: number;
  readonly unknownKidRefreshIntervalMs: number;
  readonly nextKidRefreshIntervalMs: number;
  readonly onWarning: (message: string, fields: Record<string, unknown>) => void;
  /** Told when each read ends, why it was made and how it went. @default - nobody */
  readonly onRefresh?: (refresh: KeyRefresh) => void;
}

export class KeyCache {
  /** The last consistent read, as the service returned it; `snapshot` is it with fates applied. */
  private lastRead: ConsistentRead | undefined;
  private snapshot: KeySnapshot | undefined;
  /** A read queued to start once the one in flight ends (see refreshFromNow). */
  private followUp: Promise<KeySnapshot> | undefined;
  private lastNextKidRefreshAt: number | undefined;
  private readonly fates = new KeyFates();
  private readonly reader: SecretReader;
  private readonly policy: RefreshPolicy<KeySnapshot>;

  constructor(private readonly options: KeyCacheOptions) {
    this.reader = new SecretReader(options);
    const { secretId, cacheTtlMs, maxStalenessMs } = options;
    this.policy = new RefreshPolicy({
      read: (cause) => this.load(cause),
      cached: () => this.snapshot,
      expiresAt: (snapshot) => snapshot.fetchedAt + cacheTtlMs,
      readAt: (snapshot) => snapshot.fetchedAt,
      clock: options.clock,
      retryAfterFailureMs: options.retryAfterFailureMs,
      // maxStalenessMs counts from the read, the policy from the expiry: the same instant.
      maxStaleAfterExpiryMs: maxStalenessMs - cacheTtlMs,
      unknownKidRefreshIntervalMs: options.unknownKidRefreshIntervalMs,
      // A read for the cache period says nothing of a legacy key an import has just written.
      everyReadSpendsUnknownKidBudget: false,
      waitForRetryWhileFailing: true,
      // A read that has just failed is the refusal itself; the staleness is the refusal after.
      tooStale: (staleForMs, failure, justFailed) =>
        justFailed
          ? failure
          : new JwtKeyRingError(
              'ERR_KEY_STORE_UNAVAILABLE',
              `the keys of secret "${secretId}" could not be refreshed for ` +
                `${Math.round((staleForMs + cacheTtlMs) / 1000)} s, beyond the ${Math.round(maxStalenessMs / 1000)} s staleness bound`,
            ),
      readVerb: 'read',
    });
  }

  /**
   * The cached keys when nothing needs doing (no refresh due): the hot path of sign and verify,
   * answered without a promise. Otherwise undefined, and the caller awaits keys().
   */
  freshKeys(): KeySnapshot | undefined {
    const snapshot = this.snapshot;
    if (snapshot === undefined) return undefined;
    const age = this.options.clock() - snapshot.fetchedAt;
    return age < this.options.cacheTtlMs - this.options.refreshAheadMs ? snapshot : undefined;
  }

  /** The keys to use now: cached while fresh, refreshed when due, stale only within bounds. */
  keys(): Promise<KeySnapshot> {
    const fresh = this.freshKeys();
    return fresh === undefined ? this.policy.due() : Promise.resolve(fresh);
  }

  /**
   * The key to sign with. When an event withdrew the cached AWSCURRENT key, the secret is read
   * again first (the read the event started, or a new one unless one has just failed); if that
   * does not bring a current key, signing is refused rather than done with a withdrawn key.
   */
  async signingKey(): Promise<LoadedKey> {
    let snapshot = await this.keys();
    if (snapshot.current !== undefined) return snapshot.current;
    let readError: unknown = 'not read: a read failed less than the retry interval ago';
    if (
      this.followUp !== undefined ||
      this.policy.reading !== undefined ||
      this.policy.recentFailure(this.options.clock()) === undefined
    ) {
      try {
        snapshot = await (this.followUp ?? this.refresh('event'));
        readError = undefined;
      } catch (error) {
        readError = error;
      }
    }
    if (snapshot.current !== undefined) return snapshot.current;
    throw this.notSigning(snapshot, readError);
  }

  private notSigning(snapshot: KeySnapshot, readError: unknown): JwtKeyRingError {
    if (snapshot.withheld === undefined) {
      // A snapshot holds its current key or says why it withholds it; never neither.
      return new JwtKeyRingError(
        'ERR_KEY_STORE_UNAVAILABLE',
        `not signing: no current key of secret "${this.options.secretId}" is loaded`,
      );
    }
    const { kid, fate } = snapshot.withheld;
    const why =
      fate.kind === 'retired'
        ? `was retired (${fate.reason})`
        : `is no longer current (a rotation event named ${fate.by})`;
    const read =
      readError === undefined
        ? 'Secrets Manager still returns it as AWSCURRENT'
        : 'the keys could not be refreshed';
    return new JwtKeyRingError(
      'ERR_KEY_STORE_UNAVAILABLE',
      `not signing: the AWSCURRENT key ${kid} of secret "${this.options.secretId}" ${why} and ${read}`,
      readError instanceof Error ? { cause: readError } : undefined,
    );
  }

  /**
   * A refresh for a kid the cache does not know, within the unknown-kid budget (see
   * refresh-policy.ts), so tokens with random kids cannot make the application call Secrets
   * Manager per request.
   */
  refreshForUnknownKid(): Promise<KeySnapshot | undefined> {
    return this.policy.refreshForUnknownKid();
  }

  /**
   * A refresh for a token carrying the kid the cache expects next (see KeySnapshot.nextKid): a
   * rotation has happened, so the read starts now, outside the unknown-kid budget, on a small
   * budget of its own (the kid is not secret). Tokens meanwhile wait for the same read.
   */
  async refreshForNextKid(): Promise<KeySnapshot | undefined> {
    const now = this.options.clock();
    let read: Promise<KeySnapshot> | undefined;
    if (
      this.lastNextKidRefreshAt === undefined ||
      now - this.lastNextKidRefreshAt >= this.options.nextKidRefreshIntervalMs
    ) {
      this.lastNextKidRefreshAt = now;
      read = this.refreshFromNow('next_kid');
    } else {
      read = this.followUp ?? this.policy.reading;
    }
    try {
      return read === undefined ? undefined : await read;
    } catch {
      return undefined;
    }
  }

  /**
   * Reads both stages; concurrent callers share the one request in flight (its cause is that of
   * the caller that started it).
   */
  refresh(cause: KeyRefreshCause = 'manual'): Promise<KeySnapshot> {
    return this.policy.refresh(cause);
  }

  /**
   * A read that starts after this call: a read already in flight may have been answered before
   * what the caller knows happened (a label moved or removed), so it is waited for and the
   * secret read again. Callers meanwhile share that one follow-up read.
   */
  refreshFromNow(cause: KeyRefreshCause = 'event'): Promise<KeySnapshot> {
    const running = this.policy.reading;
    if (running === undefined) return this.refresh(cause);
    this.followUp ??= running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.followUp = undefined;
        return this.refresh(cause);
      });
    return this.followUp;
  }

  /**
   * An event says this key is retired (its label removed) or was displaced: it neither signs
   * nor verifies from now on, whatever the cache holds or a read in flight returns. `current`
   * is the key the event names current, if it says.
   */
  retire(kid: string, reason: string, current?: string): void {
    if (this.fates.retire(kid, reason, current)) this.settleAgain();
  }

  /**
   * An event says this key is no longer current (`by` is): it stops signing at once, and
   * verifies as the previous key until graceEndsAt, if the cache still holds it as current.
   */
  supersede(kid: string, by: string, graceEndsAt: number | undefined): void {
    if (this.fates.supersede(kid, by, graceEndsAt)) this.settleAgain();
  }

  private settleAgain(): void {
    if (this.lastRead !== undefined) this.snapshot = this.fates.settle(this.lastRead);
  }

  /** The keys held now, whatever their age: no read, no wait (undefined before the first read). */
  cachedKeys(): KeySnapshot | undefined {
    return this.snapshot;
  }

  private async load(cause: KeyRefreshCause): Promise<KeySnapshot> {
    const fetchedAt = this.options.clock();
    try {
      const read = await this.reader.readConsistent(fetchedAt);
      this.lastRead = read;
      this.snapshot = this.fates.settle(read);
      this.options.onRefresh?.(refreshSucceeded(cause, this.snapshot, this.options.clock()));
      return this.snapshot;
    } catch (error) {
      const failure =
        error instanceof JwtKeyRingError
          ? error
          : new JwtKeyRingError(
              'ERR_KEY_STORE_UNAVAILABLE',
              `could not read the keys of secret "${this.options.secretId}": ${(error as Error).name}`,
              { cause: error },
            );
      this.options.onWarning('key refresh failed', {
        secretId: this.options.secretId,
        errorName: (error as Error).name,
        errorCode: (error as { code?: string }).code,
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
}

/** What a successful read tells the observer: the key that signs now, and how old it is. */
function refreshSucceeded(cause: KeyRefreshCause, snapshot: KeySnapshot, at: number): KeyRefresh {
  const current = snapshot.current;
  const createdAt =
    current?.document.createdAt === undefined ? NaN : Date.parse(current.document.createdAt);
  return {
    cause,
    outcome: 'ok',
    at,
    ...(current !== undefined && { currentKid: current.kid }),
    ...(!Number.isNaN(createdAt) && {
      currentKeyCreatedAt: createdAt,
      currentKeyAgeSeconds: Math.max(0, Math.floor((at - createdAt) / 1000)),
    }),
  };
}
