/**
 * The keys of one secret, read from Secrets Manager and cached: AWSCURRENT and AWSPREVIOUS in
 * two parallel GetSecretValue calls per refresh. Fresh for the cache period; refreshed ahead of
 * expiry in the background; one request in flight at a time; when Secrets Manager fails, the
 * cached keys are served up to a staleness bound, then the ring fails closed.
 */
import { createSecretKey } from 'node:crypto';

import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import {
  currentSinceOf,
  type KeyDocument,
  keyDocumentBytes,
  KeyDocumentError,
  parseKeyDocument,
  previousKeyGraceEndsAt,
} from '../key-document';

import { encodeProtectedHeader, type HmacKey } from './compact-jws';
import { JwtKeyRingError } from './errors';

export type KeyStage = 'AWSCURRENT' | 'AWSPREVIOUS';

export interface LoadedKey extends HmacKey {
  readonly stage: KeyStage;
  /** The encoded header of tokens it signs: { alg, kid, typ: 'JWT' }. */
  readonly signingHeader: string;
  readonly versionId: string;
  /** The version's staging labels when it was read. */
  readonly stages: readonly string[];
  readonly document: KeyDocument;
}

export interface KeySnapshot {
  readonly current: LoadedKey;
  readonly previous?: LoadedKey;
  /** Epoch ms; undefined when the current key does not state it (the label alone decides). */
  readonly previousGraceEndsAt?: number;
  readonly fetchedAt: number;
}

export interface KeyCacheOptions {
  readonly client: SecretsManagerClient;
  readonly secretId: string;
  readonly clock: () => number;
  readonly cacheTtlMs: number;
  readonly refreshAheadMs: number;
  readonly maxStalenessMs: number;
  readonly retryAfterFailureMs: number;
  readonly unknownKidRefreshIntervalMs: number;
  readonly onWarning: (message: string, fields: Record<string, unknown>) => void;
}

export class KeyCache {
  private snapshot: KeySnapshot | undefined;
  private inFlight: Promise<KeySnapshot> | undefined;
  private lastFailureAt: number | undefined;
  private lastUnknownKidRefreshAt: number | undefined;

  constructor(private readonly options: KeyCacheOptions) {}

  /** The keys to use now: cached while fresh, refreshed when due, stale only within bounds. */
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

  async keys(): Promise<KeySnapshot> {
    const fresh = this.freshKeys();
    if (fresh !== undefined) return fresh;
    const snapshot = this.snapshot;
    const now = this.options.clock();
    if (snapshot === undefined) return this.refresh();
    const age = now - snapshot.fetchedAt;
    const recentlyFailed =
      this.lastFailureAt !== undefined &&
      now - this.lastFailureAt < this.options.retryAfterFailureMs;
    if (age < this.options.cacheTtlMs) {
      // Refresh ahead of expiry: callers keep the cached keys while it runs.
      if (!recentlyFailed) this.refresh().catch(() => undefined);
      return snapshot;
    }
    if (!recentlyFailed) {
      try {
        return await this.refresh();
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
    return snapshot;
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
      return await this.refresh();
    } catch {
      return undefined;
    }
  }

  /** Reads both stages now; concurrent callers share the one request in flight. */
  refresh(): Promise<KeySnapshot> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async load(): Promise<KeySnapshot> {
    const startedAt = this.options.clock();
    try {
      const [current, previous] = await Promise.all([
        this.read('AWSCURRENT'),
        this.read('AWSPREVIOUS').catch((error: unknown) => {
          if (error instanceof JwtKeyRingError && error.code === 'ERR_KEY_DOCUMENT_INVALID') {
            // A broken previous value is reported and never used; the current key still serves.
            this.options.onWarning(error.message, {
              secretId: this.options.secretId,
              stage: 'AWSPREVIOUS',
            });
            return undefined;
          }
          throw error;
        }),
      ]);
      if (current === undefined) {
        throw new JwtKeyRingError(
          'ERR_KEY_DOCUMENT_INVALID',
          `secret "${this.options.secretId}" has no AWSCURRENT value`,
        );
      }
      // A late rotation dates the new key's promotion in a label: the grace counts from it.
      const graceEnd = previousKeyGraceEndsAt(current.document, currentSinceOf(current.stages));
      this.snapshot = {
        current,
        previous,
        ...(graceEnd !== undefined && { previousGraceEndsAt: graceEnd }),
        fetchedAt: startedAt,
      };
      this.lastFailureAt = undefined;
      return this.snapshot;
    } catch (error) {
      this.lastFailureAt = this.options.clock();
      this.options.onWarning('key refresh failed', {
        secretId: this.options.secretId,
        errorName: (error as Error).name,
        errorCode: (error as { code?: string }).code,
      });
      if (error instanceof JwtKeyRingError) throw error;
      throw new JwtKeyRingError(
        'ERR_KEY_STORE_UNAVAILABLE',
        `could not read the keys of secret "${this.options.secretId}": ${(error as Error).name}`,
        { cause: error },
      );
    }
  }

  private async read(stage: KeyStage): Promise<LoadedKey | undefined> {
    let value;
    try {
      value = await this.options.client.send(
        new GetSecretValueCommand({ SecretId: this.options.secretId, VersionStage: stage }),
      );
    } catch (error) {
      // No version holds AWSPREVIOUS before the first rotation or after a retirement.
      if (stage === 'AWSPREVIOUS' && (error as Error).name === 'ResourceNotFoundException')
        return undefined;
      throw error;
    }
    const source = `secret "${this.options.secretId}" version ${value.VersionId ?? '?'} (${stage})`;
    let document: KeyDocument;
    try {
      document = parseKeyDocument(value.SecretString ?? '', { source });
    } catch (error) {
      if (!(error instanceof KeyDocumentError)) throw error;
      throw new JwtKeyRingError('ERR_KEY_DOCUMENT_INVALID', `${error.message} (${error.code})`, {
        cause: error,
      });
    }
    return {
      stage,
      versionId: value.VersionId ?? '',
      stages: value.VersionStages ?? [stage],
      kid: document.kid,
      alg: document.alg,
      secret: createSecretKey(keyDocumentBytes(document)),
      signingHeader: encodeProtectedHeader({ alg: document.alg, kid: document.kid, typ: 'JWT' }),
      document,
    };
  }
}
