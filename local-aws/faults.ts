/**
 * Fault injection: make the next calls of an operation fail the way AWS can fail, so tests
 * show what the rotation and the client do when the service misbehaves.
 */
import { ServiceError } from './service-error';

export interface FaultSpec {
  /**
   * The API operation (`GetSecretValue`, `PutEvents`, `Invoke`, `PutObject`,
   * `CreateInvalidation`, …), `Invoke:<step>` for a rotation step, or `ViewerRequest` for a
   * distribution's viewer side. Every protocol applies faults and holds the same way
   * (Faults.apply).
   */
  readonly operation: string;
  /**
   * The AWS error name to return, e.g. `ThrottlingException`, `InternalServiceError`; for S3
   * and CloudFront `InternalError` (500, the default there) or `SlowDown` (503).
   */
  readonly error?: string;
  readonly message?: string;
  /**
   * For PutEvents: answer 200 with every entry failed (FailedEntryCount > 0), as EventBridge
   * does on a partial failure. For ViewerRequest (a read): a plain failure. For any other call
   * (a write, Invoke, a rotation step): do the work, then fail (the response was lost).
   */
  readonly partial?: boolean;
  /** How many matching calls fail; default 1. `Infinity` until cleared. */
  readonly times?: number;
  /** Only calls whose input satisfies this fail. */
  readonly when?: (input: Record<string, unknown>) => boolean;
  /** Only calls made while a rotation is invoking this step (`createSecret`, …). */
  readonly step?: string;
  /**
   * The call is never answered (with `partial`, after its write is applied): a function waiting
   * on it runs into its timeout, as one cut off at the Lambda deadline. `close()` drops it. A
   * hung rotation step (`Invoke:<step>`) is a failed step: the service sees the timeout.
   */
  readonly hang?: boolean;
}

/** Calls to hold back: they are recorded on arrival, then answered only once released. */
export interface HoldSpec {
  /** The API operation, e.g. `GetSecretValue`. */
  readonly operation: string;
  /** Only calls whose input satisfies this are held. */
  readonly when?: (input: Record<string, unknown>) => boolean;
}

/**
 * One held call. It is processed (faults, then the service) when released, so it sees the
 * state of that moment: hold a read, move a label, release it, and the read straddles the move.
 */
export interface HeldCall {
  /** Resolves when the call has arrived and is waiting. */
  readonly arrived: Promise<void>;
  /** Lets the call proceed; a call arriving after this is not held. */
  release(): void;
}

export interface TriggeredFault {
  readonly error: ServiceError;
  readonly partial: boolean;
  readonly hang: boolean;
}

/** A call a `hang` fault leaves unanswered: its connection stays open until close() drops it. */
export const UNANSWERED = Symbol('unanswered');

/** A call as every protocol adapter hands it to the faults. */
export interface FaultedCall<T> {
  readonly operation: string;
  /** What a fault's or a hold's `when` sees. */
  readonly input: Record<string, unknown>;
  /** The service's name for an internal error, when the fault names none. */
  readonly defaultError?: string;
  /** Processes the call as the service would. */
  readonly serve: () => T | Promise<T>;
  /** How the protocol answers a fault. @default throws the fault's error */
  readonly fail?: (fault: TriggeredFault) => T | Promise<T>;
  /**
   * The protocol's answer to a partial fault (PutEvents: every entry failed; a read: a plain
   * failure). @default serve, then fail: the write was applied and its response lost
   */
  readonly partial?: (fault: TriggeredFault) => T | Promise<T>;
  /** What a call never answered comes to. @default UNANSWERED */
  readonly unanswered?: (fault: TriggeredFault) => T | Promise<T>;
}

interface PendingHold {
  readonly spec: HoldSpec;
  readonly arrive: () => void;
  readonly released: Promise<void>;
  taken: boolean;
}

export class Faults {
  private readonly pending: { spec: FaultSpec; remaining: number }[] = [];
  private readonly holds: PendingHold[] = [];
  /** Rotation steps being invoked right now, and how many invocations of each. */
  private readonly activeSteps = new Map<string, number>();

  inject(spec: FaultSpec): void {
    this.pending.push({ spec, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.pending.length = 0;
  }

  /** Holds the next matching call until released (see HeldCall). */
  hold(spec: HoldSpec): HeldCall {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const pending: PendingHold = { spec, arrive, released, taken: false };
    this.holds.push(pending);
    return {
      arrived,
      release: () => {
        const index = this.holds.indexOf(pending);
        if (index >= 0) this.holds.splice(index, 1);
        release();
      },
    };
  }

  /** What this call must wait for before it is processed, if a hold matches it. */
  private takeHold(operation: string, input: Record<string, unknown>): Promise<void> | undefined {
    const match = this.holds.find(
      (hold) =>
        !hold.taken &&
        hold.spec.operation === operation &&
        (hold.spec.when === undefined || hold.spec.when(input)),
    );
    if (match === undefined) return undefined;
    match.taken = true;
    match.arrive();
    return match.released;
  }

  /**
   * The one way a fault reaches a call, for every protocol: the call is held first if a hold
   * matches, then answered by `serve`, or failed as a matching fault says. A partial fault does
   * the work (`serve`, or the protocol's own partial answer) and still fails; a hang never
   * answers (`UNANSWERED`, after a partial's work); any other fault fails the call (`fail`,
   * by default throwing its error for the protocol's error path to answer).
   */
  async apply<T>(call: FaultedCall<T>): Promise<T | typeof UNANSWERED> {
    const held = this.takeHold(call.operation, call.input);
    if (held !== undefined) await held;
    const fault = this.take(call.operation, call.input, call.defaultError);
    if (fault === undefined) return call.serve();
    const partialAnswer = fault.partial
      ? await (call.partial === undefined ? call.serve() : call.partial(fault))
      : undefined;
    if (fault.hang) return call.unanswered === undefined ? UNANSWERED : call.unanswered(fault);
    if (fault.partial && call.partial !== undefined) return partialAnswer as T;
    if (call.fail !== undefined) return call.fail(fault);
    throw fault.error;
  }

  /** Runs a step invocation with calls made meanwhile matching faults for that step. */
  async duringStep<T>(step: string, invocation: () => Promise<T>): Promise<T> {
    this.activeSteps.set(step, (this.activeSteps.get(step) ?? 0) + 1);
    try {
      return await invocation();
    } finally {
      const left = (this.activeSteps.get(step) ?? 1) - 1;
      if (left === 0) this.activeSteps.delete(step);
      else this.activeSteps.set(step, left);
    }
  }

  /**
   * The fault this call must suffer, if any (consumes one of its `times`). `defaultError` is
   * the service's name for an internal error, used when the spec names none.
   */
  private take(
    operation: string,
    input: Record<string, unknown>,
    defaultError?: string,
  ): TriggeredFault | undefined {
    const match = this.pending.find(
      (fault) =>
        fault.remaining > 0 &&
        fault.spec.operation === operation &&
        (fault.spec.step === undefined || this.activeSteps.has(fault.spec.step)) &&
        (fault.spec.when === undefined || fault.spec.when(input)),
    );
    if (match === undefined) return undefined;
    match.remaining -= 1;
    const type =
      match.spec.error ??
      defaultError ??
      (match.spec.partial ? 'InternalFailure' : 'InternalServiceError');
    return {
      error: new ServiceError(type, match.spec.message ?? `Injected fault on ${operation}`),
      partial: match.spec.partial ?? false,
      hang: match.spec.hang ?? false,
    };
  }
}
