/**
 * The demo's observer: what the application instances' key rings report, counted the way an
 * application's metrics would count it (accepted by key stage, refused by error code, reads of
 * the keys by cause). One observer for the fleet; the summary reads its numbers from it.
 */
import {
  type KeyRefresh,
  type KeyRefreshCause,
  type VerificationObserver,
  type VerificationStage,
} from '../client';

export interface ObservedFigures {
  readonly accepted: Readonly<Record<VerificationStage, number>>;
  readonly refused: Readonly<Record<string, number>>;
  readonly refreshes: Readonly<Partial<Record<KeyRefreshCause, number>>>;
  readonly refreshFailures: number;
}

export class FleetTelemetry implements VerificationObserver {
  private readonly acceptedByStage: Record<VerificationStage, number> = {
    current: 0,
    previous: 0,
    legacy: 0,
    published: 0,
  };
  private readonly refusedByCode: Record<string, number> = {};
  private readonly refreshesByCause: Partial<Record<KeyRefreshCause, number>> = {};
  private failedRefreshes = 0;

  accepted(stage: VerificationStage): void {
    this.acceptedByStage[stage] += 1;
  }

  refused(code: string): void {
    this.refusedByCode[code] = (this.refusedByCode[code] ?? 0) + 1;
  }

  keysRefreshed(refresh: KeyRefresh): void {
    this.refreshesByCause[refresh.cause] = (this.refreshesByCause[refresh.cause] ?? 0) + 1;
    if (refresh.outcome === 'failed') this.failedRefreshes += 1;
  }

  figures(): ObservedFigures {
    return {
      accepted: { ...this.acceptedByStage },
      refused: { ...this.refusedByCode },
      refreshes: { ...this.refreshesByCause },
      refreshFailures: this.failedRefreshes,
    };
  }
}
