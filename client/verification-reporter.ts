/**
 * Reports each verification's outcome to the observer and refusals to the log, so any verifier
 * (JwtKeyRing, a key-set verifier) reports the same way: it calls accepted or refused from its
 * verify. Built only when there is someone to tell: with no observer and no logger, verify runs
 * without it.
 */
import { type VerificationObserver, type VerificationStage, verificationStageOf } from './observer';
import { RefusalWarnings, type WarningLogger } from './refusal-warnings';
import { kidOfToken, printableKid } from './token-kid';

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
  /** The stage of the loaded key with this kid, if one is loaded (no read, no wait). */
  readonly stageOfKid: (kid: string) => VerificationStage | undefined;
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

  private constructor(private readonly options: VerificationReporterOptions) {
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

  /** The cold path: a refused token's code, kid and key stage, to the observer and the log. */
  refused(error: unknown, token: unknown): void {
    const code = (error as { code?: unknown } | null)?.code;
    const reported = typeof code === 'string' ? code : 'ERR_UNEXPECTED';
    const tokenKid = kidOfToken(token);
    const stage = tokenKid === undefined ? undefined : this.options.stageOfKid(tokenKid);
    const kid = tokenKid === undefined ? undefined : printableKid(tokenKid);
    try {
      this.observer?.refused(reported, kid, stage);
    } catch {
      // As above: reporting never changes the outcome.
    }
    this.warnings?.refused(reported, kid, stage);
  }
}
