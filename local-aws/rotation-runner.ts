/**
 * Runs rotations the way Secrets Manager does: the four steps in order, each a Lambda
 * invocation with `{ Step, SecretId, ClientRequestToken, RotationToken }`, asynchronously after
 * RotateSecret has returned. A failed step ends the attempt and the service retries the whole
 * rotation with the same token; after the last attempt the rotation has failed and its
 * AWSPENDING version stays behind, as on AWS.
 */
import { randomUUID } from 'node:crypto';

import { type Faults, type TriggeredFault } from './faults';
import { FunctionError, type LambdaFunctions } from './lambda-functions';
import { AWSCURRENT, type RotationStarter, type SecretRecord } from './secrets-manager';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

export interface RotationLogEntry {
  readonly secretArn: string;
  readonly token: string;
  readonly attempt: number;
  readonly step: RotationStep;
  readonly outcome: 'succeeded' | 'failed';
  readonly error?: string;
}

export interface RotationResult {
  readonly secretArn: string;
  readonly token: string;
  readonly mode: 'rotate' | 'test-configuration';
  readonly outcome: 'succeeded' | 'failed';
  readonly attempts: number;
  readonly error?: string;
}

export class RotationRunner implements RotationStarter {
  readonly log: RotationLogEntry[] = [];
  readonly results: RotationResult[] = [];
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly functions: LambdaFunctions,
    private readonly faults: Faults,
    private readonly clock: () => number,
    private readonly maxAttempts: number,
  ) {}

  functionExists(arn: string): boolean {
    return this.functions.exists(arn);
  }

  isRunning(secret: SecretRecord): boolean {
    return this.running.has(secret.arn);
  }

  start(secret: SecretRecord, token: string, mode: 'rotate' | 'test-configuration'): void {
    const job = this.run(secret, token, mode).finally(() => this.running.delete(secret.arn));
    this.running.set(secret.arn, job);
  }

  /** Resolves when every rotation started so far, and any they started, has ended. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  private async run(
    secret: SecretRecord,
    token: string,
    mode: 'rotate' | 'test-configuration',
  ): Promise<void> {
    // Like the service, start after RotateSecret has answered.
    await Promise.resolve();
    const steps: readonly RotationStep[] = mode === 'rotate' ? ROTATION_STEPS : ['testSecret'];
    let lastError = '';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
      const failure = await this.attempt(secret, token, steps, attempt);
      if (failure === undefined) {
        if (mode === 'test-configuration') {
          // The configuration test's AWSPENDING version is removed again.
          secret.versions.delete(token);
        } else if (!secret.versions.get(token)?.stages.has(AWSCURRENT)) {
          lastError = 'finishSecret returned but the new version is not AWSCURRENT';
          continue;
        } else {
          const now = this.clock();
          secret.lastRotatedDate = now;
          secret.rotationIntervalStart = now;
        }
        this.results.push({
          secretArn: secret.arn,
          token,
          mode,
          outcome: 'succeeded',
          attempts: attempt,
        });
        return;
      }
      lastError = failure;
    }
    if (mode === 'test-configuration') secret.versions.delete(token);
    this.results.push({
      secretArn: secret.arn,
      token,
      mode,
      outcome: 'failed',
      attempts: this.maxAttempts,
      error: lastError,
    });
  }

  /** One pass over the steps; returns the failure message, or undefined when all succeeded. */
  private async attempt(
    secret: SecretRecord,
    token: string,
    steps: readonly RotationStep[],
    attempt: number,
  ): Promise<string | undefined> {
    for (const step of steps) {
      const arn = secret.rotationLambdaArn;
      const event = {
        Step: step,
        SecretId: secret.arn,
        ClientRequestToken: token,
        RotationToken: randomUUID(),
      };
      try {
        // A partial fault: the step runs to its end, but the service sees it fail (a timeout);
        // a hung step is cut off at its timeout, which the service sees as a failure too.
        await this.faults.apply({
          operation: `Invoke:${step}`,
          input: event,
          serve: () => {
            if (arn === undefined)
              throw new FunctionError('ResourceNotFoundException', 'No rotation function');
            return this.faults.duringStep(step, () => this.functions.invoke(arn, event));
          },
          fail: failedInvocation,
          unanswered: failedInvocation,
        });
        this.log.push({ secretArn: secret.arn, token, attempt, step, outcome: 'succeeded' });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.log.push({
          secretArn: secret.arn,
          token,
          attempt,
          step,
          outcome: 'failed',
          error: message,
        });
        return `${step}: ${message}`;
      }
    }
    return undefined;
  }
}

/** How the service sees an invocation a fault failed: the function's error. */
function failedInvocation(fault: TriggeredFault): never {
  throw new FunctionError(fault.error.type, fault.error.message);
}
