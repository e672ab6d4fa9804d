/**
 * Fault injection: make the next calls of an operation fail the way AWS can fail, so tests
 * show what the rotation and the client do when the service misbehaves.
 */
import { ServiceError } from './service-error';

export interface FaultSpec {
  /** The API operation (`GetSecretValue`, `PutEvents`, …) or `Invoke:<step>` for a rotation step. */
  readonly operation: string;
  /** The AWS error name to return, e.g. `ThrottlingException`, `InternalServiceError`. */
  readonly error?: string;
  readonly message?: string;
  /**
   * For PutEvents: answer 200 with every entry failed (FailedEntryCount > 0), as EventBridge
   * does on a partial failure. For a write: apply the write, then fail (the response was lost).
   */
  readonly partial?: boolean;
  /** How many matching calls fail; default 1. `Infinity` until cleared. */
  readonly times?: number;
  /** Only calls whose input satisfies this fail. */
  readonly when?: (input: Record<string, unknown>) => boolean;
}

export interface TriggeredFault {
  readonly error: ServiceError;
  readonly partial: boolean;
}

export class Faults {
  private readonly pending: { spec: FaultSpec; remaining: number }[] = [];

  inject(spec: FaultSpec): void {
    this.pending.push({ spec, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.pending.length = 0;
  }

  /** The fault this call must suffer, if any (consumes one of its `times`). */
  take(operation: string, input: Record<string, unknown>): TriggeredFault | undefined {
    const match = this.pending.find(
      (fault) =>
        fault.remaining > 0 &&
        fault.spec.operation === operation &&
        (fault.spec.when === undefined || fault.spec.when(input)),
    );
    if (match === undefined) return undefined;
    match.remaining -= 1;
    const type =
      match.spec.error ?? (match.spec.partial ? 'InternalFailure' : 'InternalServiceError');
    return {
      error: new ServiceError(type, match.spec.message ?? `Injected fault on ${operation}`),
      partial: match.spec.partial ?? false,
    };
  }
}
