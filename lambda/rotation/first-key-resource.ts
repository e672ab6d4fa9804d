/**
 * The first-key custom resource's request handling: checks the request, runs ensureFirstKey and
 * ALWAYS answers CloudFormation on the ResponseURL (a stack waits up to an hour for an answer
 * that never comes). A failure answers FAILED, with a reason naming the secret and the problem
 * (never key material), and is then thrown as well, so the invocation counts as failed.
 */
import { FIRST_KEY_RESOURCE_TYPE } from '../../contract';

import { type RotationContext } from './context';
import {
  CUSTOM_RESOURCE_REQUEST_TYPES,
  type CustomResourceEvent,
  type CustomResourceResponse,
  responseHost,
  truncateReason,
} from './custom-resource';
import { RotationError } from './errors';
import { ensureFirstKey } from './first-key';
import { type PublishedKey, publishKeySet } from './publish-key-set';

/** What Lambda tells the function about the invocation (only what the answer may name). */
export interface InvocationInfo {
  readonly logStreamName?: string;
}

export async function handleFirstKeyRequest(
  context: RotationContext,
  raw: Record<string, unknown>,
  invocation: InvocationInfo = {},
): Promise<void> {
  const event = raw as unknown as CustomResourceEvent;
  const responseUrl = typeof raw.ResponseURL === 'string' ? raw.ResponseURL : '';
  const log = {
    requestType: raw.RequestType,
    resourceType: raw.ResourceType,
    logicalResourceId: raw.LogicalResourceId,
    requestId: raw.RequestId,
    stackId: raw.StackId,
    responseHost: responseHost(responseUrl),
  };
  context.logger.info('custom resource request received', log);
  const secretId = stringProperty(raw.ResourceProperties, 'SecretId');
  let response: CustomResourceResponse;
  let failure: Error | undefined;
  try {
    const outcome = await answer(context, event, secretId);
    response = reply(event, 'SUCCESS', outcome.reason, outcome.physicalResourceId, outcome.data);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    const subject = secretId === undefined ? 'the signing key secret' : `secret ${secretId}`;
    const where =
      invocation.logStreamName === undefined
        ? ''
        : ` (details in CloudWatch log stream ${invocation.logStreamName})`;
    response = reply(
      event,
      'FAILED',
      truncateReason(`first key for ${subject} failed: ${describeError(error)}${where}`),
      event.PhysicalResourceId ?? secretId ?? stringOr(raw.LogicalResourceId, 'first-key'),
    );
    context.logger.error('custom resource request failed', {
      ...log,
      errorName: (error as Error).name,
      errorCode: (error as { code?: string }).code,
      errorMessage: (error as Error).message,
    });
  }
  try {
    await context.respond(responseUrl, response);
  } catch (error) {
    context.logger.error('the answer to CloudFormation was not delivered', {
      ...log,
      status: response.Status,
      errorMessage: (error as Error).message,
    });
    throw failure ?? error;
  }
  context.logger.info('custom resource answered', {
    ...log,
    status: response.Status,
    physicalResourceId: response.PhysicalResourceId,
  });
  if (failure !== undefined) throw failure;
}

async function answer(
  context: RotationContext,
  event: CustomResourceEvent,
  secretId: string | undefined,
): Promise<{
  reason: string;
  physicalResourceId: string;
  data?: Record<string, string>;
}> {
  if (!(CUSTOM_RESOURCE_REQUEST_TYPES as readonly unknown[]).includes(event.RequestType)) {
    throw badRequest(
      `RequestType must be Create, Update or Delete, got ${describe(event.RequestType)}`,
    );
  }
  if (event.RequestType === 'Delete') {
    // The secret is retained with the stack's resources: deleting this resource changes nothing.
    return {
      reason: 'nothing to delete: the secret and its keys are retained',
      physicalResourceId: event.PhysicalResourceId ?? secretId ?? event.LogicalResourceId,
    };
  }
  if (event.ResourceType !== FIRST_KEY_RESOURCE_TYPE) {
    throw badRequest(
      `this function serves custom resources of type ${FIRST_KEY_RESOURCE_TYPE}, got ${describe(event.ResourceType)}`,
    );
  }
  if (secretId === undefined) {
    throw badRequest('ResourceProperties.SecretId (the secret ARN) is required');
  }
  if (typeof event.RequestId !== 'string' || event.RequestId === '') {
    throw badRequest('RequestId is required');
  }
  const outcome = await ensureFirstKey(context, {
    secretId,
    requestType: event.RequestType,
    requestId: event.RequestId,
  });
  // The first key and its standby are published before the deploy returns. An Update that
  // wrote a key may have displaced one that was published: invalidate then.
  const published = await publishKeySet(
    context,
    await context.secrets.describe(outcome.secretArn),
    {
      reason: 'first-key',
      ...(outcome.written && event.RequestType === 'Update' && { invalidateFor: event.RequestId }),
    },
  );
  const publication =
    published.length === 0 ? '' : `; published the key set (kids ${kidsOf(published)})`;
  return {
    reason:
      (outcome.written
        ? `wrote the first key ${outcome.kid} and its standby key`
        : `the current key ${outcome.kid} is in place`) + publication,
    physicalResourceId: outcome.secretArn,
    data: { Kid: outcome.kid },
  };
}

function kidsOf(published: readonly PublishedKey[]): string {
  return [...new Set(published.map((key) => key.kid))].join(', ');
}

function reply(
  event: CustomResourceEvent,
  status: CustomResourceResponse['Status'],
  reason: string,
  physicalResourceId: string,
  data?: Record<string, string>,
): CustomResourceResponse {
  return {
    Status: status,
    Reason: reason,
    PhysicalResourceId: physicalResourceId,
    StackId: stringOr(event.StackId, ''),
    RequestId: stringOr(event.RequestId, ''),
    LogicalResourceId: stringOr(event.LogicalResourceId, ''),
    ...(data !== undefined && { Data: data }),
  };
}

/** Error messages of ours and of the SDK name resources and problems, never key material. */
function describeError(error: unknown): string {
  if (error instanceof RotationError) return `${error.message} (${error.code})`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return 'unknown error';
}

function badRequest(message: string): RotationError {
  return new RotationError('ERR_BAD_EVENT', `bad custom resource request: ${message}`);
}

function stringProperty(properties: unknown, name: string): string | undefined {
  if (typeof properties !== 'object' || properties === null) return undefined;
  const value = (properties as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 100)) : typeof value;
}
