/**
 * A small HTTP service using the library: POST /login signs a token, GET /protected verifies
 * one. Node's http module only, so what the library does is all there is to read.
 *
 *   JWT_SECRET_ID=<secret ARN> npx tsx examples/http-service.ts
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { JwtKeyRing, JwtKeyRingError } from '../client';

export function createApp(ring: JwtKeyRing): Server {
  return createServer((request, response) => {
    handle(ring, request, response).catch((error: unknown) => {
      send(response, 500, { error: 'internal', message: (error as Error).message });
    });
  });
}

async function handle(
  ring: JwtKeyRing,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method === 'POST' && request.url === '/login') {
    const body = await readJson(request);
    const user = typeof body?.user === 'string' ? body.user : undefined;
    if (user === undefined || user === '') {
      send(response, 400, { error: 'a JSON body { "user": "<name>" } is required' });
      return;
    }
    const token = await ring.sign({}, { subject: user, expiresIn: '15m' });
    send(response, 200, { token });
    return;
  }
  if (request.method === 'GET' && request.url === '/protected') {
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    if (match === null) {
      send(response, 401, { error: 'ERR_NO_TOKEN' });
      return;
    }
    try {
      const { payload, stage } = await ring.verify(match[1]!);
      send(response, 200, { subject: payload.sub, verifiedWith: stage });
    } catch (error) {
      if (!(error instanceof JwtKeyRingError)) throw error;
      // The key store being down is our problem, not the caller's credentials.
      const status =
        error.code === 'ERR_KEY_STORE_UNAVAILABLE' || error.code === 'ERR_KEY_DOCUMENT_INVALID'
          ? 503
          : 401;
      send(response, status, { error: error.code });
    }
    return;
  }
  send(response, 404, { error: 'not found' });
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 16_384) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

if (require.main === module) {
  const secretId = process.env.JWT_SECRET_ID;
  if (secretId === undefined) {
    console.error('set JWT_SECRET_ID to the secret name or ARN');
    process.exit(2);
  }
  const port = Number(process.env.PORT ?? 3000);
  createApp(new JwtKeyRing({ secretId })).listen(port, () => console.log(`listening on :${port}`));
}
