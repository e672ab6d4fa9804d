/** The HTTP side every protocol shares: reading a request body and writing an answer. */
import { type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { type RestResponse } from './rest';
import { ServiceError } from './service-error';

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAX_BODY_BYTES = 1024 * 1024;

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new ServiceError('ValidationException', 'Request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** A REST answer (S3, CloudFront), with the request id both services send. */
export function sendRest(response: ServerResponse, answer: RestResponse, requestId: string): void {
  if (response.headersSent) return;
  response
    .writeHead(answer.status, {
      ...answer.headers,
      'x-amz-request-id': requestId,
      'x-amzn-requestid': requestId,
    })
    .end(answer.body);
}

/** A JSON 1.1 answer (Secrets Manager, EventBridge). */
export function sendJson(response: ServerResponse, output: Record<string, unknown>): void {
  response
    .writeHead(200, { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': crypto.randomUUID() })
    .end(JSON.stringify(output));
}

/** A JSON 1.1 error (Secrets Manager, EventBridge, Lambda). */
export function sendError(response: ServerResponse, error: ServiceError): void {
  if (response.headersSent) return;
  response
    .writeHead(error.statusCode, {
      'content-type': JSON_CONTENT_TYPE,
      'x-amzn-errortype': error.type,
      'x-amzn-requestid': crypto.randomUUID(),
    })
    .end(JSON.stringify({ __type: error.type, message: error.message }));
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A REST protocol's error answer: the ServiceError thrown, or an InternalError (500) for anything else. */
export function sendRestFailure(
  response: ServerResponse,
  error: unknown,
  requestId: string,
  answer: (failure: ServiceError) => Omit<RestResponse, 'status'>,
): void {
  const failure =
    error instanceof ServiceError
      ? error
      : new ServiceError('InternalError', errorMessage(error), 500);
  sendRest(response, { status: failure.statusCode, ...answer(failure) }, requestId);
}
