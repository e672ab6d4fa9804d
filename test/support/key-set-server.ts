/**
 * A published key set on a real node:http server on 127.0.0.1: `/.well-known/jwks.json` and
 * `/.well-known/openid-configuration`, as the distribution serves them, with what a test needs
 * to change (the body, Cache-Control, failures, a response that never ends) and a count of the
 * requests each path received. Also third-party verifiers (jose, jwks-rsa + jsonwebtoken) built
 * unmodified on any JWKS URL, so the same helpers serve tests against other servers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

import jwt from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';

import { type AsymmetricKeyDocument, publicJwk } from '../../key-document';

export const JWKS_PATH = '/.well-known/jwks.json';
export const CONFIGURATION_PATH = '/.well-known/openid-configuration';

/** What a path answers; `hang` accepts the request and never answers. */
export interface Route {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Writes this many bytes, then keeps the response open (a body that never ends). */
  endless?: number;
  hang?: boolean;
  /**
   * Sends the headers at once, then one space every `everyMs` (calling `onDrip` after each),
   * then `body` after `forMs`: a slow server that is never silent long enough for a read
   * timeout, only a deadline on the whole fetch stops it. `onClose` is called when the
   * response closes (ended, or the client went away).
   */
  drip?: {
    readonly everyMs: number;
    readonly forMs: number;
    readonly onDrip?: () => void;
    readonly onClose?: () => void;
  };
}

export interface KeySetServer {
  /** `http://127.0.0.1:<port>`: the issuer. */
  readonly issuer: string;
  readonly jwksUri: string;
  readonly routes: Map<string, Route>;
  /** Serves these documents' public halves as the key set, with Cache-Control if given. */
  publish(documents: readonly AsymmetricKeyDocument[], cacheControl?: string): void;
  /** Serves any JSON as the key set. */
  serveKeySet(value: unknown, headers?: Record<string, string>): void;
  requests(path?: string): number;
  close(): Promise<void>;
}

export async function startKeySetServer(): Promise<KeySetServer> {
  const routes = new Map<string, Route>();
  const counts = new Map<string, number>();
  const open = new Set<ServerResponse>();
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const route = routes.get(path) ?? { status: 404, body: 'not found' };
    if (route.hang === true) {
      open.add(response);
      return;
    }
    response.writeHead(route.status ?? 200, {
      'content-type': 'application/json',
      ...route.headers,
    });
    if (route.drip !== undefined) {
      dripTo(response, route.drip, route.body);
      open.add(response);
      return;
    }
    if (route.endless !== undefined) {
      open.add(response);
      response.write(Buffer.alloc(route.endless, 0x20));
      return;
    }
    response.end(route.body);
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const jwksUri = `${issuer}${JWKS_PATH}`;
  routes.set(CONFIGURATION_PATH, {
    body: JSON.stringify({
      issuer,
      jwks_uri: jwksUri,
      id_token_signing_alg_values_supported: ['ES256', 'EdDSA', 'RS256'],
    }),
  });
  const serveKeySet = (value: unknown, headers: Record<string, string> = {}): void => {
    routes.set(JWKS_PATH, { headers, body: JSON.stringify(value) });
  };
  return {
    issuer,
    jwksUri,
    routes,
    publish(documents, cacheControl) {
      serveKeySet(
        { keys: documents.map((document) => publicJwk(document)) },
        cacheControl === undefined ? {} : { 'cache-control': cacheControl },
      );
    },
    serveKeySet,
    requests: (path = JWKS_PATH) => counts.get(path) ?? 0,
    async close() {
      for (const response of open) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function dripTo(
  response: ServerResponse,
  drip: NonNullable<Route['drip']>,
  body: string | Buffer | undefined,
): void {
  response.flushHeaders();
  const dripping = setInterval(() => {
    response.write(' ');
    drip.onDrip?.();
  }, drip.everyMs);
  const ending = setTimeout(() => {
    clearInterval(dripping);
    response.end(body);
  }, drip.forMs);
  response.on('close', () => {
    clearInterval(dripping);
    clearTimeout(ending);
    drip.onClose?.();
  });
}

/** A verifier of another library, built unmodified on a JWKS URL: resolves to the payload. */
export type ThirdPartyVerifier = (token: string) => Promise<Record<string, unknown>>;

/** jose's createRemoteJWKSet + jwtVerify, as its documentation shows. */
export async function joseVerifier(
  jwksUri: string,
  expected: { issuer: string; audience: string },
): Promise<ThirdPartyVerifier> {
  const { createRemoteJWKSet, jwtVerify } = await import('jose');
  const keys = createRemoteJWKSet(new URL(jwksUri));
  return async (token) => (await jwtVerify(token, keys, expected)).payload;
}

/** jwks-rsa's getSigningKey (by the token's kid) with jsonwebtoken's verify. */
export function jwksRsaVerifier(
  jwksUri: string,
  expected: { issuer: string; audience: string; algorithms: jwt.Algorithm[] },
): ThirdPartyVerifier {
  const client = new JwksClient({ jwksUri, cache: true, rateLimit: true });
  return async (token) => {
    const header = jwt.decode(token, { complete: true })?.header;
    const signingKey = await client.getSigningKey(header?.kid);
    return jwt.verify(token, signingKey.getPublicKey(), expected) as Record<string, unknown>;
  };
}
