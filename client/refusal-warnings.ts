/**
 * The warning a refused token leaves in the application's log: the error code, the token's kid
 * (made printable, see token-kid.ts) and the stage of the key it names. Never the token, its
 * payload or its signature. A flood of refusals must not become a flood of log lines: at most
 * one warning per code per interval, and the next one says how many were left out meanwhile.
 */
import { type VerificationStage } from './observer';

export interface WarningLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

export const REFUSED_TOKEN_WARNING = 'token refused';
const DEFAULT_INTERVAL_MS = 60_000;
/** Codes are a fixed set; the bound only guards against a verifier with open-ended codes. */
const MAX_CODES = 64;

interface CodeWindow {
  /** When the last warning for this code was written. */
  at: number;
  /** Refusals with this code since then that wrote nothing. */
  suppressed: number;
}

export class RefusalWarnings {
  private readonly windows = new Map<string, CodeWindow>();

  constructor(
    private readonly logger: WarningLogger,
    private readonly clock: () => number,
    /** Fields every warning carries (the secret it verifies with, say). */
    private readonly context: Readonly<Record<string, unknown>>,
    private readonly intervalMs = DEFAULT_INTERVAL_MS,
  ) {}

  refused(code: string, kid: string | undefined, stage: VerificationStage | undefined): void {
    const now = this.clock();
    const window = this.windows.get(code);
    if (window !== undefined && now - window.at < this.intervalMs) {
      window.suppressed += 1;
      return;
    }
    const suppressed = window?.suppressed ?? 0;
    if (window === undefined) {
      if (this.windows.size >= MAX_CODES) return;
      this.windows.set(code, { at: now, suppressed: 0 });
    } else {
      window.at = now;
      window.suppressed = 0;
    }
    const fields: Record<string, unknown> = { ...this.context, code };
    if (kid !== undefined) fields.kid = kid;
    if (stage !== undefined) fields.stage = stage;
    // How many refusals with this code the previous interval did not log.
    fields.suppressed = suppressed;
    this.logger.warn(REFUSED_TOKEN_WARNING, fields);
  }
}
