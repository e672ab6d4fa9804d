/**
 * Lambda functions the local endpoint can invoke: handlers registered in-process, reachable by
 * name or ARN, from Secrets Manager's rotation and from Lambda's Invoke API.
 */
import { randomUUID } from 'node:crypto';

import { ACCOUNT_ID, REGION } from './secrets-manager';

export type LambdaHandler = (event: unknown, context: LambdaContext) => unknown;

export interface LambdaContext {
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

export interface RegisterFunctionOptions {
  /**
   * The function's timeout. An invocation still running after it fails with "Task timed out",
   * as Lambda reports it; the handler's own promise is then abandoned, as a killed sandbox is.
   */
  readonly timeoutMs?: number;
}

/** What a function invocation failure looks like from outside: Lambda's error payload. */
export class FunctionError extends Error {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
  ) {
    super(`${errorType}: ${errorMessage}`);
    this.name = 'FunctionError';
  }
}

interface RegisteredFunction {
  readonly name: string;
  readonly arn: string;
  readonly handler: LambdaHandler;
  readonly timeoutMs: number | undefined;
}

export class LambdaFunctions {
  private readonly functions = new Map<string, RegisteredFunction>();

  register(name: string, handler: LambdaHandler, options: RegisterFunctionOptions = {}): string {
    const arn = `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${name}`;
    this.functions.set(name, { name, arn, handler, timeoutMs: options.timeoutMs });
    return arn;
  }

  exists(nameOrArn: string): boolean {
    return this.lookup(nameOrArn) !== undefined;
  }

  /** The ARN of a registered function, by name or ARN. */
  arnOf(nameOrArn: string): string | undefined {
    return this.lookup(nameOrArn)?.arn;
  }

  /** Runs the function; a thrown error or a timeout becomes a FunctionError. */
  async invoke(nameOrArn: string, event: unknown): Promise<unknown> {
    const fn = this.lookup(nameOrArn);
    if (fn === undefined)
      throw new FunctionError('ResourceNotFoundException', `Function not found: ${nameOrArn}`);
    const startedAt = Date.now();
    const context: LambdaContext = {
      functionName: fn.name,
      invokedFunctionArn: fn.arn,
      awsRequestId: randomUUID(),
      getRemainingTimeInMillis: () =>
        fn.timeoutMs === undefined ? 900_000 : Math.max(0, fn.timeoutMs - (Date.now() - startedAt)),
    };
    const run = Promise.resolve().then(() => fn.handler(event, context));
    try {
      return await (fn.timeoutMs === undefined ? run : withDeadline(run, fn.timeoutMs));
    } catch (error) {
      if (error instanceof FunctionError) throw error;
      const failure = error instanceof Error ? error : new Error(String(error));
      throw new FunctionError(failure.name, failure.message);
    }
  }

  private lookup(nameOrArn: string): RegisteredFunction | undefined {
    const name = nameOrArn.startsWith('arn:') ? nameOrArn.split(':')[6] : nameOrArn;
    const fn = name === undefined ? undefined : this.functions.get(name);
    return fn !== undefined && (nameOrArn === fn.name || nameOrArn === fn.arn) ? fn : undefined;
  }
}

function withDeadline<T>(run: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new FunctionError('Sandbox.Timedout', `Task timed out after ${timeoutMs / 1000} seconds`),
      );
    }, timeoutMs);
    timer.unref();
    run.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
