/**
 * Counts of verification outcomes, kept in plain numbers so that counting a token costs an
 * increment: accepted by key stage, refused by error code and key stage. The adapters read them
 * when they export (the embedded-metrics observer per flush, then resets them; the
 * OpenTelemetry observer at each collection, as running totals).
 */
import { type VerificationStage } from './observer';

/** The stage a refusal is counted under when the token names no loaded key. */
export const NO_KEY = 'none';
export type RefusalStage = VerificationStage | typeof NO_KEY;

export class VerificationTally {
  readonly accepted: Record<VerificationStage, number> = {
    current: 0,
    previous: 0,
    legacy: 0,
    published: 0,
  };
  /** Refusals by error code, then by the stage of the key the token named. */
  readonly refused = new Map<string, Map<RefusalStage, number>>();

  countAccepted(stage: VerificationStage): void {
    this.accepted[stage] += 1;
  }

  countRefused(code: string, stage: VerificationStage | undefined): void {
    let byStage = this.refused.get(code);
    if (byStage === undefined) {
      byStage = new Map();
      this.refused.set(code, byStage);
    }
    const key = stage ?? NO_KEY;
    byStage.set(key, (byStage.get(key) ?? 0) + 1);
  }

  reset(): void {
    this.accepted.current = 0;
    this.accepted.previous = 0;
    this.accepted.legacy = 0;
    this.accepted.published = 0;
    this.refused.clear();
  }
}
