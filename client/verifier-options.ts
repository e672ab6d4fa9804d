/**
 * The options every verifier of the library takes (JwtKeyRing, JwksVerifier), written once:
 * what a token must say (issuer, audience), how time is read and tolerated, the size limit, the
 * unknown-kid budget, and who is told. Each verifier's own options extend these (and may restate
 * one to say what it means there, as JwtKeyRing does for issuer, which it also signs with).
 */
import { type VerificationObserver } from './observer';
import { checkNumber } from './options';

export interface VerifierOptions {
  /** The `iss` every token must carry. */
  readonly issuer?: string;
  /** The audience every token must name (one of). */
  readonly audience?: string | readonly string[];
  /** Leeway for exp and nbf, in seconds, 0 or more. @default 60 */
  readonly clockToleranceSeconds?: number;
  /** Longer tokens are refused unread. A whole number, 1 or more. @default 8192 */
  readonly maxTokenBytes?: number;
  /**
   * The least time between two reads of the keys caused by tokens with a kid the verifier does
   * not hold. Above 0. @default 30000 (30 seconds)
   */
  readonly unknownKidRefreshIntervalMs?: number;
  /** Current time in epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** Where problems reading the keys are reported. @default silent */
  readonly logger?: { warn(message: string, fields?: Record<string, unknown>): void };
  /**
   * Told of every verification (accepted by stage, refused by code) and every read of the keys:
   * plug in createEmbeddedMetricsObserver, the OpenTelemetry adapter
   * (`rotating-jwt-keys/client/opentelemetry`), or your own. @default - none (no cost)
   */
  readonly observer?: VerificationObserver;
}

const DEFAULT_UNKNOWN_KID_REFRESH_INTERVAL_MS = 30_000;

/** unknownKidRefreshIntervalMs, defaulted and checked (above 0). */
export function unknownKidRefreshInterval(options: VerifierOptions): number {
  return checkNumber(
    options.unknownKidRefreshIntervalMs ?? DEFAULT_UNKNOWN_KID_REFRESH_INTERVAL_MS,
    'unknownKidRefreshIntervalMs',
    { min: 0, aboveMin: true },
  );
}
