/**
 * What a verifier reports as it works, to whatever the application plugs in: every token
 * accepted (with the stage of the key that verified it) or refused (with its error code), and
 * every read of the keys. The adapters count these as metrics (OpenTelemetry:
 * `rotating-jwt-keys/client/opentelemetry`; CloudWatch embedded metrics:
 * createEmbeddedMetricsObserver). Any verifier can report through it: JwtKeyRing's keys have
 * stages, a verifier reading a published key set reports its keys as `published`.
 *
 * Methods take positional arguments, not an event object: they run on every verification, and
 * an object per call is garbage the hot path need not make. They must not throw (what they
 * throw is ignored) and should return at once: they run before verify resolves.
 *
 * @example
 * let forged = 0;
 * const ring = new JwtKeyRing({
 *   secretId,
 *   observer: {
 *     accepted() {},
 *     refused(code) { if (code === 'ERR_JWT_SIGNATURE_INVALID') forged += 1; },
 *     keysRefreshed() {},
 *   },
 * });
 */
import { type VerificationStage } from '../contract/metrics';

export type { VerificationStage } from '../contract/metrics';

/** Why the keys were read. */
export type KeyRefreshCause =
  /** Nothing was cached yet. */
  | 'initial'
  /** The cache period ended (or its refresh-ahead began). */
  | 'ttl'
  /** A token named a kid no loaded key has (rate-limited). */
  | 'unknown_kid'
  /** A token named the kid the current key announced as the next one: a rotation happened. */
  | 'next_kid'
  /** A rotation event was handed to the verifier. */
  | 'event'
  /** The application asked (JwtKeyRing.refresh). */
  | 'manual';

export type KeyRefresh = KeyRefreshSucceeded | KeyRefreshFailed;

export interface KeyRefreshSucceeded {
  readonly cause: KeyRefreshCause;
  readonly outcome: 'ok';
  /** When the read ended, epoch ms (the verifier's clock). */
  readonly at: number;
  /** The key that signs now; absent when a rotation event withdrew the key the read returned. */
  readonly currentKid?: string;
  /** When that key was made (its `createdAt`), epoch ms; absent when its document does not say. */
  readonly currentKeyCreatedAt?: number;
  /** Its age when read, in whole seconds; absent with currentKeyCreatedAt. */
  readonly currentKeyAgeSeconds?: number;
}

export interface KeyRefreshFailed {
  readonly cause: KeyRefreshCause;
  readonly outcome: 'failed';
  readonly at: number;
  /** The error code the verifier fails with (ERR_KEY_STORE_UNAVAILABLE, ERR_KEY_DOCUMENT_INVALID). */
  readonly code: string;
}

export interface VerificationObserver {
  /** A token verified, by a key of this stage, with this kid and algorithm. */
  accepted(stage: VerificationStage, kid: string, alg: string): void;
  /**
   * A token refused, with the error code verify rejects with (JwtKeyRingErrorCode), and the
   * `kid` and `stage` that error carries: `kid` is the token's own (attacker-controlled: at most
   * 64 printable characters, others replaced by `?`), absent when it names none or was refused
   * before its header was read (malformed, too large, a bad verify option); `stage` is that of
   * the key this kid selected, absent when none (ERR_JWT_UNKNOWN_KID, a header refused before
   * any key was looked up, keys that cannot be read).
   */
  refused(code: string, kid: string | undefined, stage: VerificationStage | undefined): void;
  /**
   * A read of the keys ended (rare: once per cache period, or for a cause above): JwtKeyRing's
   * reads of Secrets Manager, a key set verifier's fetches of its key set (no current key there).
   */
  keysRefreshed(refresh: KeyRefresh): void;
}

/**
 * The stage a verified token reports: `legacy` for a kid-less token a legacy key verified
 * (`legacy: true`), `current` and `previous` for JwtKeyRing's AWSCURRENT and AWSPREVIOUS keys,
 * and `published` for a key from a published key set, which has no stage.
 */
export function verificationStageOf(verified: {
  readonly stage?: unknown;
  readonly legacy?: unknown;
}): VerificationStage {
  if (verified.legacy === true) return 'legacy';
  if (verified.stage === 'AWSCURRENT') return 'current';
  return verified.stage === 'AWSPREVIOUS' ? 'previous' : 'published';
}

/** The observer's keysRefreshed, which must not turn a good read into a failed one. */
export function keysRefreshedTo(observer: VerificationObserver): (refresh: KeyRefresh) => void {
  return (refresh) => {
    try {
      observer.keysRefreshed(refresh);
    } catch {
      // Reporting never changes what the cache does.
    }
  };
}
