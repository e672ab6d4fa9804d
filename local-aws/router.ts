/**
 * The emulator's HTTP router: each request goes to the first protocol adapter that serves it
 * (a CloudFront viewer path, a custom resource's ResponseURL, S3 and CloudFront by the service
 * their SigV4 signature names, Lambda's Invoke path, then the JSON 1.1 services by
 * X-Amz-Target). An adapter answers every error of its own protocol; what escapes one is an
 * internal error.
 */
import { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';

import { errorMessage, sendError } from './http';
import { ServiceError } from './service-error';

export interface RoutedRequest {
  readonly message: IncomingMessage;
  readonly url: URL;
  /** The service a SigV4 request was signed for (`s3`, `cloudfront`, …), if signed. */
  readonly signingService: string | undefined;
}

export interface Route {
  /** Whether this adapter serves the request (the first route that does, does). */
  matches(request: RoutedRequest): boolean;
  serve(request: RoutedRequest, response: ServerResponse): Promise<void>;
}

export function createRouter(routes: readonly Route[]): RequestListener {
  return (message, response) => {
    void route(routes, message, response).catch((error: unknown) => {
      sendError(response, new ServiceError('InternalServiceError', errorMessage(error)));
    });
  };
}

async function route(
  routes: readonly Route[],
  message: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(message.url ?? '/', 'http://127.0.0.1');
  const request = { message, url, signingService: signingServiceOf(message, url) };
  const adapter = routes.find((each) => each.matches(request));
  if (adapter === undefined) {
    throw new ServiceError('UnknownOperationException', `No route for ${url.pathname}`);
  }
  await adapter.serve(request, response);
}

/**
 * The service a SigV4 request was signed for (`s3`, `cloudfront`, …), from the credential
 * scope of its Authorization header or presigned query.
 */
function signingServiceOf(request: IncomingMessage, url: URL): string | undefined {
  const authorization = request.headers.authorization ?? '';
  const credential =
    /Credential=([^,\s]+)/.exec(authorization)?.[1] ?? url.searchParams.get('X-Amz-Credential');
  return credential?.split('/')[3];
}
