/**
 * Reports each verification's outcome to the observer and refusals to the log, so any verifier
 * (JwtKeyRing, a key-set verifier) reports the same way: it calls accepted or refused from its
 * verify. Built only when there is someone to tell: with no observer and no logger, verify runs
 * without it. A refusal is reported from its error, which carries what the verifier knew (the
 * kid, the key's stage): the token is not read again.
 */
import { JwtKeyRingError } from './errors';
import { type VerificationObserver, verificationStageOf } from './observer';
import { RefusalWarnings, type WarningLogger } from './refusal-warnings';

/** What a verifier resolves with, as far as reporting needs. */
export interface VerifiedTokenLike {
  readonly kid: string;
  readonly stage?: unknown;
  /** A kid-less token verified by a legacy key (a static secret adopted as the first key). */
  readonly legacy?: unknown;
  readonly protectedHeader: Readonly<Record<string, unknown>>;
}

export interface VerificationReporterOptions {
  readonly observer?: VerificationObserver;
  readonly logger?: WarningLogger;
  readonly clock: () => number;
  /** Fields every refusal warning carries (the secret or key set verified with). */
  readonly logContext: Readonly<Record<string, unknown>>;
  /** At most one refusal warning per error code per this interval. @default 60000 */
  readonly warningIntervalMs?: number;
}

export class VerificationReporter {
  private readonly observer: VerificationObserver | undefined;
  private readonly warnings: RefusalWarnings | undefined;

  /** Undefined when nobody listens (no observer, no logger): verify then skips reporting. */
  static create(options: VerificationReporterOptions): VerificationReporter | undefined {
    return options.observer === undefined && options.logger === undefined
      ? undefined
      : new VerificationReporter(options);
  }

  private constructor(options: VerificationReporterOptions) {
    this.observer = options.observer;
    this.warnings =
      options.logger === undefined
        ? undefined
        : new RefusalWarnings(
            options.logger,
            options.clock,
            options.logContext,
            options.warningIntervalMs,
          );
  }

  /** A verified token, to the observer (its failure is not the token's). */
  accepted(verified: VerifiedTokenLike): void {
    const observer = this.observer;
    if (observer === undefined) return;
    const alg = verified.protectedHeader.alg;
    try {
      observer.accepted(
        verificationStageOf(verified),
        verified.kid,
        typeof alg === 'string' ? alg : '',
      );
    } catch {
      // An observer's failure is not the token's: the verification stands.
    }
  }

  /** A refused token's code, kid and key stage, as its error carries them, to observer and log. */
  refused(error: unknown): void {
    const code = (error as { code?: unknown } | null)?.code;
    const reported = typeof code === 'string' ? code : 'ERR_UNEXPECTED';
    // The verifier's own errors carry a printable kid; anything else names no token.
    const kid = error instanceof JwtKeyRingError ? error.kid : undefined;
    const stage = error instanceof JwtKeyRingError ? error.stage : undefined;
    try {
      this.observer?.refused(reported, kid, stage);
    } catch {
      // As above: reporting never changes the outcome.
    }
    this.warnings?.refused(reported, kid, stage);
  }
}
