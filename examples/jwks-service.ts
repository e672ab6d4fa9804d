/**
 * A service that only verifies: GET /protected accepts a token signed elsewhere (by a service
 * holding the secret) and checks it against the published key set. No AWS access, no
 * credentials, no secret: JwksVerifier reads the JWKS over HTTPS. The stack's outputs give the
 * two values it needs.
 *
 *   JWKS_URI=<JwksUri output> JWT_ISSUER=<Issuer output> JWT_AUDIENCE=orders-api \
 *     npx tsx examples/jwks-service.ts
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { JwksVerifier, type JwksVerifierOptions, JwtKeyRingError } from '../client';

/** Where the key set cannot be read or used: our outage, not the caller's credentials. */
const UNAVAILABLE = new Set(['ERR_KEY_STORE_UNAVAILABLE', 'ERR_KEY_SET_INVALID']);

export function createJwksApp(verifier: JwksVerifier): Server {
  return createServer((request, response) => {
    handle(verifier, request, response).catch((error: unknown) => {
      send(response, 500, { error: 'internal', message: (error as Error).message });
    });
  });
}

async function handle(
  verifier: JwksVerifier,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== 'GET' || request.url !== '/protected') {
    send(response, 404, { error: 'not found' });
    return;
  }
  const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
  if (match === null) {
    send(response, 401, { error: 'ERR_NO_TOKEN' });
    return;
  }
  try {
    const { payload, kid } = await verifier.verify(match[1]!);
    send(response, 200, { subject: payload.sub, kid });
  } catch (error) {
    if (!(error instanceof JwtKeyRingError)) throw error;
    send(response, UNAVAILABLE.has(error.code) ? 503 : 401, { error: error.code });
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * The verifier's settings from the environment: JWKS_URI and JWT_ISSUER (the stack's JwksUri and
 * Issuer outputs) are required, JWT_AUDIENCE optional (comma-separated).
 */
export function verifierOptionsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): JwksVerifierOptions {
  const missing = ['JWKS_URI', 'JWT_ISSUER'].filter((name) => (env[name] ?? '') === '');
  if (missing.length > 0) {
    throw new Error(`set ${missing.join(' and ')} (the stack's JwksUri and Issuer outputs)`);
  }
  const audience = (env.JWT_AUDIENCE ?? '')
    .split(',')
    .map((each) => each.trim())
    .filter((each) => each !== '');
  return {
    jwksUri: env.JWKS_URI,
    issuer: env.JWT_ISSUER,
    ...(audience.length > 0 && { audience }),
  };
}

if (require.main === module) {
  let options: JwksVerifierOptions;
  try {
    options = verifierOptionsFromEnvironment(process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const port = Number(process.env.PORT ?? 3000);
  createJwksApp(new JwksVerifier(options)).listen(port, () => console.log(`listening on :${port}`));
}
