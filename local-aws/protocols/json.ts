/**
 * AWS's JSON 1.1 protocol (Secrets Manager, EventBridge): a POST whose X-Amz-Target names the
 * service and the operation, a JSON body in and out. The fallback route: what no other adapter
 * serves is answered here, as an unknown operation if nothing else.
 */
import { type ServerResponse } from 'node:http';

import { type UNANSWERED } from '../faults';
import { errorMessage, readBody, sendError, sendJson } from '../http';
import { type Route, type RoutedRequest } from '../router';
import { ServiceError } from '../service-error';

/** One service on the JSON 1.1 protocol. */
export interface JsonService {
  /** The X-Amz-Target prefix: `secretsmanager`, `AWSEvents`. */
  readonly targetPrefix: string;
  call(
    operation: string,
    input: Record<string, unknown>,
  ): Promise<Record<string, unknown> | typeof UNANSWERED>;
}

export function jsonRoute(services: readonly JsonService[]): Route {
  return {
    matches: () => true,
    serve: (request, response) => serveJson(services, request, response),
  };
}

async function serveJson(
  services: readonly JsonService[],
  { message }: RoutedRequest,
  response: ServerResponse,
): Promise<void> {
  const body = await readBody(message);
  const target = message.headers['x-amz-target'];
  const [prefix, operation] = typeof target === 'string' ? target.split('.') : [];
  if (message.method !== 'POST' || operation === undefined) {
    sendError(
      response,
      new ServiceError('UnknownOperationException', `No such operation: ${String(target)}`),
    );
    return;
  }
  let input: Record<string, unknown>;
  try {
    input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
  } catch {
    sendError(
      response,
      new ServiceError('SerializationException', 'The request body is not valid JSON.'),
    );
    return;
  }
  try {
    const service = services.find((each) => each.targetPrefix === prefix);
    if (service === undefined) {
      throw new ServiceError('UnknownOperationException', `No such service: ${prefix}`);
    }
    const output = await service.call(operation, input);
    // An unanswered call keeps its connection open until close() drops it.
    if (typeof output !== 'symbol') sendJson(response, output);
  } catch (error) {
    sendError(
      response,
      error instanceof ServiceError
        ? error
        : new ServiceError('InternalServiceError', errorMessage(error)),
    );
  }
}
