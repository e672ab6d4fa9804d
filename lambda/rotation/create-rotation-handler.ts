/**
 * The rotation function's logic, free of environment and SDK wiring: takes Secrets Manager's
 * step events, the maintenance events and the first-key custom resource's requests, checks the
 * guards of AWS's rotation template in order, and runs the step. handler.ts wires the real
 * clients into it.
 */
import {
  AWSCURRENT,
  AWSPENDING,
  isMaintenanceAction,
  MAINTENANCE_ACTIONS,
  type MaintenanceResult,
} from '../../contract';
import { isAsymmetricAlgorithm } from '../../key-document';

import { type RotationContext } from './context';
import { isCustomResourceEvent, putCustomResourceResponse } from './custom-resource';
import { type RotationDependencies } from './dependencies';
import { ConfigurationError, RotationError } from './errors';
import { handleFirstKeyRequest, type InvocationInfo } from './first-key-resource';
import { badEvent, runMaintenance } from './maintenance';
import { createSecret, finishSecret, setSecret, testSecret } from './steps';
import { VersionReader } from './version-reader';

export const ROTATION_STEPS = { createSecret, setSecret, testSecret, finishSecret } as const;
export type RotationStep = keyof typeof ROTATION_STEPS;

export interface RotationStepEvent {
  readonly Step: string;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly RotationToken?: string;
}

export type RotationHandler = (
  event: unknown,
  invocation?: InvocationInfo,
) => Promise<MaintenanceResult | undefined>;

export function createRotationHandler(dependencies: RotationDependencies): RotationHandler {
  if ((dependencies.config.keySet === undefined) !== (dependencies.keySetStore === undefined)) {
    // One without the other would publish nowhere, or somewhere nobody configured.
    throw new ConfigurationError(
      dependencies.config.keySet === undefined
        ? 'a key set store was given without config.keySet (where the key set is published)'
        : 'config.keySet was given without a key set store to write it with',
    );
  }
  if (
    dependencies.config.keySet !== undefined &&
    !isAsymmetricAlgorithm(dependencies.config.algorithm)
  ) {
    throw new ConfigurationError(
      `config.keySet was given for ${dependencies.config.algorithm} keys, which are never published`,
    );
  }
  const defaults = {
    ...dependencies,
    clock: dependencies.clock ?? Date.now,
    respond: dependencies.respond ?? ((url, response) => putCustomResourceResponse(url, response)),
  };
  return async (event, invocation) => {
    // A reader of its own per invocation: versions read stay read until it returns, no longer.
    const context: RotationContext = {
      ...defaults,
      versions: new VersionReader(dependencies.secrets),
    };
    if (isCustomResourceEvent(event)) {
      await handleFirstKeyRequest(context, event, invocation);
      return undefined;
    }
    if (isRecord(event) && 'action' in event) {
      const { action, secretId, kid } = event;
      if (!isMaintenanceAction(action)) {
        throw badEvent(
          `action must be one of ${MAINTENANCE_ACTIONS.join(', ')}, got ${JSON.stringify(action)}`,
        );
      }
      if (typeof secretId !== 'string' || secretId === '') {
        throw badEvent(`${action} needs a secretId (secret name or ARN)`);
      }
      if (action === 'revoke-previous' && (typeof kid !== 'string' || kid === '')) {
        // Without the kid, a revoke sent after the leaked key has already been retired (or
        // before the rotation away from it) would drop the wrong key, in its grace.
        throw badEvent(
          'revoke-previous needs the kid of the key to revoke, which must hold AWSPREVIOUS',
        );
      }
      const result = await runMaintenance(
        context,
        action === 'revoke-previous'
          ? { action, secretId, kid: kid as string }
          : { action, secretId },
      );
      context.logger.info(`${action}: ${result.outcome}`, { ...result });
      return result;
    }
    if (
      !isRecord(event) ||
      typeof event.Step !== 'string' ||
      typeof event.SecretId !== 'string' ||
      typeof event.ClientRequestToken !== 'string'
    ) {
      throw badEvent(
        'expected a Secrets Manager rotation event { Step, SecretId, ClientRequestToken }, ' +
          '{ action, secretId } or a CloudFormation custom resource request',
      );
    }
    await rotate(context, event as unknown as RotationStepEvent);
    return undefined;
  };
}

async function rotate(context: RotationContext, event: RotationStepEvent): Promise<void> {
  const { Step: step, SecretId: secretId, ClientRequestToken: token } = event;
  const log = { step, secretId, versionId: token };
  context.logger.info('rotation step started', log);
  try {
    const secret = await context.secrets.describe(secretId);
    if (!secret.rotationEnabled) {
      throw new RotationError(
        'ERR_ROTATION_DISABLED',
        `secret ${secret.arn} does not have rotation enabled`,
      );
    }
    const stages = secret.versionIdsToStages[token];
    if (stages === undefined) {
      throw new RotationError(
        'ERR_UNKNOWN_VERSION',
        `secret version ${token} has no stage for rotation of secret ${secret.arn}`,
      );
    }
    if (stages.includes(AWSCURRENT)) {
      // The template returns here: a retry after the rotation finished. finishSecret still
      // runs its end (AWSPENDING removal and the event): the move may have succeeded before a
      // failed PutEvents, and the service's retry must publish what the failure did not.
      if (step === 'finishSecret') {
        await finishSecret(context, secret, token);
      } else {
        context.logger.info('secret version is already AWSCURRENT; nothing to do', log);
      }
      return;
    }
    if (!stages.includes(AWSPENDING)) {
      throw new RotationError(
        'ERR_NOT_PENDING',
        `secret version ${token} is not set as AWSPENDING for rotation of secret ${secret.arn}`,
      );
    }
    if (!isRotationStep(step)) {
      throw new RotationError('ERR_UNKNOWN_STEP', `invalid step parameter ${JSON.stringify(step)}`);
    }
    await ROTATION_STEPS[step](context, secret, token);
    context.logger.info('rotation step succeeded', log);
  } catch (error) {
    context.logger.error('rotation step failed', {
      ...log,
      errorName: (error as Error).name,
      errorCode: (error as { code?: string }).code,
      errorMessage: (error as Error).message,
    });
    throw error;
  }
}

function isRotationStep(step: string): step is RotationStep {
  return Object.prototype.hasOwnProperty.call(ROTATION_STEPS, step);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
