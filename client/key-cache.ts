/**
 * The keys of one secret, read from Secrets Manager and cached: AWSCURRENT and AWSPREVIOUS in
 * two parallel GetSecretValue calls per refresh. Fresh for the cache period; refreshed ahead of
 * expiry in the background; one request in flight at a time; when Secrets Manager fails, the
 * cached keys are served up to a staleness bound, then the ring fails closed. Failures before
 * the first load are rate-limited too. What rotation events said about keys (retired, no longer
 * current) overrides whatever a read returns, from the moment the event arrives.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';

import {
  graceEndOfPrevious,
  type KeyDocument,
  KeyDocumentError,
  parseKeyDocument,
} from '../key-document';

import { encodeProtectedHeader, type JwsKey } from './compact-jws';
import { importDocumentKey } from './document-key';
import { JwtKeyRingError } from './errors';
import { type KeyRefresh, type KeyRefreshCause } from './observer';
import { type SecretsManagerSender } from './secrets-manager-client';

export type KeyStage = 'AWSCURRENT' | 'AWSPREVIOUS';

export type LoadedKey = JwsKey & LoadedKeyState;

interface LoadedKeyState {
  readonly stage: KeyStage;
  /** The encoded header of tokens it signs: { alg, kid, typ: 'JWT' }. */
  readonly signingHeader: string;
  readonly versionId: string;
  /** The version's staging labels when it was read. */
  readonly stages: readonly string[];
  readonly document: KeyDocument;
}

/** What a rotation event said about a kid. Kids are unique per key: a fate is never undone. */
export type KeyFate =
  | { readonly kind: 'retired'; readonly reason: string; readonly current?: string }
  | { readonly kind: 'superseded'; readonly by: string; readonly graceEndsAt?: number };

export interface KeySnapshot {
  /**
   * The AWSCURRENT key: it signs, and verifies. Absent when a rotation event retired it or said
   * another key is current, and no read since has returned the key that is.
   */
  readonly current?: LoadedKey;
  readonly previous?: LoadedKey;
  /** Epoch ms; undefined when the current key does not state it (the label alone decides). */
  readonly previousGraceEndsAt?: number;
  /**
   * A kid whose tokens prove a rotation happened: the current document's nextKid (the standby
   * key), or the kid a rotation event named current. Such a token causes a read at once.
   */
  readonly nextKid?: string;
  /** The key AWSCURRENT held when read, when an event withdrew it, and why. */
  readonly withheld?: { readonly kid: string; readonly fate: KeyFate };
  readonly fetchedAt: number;
}

export interface KeyCacheOptions {
  readonly client: SecretsManagerSender;
  readonly secretId: string;
  /** The SecretId each read sends: secretId, or its replica in the client's region. */
  readonly secretIdToRead: () => Promise<string>;
  readonly clock: () => number;
  readonly cacheTtlMs: number;
  readonly refreshAheadMs: number;
  readonly maxStalenessMs: number;
  readonly retryAfterFailureMs: number;
  readonly unknownKidRefreshIntervalMs: number;
  readonly nextKidRefreshIntervalMs: number;
  readonly onWarning: (message: string, fields: Record<string, unknown>) => void;
  /** Told when each read ends, why it was made and how it went. @default - nobody */
  readonly onRefresh?: (refresh: KeyRefresh) => void;
}

interface ConsistentRead {
  readonly current: LoadedKey;
  readonly previous?: LoadedKey;
  readonly fetchedAt: number;
}

/** Fates remembered; a secret retires about one key per rotation, so this spans decades. */
const MAX_FATES = 256;

/** A read that failed: when, and how (what callers are told while no new read is made). */
interface ReadFailure {
  readonly at: number;
  readonly error: JwtKeyRingError;
}

export class KeyCache {
  /** The last consistent read, as the service returned it; `snapshot` is it with fates applied. */
  private lastRead: ConsistentRead | undefined;
  private snapshot: KeySnapshot | undefined;
  private inFlight: Promise<KeySnapshot> | undefined;
  /** A read queued to start once the one in flight ends (see refreshFromNow). */
  private followUp: Promise<KeySnapshot> | undefined;
  private lastFailure: ReadFailure | undefined;
  private lastUnknownKidRefreshAt: number | undefined;
  private lastNextKidRefreshAt: number | undefined;
  private readonly fates = new Map<string, KeyFate>();
  /** The current version whose predecessor a read after it found gone (retired or revoked). */
  private previousGoneFor: string | undefined;
  private readonly imported = new ImportedKeys();

  constructor(private readonly options: KeyCacheOptions) {}

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
  async keys(): Promise<KeySnapshot> {
    const fresh = this.freshKeys();
    if (fresh !== undefined) return fresh;
    const snapshot = this.snapshot;
    const now = this.options.clock();
    const recentFailure = this.recentFailure(now);
    const recentlyFailed = recentFailure !== undefined;
    if (snapshot === undefined) {
      // Before the first load too: no call per request while the service fails.
      if (recentFailure !== undefined && this.inFlight === undefined) {
        throw this.failingFast(recentFailure);
      }
      return this.refresh('initial');
    }
    const age = now - snapshot.fetchedAt;
    if (age < this.options.cacheTtlMs) {
      // Refresh ahead of expiry: callers keep the cached keys while it runs.
      if (!recentlyFailed) this.refresh('ttl').catch(() => undefined);
      return snapshot;
    }
    if (!recentlyFailed) {
      try {
        return await this.refresh('ttl');
      } catch (error) {
        if (age >= this.options.maxStalenessMs) throw error;
      }
    }
    if (age >= this.options.maxStalenessMs) {
      throw new JwtKeyRingError(
        'ERR_KEY_STORE_UNAVAILABLE',
        `the keys of secret "${this.options.secretId}" could not be refreshed for ` +
          `${Math.round(age / 1000)} s, beyond the ${Math.round(this.options.maxStalenessMs / 1000)} s staleness bound`,
      );
    }
    return this.snapshot ?? snapshot;
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
      this.inFlight !== undefined ||
      this.recentFailure(this.options.clock()) === undefined
    ) {
      try {
        snapshot = await (this.followUp ?? this.refresh('event'));
        readError = undefined;
      } catch (error) {
        readError = error;
      }
    }
    if (snapshot.current !== undefined) return snapshot.current;
    if (snapshot.withheld === undefined) {
      // A snapshot holds its current key or says why it withholds it; never neither.
      throw new JwtKeyRingError(
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
    throw new JwtKeyRingError(
      'ERR_KEY_STORE_UNAVAILABLE',
      `not signing: the AWSCURRENT key ${kid} of secret "${this.options.secretId}" ${why} and ${read}`,
      readError instanceof Error ? { cause: readError } : undefined,
    );
  }

  /**
   * A refresh for a kid the cache does not know, at most once per interval, so tokens with
   * random kids cannot make the application call Secrets Manager per request.
   */
  async refreshForUnknownKid(): Promise<KeySnapshot | undefined> {
    const now = this.options.clock();
    if (
      this.lastUnknownKidRefreshAt !== undefined &&
      now - this.lastUnknownKidRefreshAt < this.options.unknownKidRefreshIntervalMs
    ) {
      return undefined;
    }
    this.lastUnknownKidRefreshAt = now;
    try {
      return await this.refresh('unknown_kid');
    } catch {
      return undefined;
    }
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
      read = this.followUp ?? this.inFlight;
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
    this.inFlight ??= this.load(cause).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * A read that starts after this call: a read already in flight may have been answered before
   * what the caller knows happened (a label moved or removed), so it is waited for and the
   * secret read again. Callers meanwhile share that one follow-up read.
   */
  refreshFromNow(cause: KeyRefreshCause = 'event'): Promise<KeySnapshot> {
    const running = this.inFlight;
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
    if (kid === current) return;
    this.remember(kid, { kind: 'retired', reason, ...(current !== undefined && { current }) });
  }

  /**
   * An event says this key is no longer current (`by` is): it stops signing at once, and
   * verifies as the previous key until graceEndsAt, if the cache still holds it as current.
   */
  supersede(kid: string, by: string, graceEndsAt: number | undefined): void {
    if (kid === by || this.fates.get(kid)?.kind === 'retired') return;
    this.remember(kid, {
      kind: 'superseded',
      by,
      ...(graceEndsAt !== undefined && { graceEndsAt }),
    });
  }

  private remember(kid: string, fate: KeyFate): void {
    this.fates.delete(kid);
    this.fates.set(kid, fate);
    const oldest = this.fates.keys().next();
    if (this.fates.size > MAX_FATES && oldest.done !== true) this.fates.delete(oldest.value);
    if (this.lastRead !== undefined) this.snapshot = this.settle(this.lastRead);
  }

  /** The last failed read, while it is recent enough that no new read is made. */
  private recentFailure(now: number): ReadFailure | undefined {
    const failure = this.lastFailure;
    return failure !== undefined && now - failure.at < this.options.retryAfterFailureMs
      ? failure
      : undefined;
  }

  private failingFast(failure: ReadFailure): JwtKeyRingError {
    return new JwtKeyRingError(
      failure.error.code,
      `${failure.error.message} (not read again until ${this.options.retryAfterFailureMs} ms after that failure)`,
      { cause: failure.error },
    );
  }

  /** The keys held now, whatever their age: no read, no wait (undefined before the first read). */
  cachedKeys(): KeySnapshot | undefined {
    return this.snapshot;
  }

  private async load(cause: KeyRefreshCause): Promise<KeySnapshot> {
    const fetchedAt = this.options.clock();
    try {
      const read = await this.readConsistent(fetchedAt);
      this.lastRead = read;
      this.snapshot = this.settle(read);
      this.lastFailure = undefined;
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
      this.lastFailure = { at: this.options.clock(), error: failure };
      this.options.onWarning('key refresh failed', {
        secretId: this.options.secretId,
        errorName: (error as Error).name,
        errorCode: (error as { code?: string }).code,
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

  /**
   * Both stages, read so that they belong together. The two parallel reads can straddle a
   * rotation's label move; both ways of tearing are detected and the stale side read again,
   * after the other: nothing is carried over from an earlier read (a revoked key stays gone).
   */
  private async readConsistent(fetchedAt: number): Promise<ConsistentRead> {
    let [current, previous] = await Promise.all([this.readCurrent(), this.readPrevious()]);
    if (previous?.kid === current.kid) {
      // The version moved from AWSCURRENT to AWSPREVIOUS between the reads: the current read
      // is the older one, and the key now current is missing.
      current = await this.readCurrent();
    }
    if (this.previousMayBeTorn(current, previous)) {
      // AWSPREVIOUS was read before the label move: it misses the key just demoted, which
      // signed nearly every live token. Read after the current read, an absent or other key is
      // the truth (a revoke or a retirement).
      previous = await this.readPrevious();
      if (this.previousMayBeTorn(current, previous)) this.previousGoneFor = current.versionId;
    }
    if (previous?.kid === current.kid) previous = undefined;
    return { current, ...(previous !== undefined && { previous }), fetchedAt };
  }

  /**
   * Whether AWSPREVIOUS may have been read before the current key's promotion: it is not the
   * key the current document names as its predecessor (previousKid), or, for a document that
   * does not name it, it is absent while the document's grace period runs. Not once a read
   * after the current one confirmed it for this version, nor once the grace has ended.
   */
  private previousMayBeTorn(current: LoadedKey, previous: LoadedKey | undefined): boolean {
    const { previousKid, previousKeyGraceSeconds } = current.document;
    const suspect =
      previousKid === undefined
        ? previous === undefined && previousKeyGraceSeconds !== undefined
        : previous?.kid !== previousKid;
    if (!suspect || this.previousGoneFor === current.versionId) return false;
    const end = graceEndOfPrevious(current.document, current.stages);
    return end === undefined || this.options.clock() < end;
  }

  /** A read with what events said applied: retired keys dropped, a superseded current demoted. */
  private settle(read: ConsistentRead): KeySnapshot {
    const { current, fetchedAt } = read;
    const previous =
      read.previous !== undefined && this.fates.get(read.previous.kid)?.kind !== 'retired'
        ? read.previous
        : undefined;
    // A late rotation dates the new key's promotion in a label: the grace counts from it.
    const graceEnd = graceEndOfPrevious(current.document, current.stages);
    const fate = this.fates.get(current.kid);
    if (fate === undefined || fate.kind === 'retired') {
      const nextKid = fate?.current ?? current.document.nextKid;
      return {
        ...(fate === undefined ? { current } : { withheld: { kid: current.kid, fate } }),
        ...(previous !== undefined && { previous }),
        ...(graceEnd !== undefined && { previousGraceEndsAt: graceEnd }),
        ...(nextKid !== undefined && { nextKid }),
        fetchedAt,
      };
    }
    // Superseded: the key verifies as the previous one, within the grace the event stated;
    // the key it replaces lost its label in that rotation (an event names it if early).
    return {
      previous: { ...current, stage: 'AWSPREVIOUS' },
      ...(fate.graceEndsAt !== undefined && { previousGraceEndsAt: fate.graceEndsAt }),
      nextKid: fate.by,
      withheld: { kid: current.kid, fate },
      fetchedAt,
    };
  }

  private async readCurrent(): Promise<LoadedKey> {
    const current = await this.read('AWSCURRENT');
    if (current === undefined) {
      throw new JwtKeyRingError(
        'ERR_KEY_DOCUMENT_INVALID',
        `secret "${this.options.secretId}" has no AWSCURRENT value`,
      );
    }
    return current;
  }

  private readPrevious(): Promise<LoadedKey | undefined> {
    return this.read('AWSPREVIOUS').catch((error: unknown) => {
      if (error instanceof JwtKeyRingError && error.code === 'ERR_KEY_DOCUMENT_INVALID') {
        // A broken previous value is reported and never used; the current key still serves.
        this.options.onWarning(error.message, {
          secretId: this.options.secretId,
          stage: 'AWSPREVIOUS',
        });
        return undefined;
      }
      throw error;
    });
  }

  private async read(stage: KeyStage): Promise<LoadedKey | undefined> {
    let value;
    try {
      const secretId = await this.options.secretIdToRead();
      // `as never`: the client's send is typed for any SDK version (secrets-manager-client.ts).
      value = await this.options.client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }) as never,
      );
    } catch (error) {
      // No version holds AWSPREVIOUS before the first rotation or after a retirement.
      if (stage === 'AWSPREVIOUS' && (error as Error).name === 'ResourceNotFoundException')
        return undefined;
      throw error;
    }
    const secretString = value.SecretString ?? '';
    const imported =
      this.imported.find(secretString) ??
      this.imported.add(
        secretString,
        importKey(
          secretString,
          `secret "${this.options.secretId}" version ${value.VersionId ?? '?'} (${stage})`,
        ),
      );
    return {
      ...imported.key,
      stage,
      versionId: value.VersionId ?? '',
      stages: value.VersionStages ?? [stage],
      signingHeader: imported.signingHeader,
      document: imported.document,
    };
  }
}

/** A key document parsed and checked, and its key imported into node:crypto. */
interface ImportedKey {
  readonly document: KeyDocument;
  readonly key: JwsKey;
  readonly signingHeader: string;
}

function importKey(secretString: string, source: string): ImportedKey {
  let document: KeyDocument;
  try {
    document = parseKeyDocument(secretString, { source });
  } catch (error) {
    if (!(error instanceof KeyDocumentError)) throw error;
    throw new JwtKeyRingError('ERR_KEY_DOCUMENT_INVALID', `${error.message} (${error.code})`, {
      cause: error,
    });
  }
  return {
    document,
    key: importDocumentKey(document),
    signingHeader: encodeProtectedHeader({ alg: document.alg, kid: document.kid, typ: 'JWT' }),
  };
}

/**
 * The last few keys imported, by their exact secret value: most refreshes read versions whose
 * value has not changed, and parsing, checking and importing a key again is most of a
 * refresh's CPU for an asymmetric key (an RSA private key's import and consistency check).
 * Any change to the value, a byte included, is a new entry, parsed and checked in full.
 */
class ImportedKeys {
  /** AWSCURRENT and AWSPREVIOUS, and a rotation's new version arriving. */
  private static readonly MAX = 4;
  private readonly bySecretString = new Map<string, ImportedKey>();

  find(secretString: string): ImportedKey | undefined {
    return this.bySecretString.get(secretString);
  }

  add(secretString: string, imported: ImportedKey): ImportedKey {
    for (const oldest of this.bySecretString.keys()) {
      if (this.bySecretString.size < ImportedKeys.MAX) break;
      this.bySecretString.delete(oldest);
    }
    this.bySecretString.set(secretString, imported);
    return imported;
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
