/**
 * A small HTTP service using the library: POST /login signs a token, GET /protected verifies
 * one. Node's http module only, so what the library does is all there is to read.
 *
 *   JWT_SECRET_ID=<secret ARN> APPLICATION_NAME=orders-api npx tsx examples/http-service.ts
 *
 * It counts every verification as CloudWatch embedded metrics on stdout (TokensAccepted by
 * key stage, TokensRefused by error code, under the Application dimension APPLICATION_NAME,
 * default `http-service`): written every METRICS_FLUSH_INTERVAL_MS (default 60000), and at
 * once when it stops on SIGTERM or SIGINT, so a flood of forged tokens shows as a few lines
 * with its counts. Besides those JSON lines, stdout has one line, `listening on :<port>`.
 * Refused tokens are also logged (rate-limited JSON warnings on stderr).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

import { type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import {
  createEmbeddedMetricsObserver,
  type EmbeddedMetricsObserver,
  JwtKeyRing,
  JwtKeyRingError,
} from '../client';

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

export interface ServiceSettings {
  readonly secretId: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The Application dimension of its metrics. */
  readonly application: string;
  readonly flushIntervalMs: number;
}

/** The settings from the environment: JWT_SECRET_ID, PORT, APPLICATION_NAME, METRICS_FLUSH_INTERVAL_MS. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): ServiceSettings {
  const secretId = env.JWT_SECRET_ID;
  if (secretId === undefined || secretId === '') {
    throw new Error('set JWT_SECRET_ID to the secret name or ARN');
  }
  return {
    secretId,
    port: Number(env.PORT ?? 3000),
    application: env.APPLICATION_NAME ?? 'http-service',
    flushIntervalMs: Number(env.METRICS_FLUSH_INTERVAL_MS ?? 60_000),
  };
}

export interface RunningService {
  readonly port: number;
  readonly url: string;
  readonly metrics: EmbeddedMetricsObserver;
  /** Stops taking requests and writes the metrics counted so far. */
  stop(): Promise<void>;
}

/** The service with its metrics and refusal warnings wired in, listening. */
export async function startService(
  settings: ServiceSettings,
  options: {
    readonly client?: SecretsManagerClient;
    /** Where the EMF lines go. @default stdout */
    readonly writeMetrics?: (line: string) => void;
    /** Where refusal warnings go, one JSON line each. @default stderr */
    readonly writeLog?: (line: string) => void;
  } = {},
): Promise<RunningService> {
  const metrics = createEmbeddedMetricsObserver({
    application: settings.application,
    flushIntervalMs: settings.flushIntervalMs,
    ...(options.writeMetrics !== undefined && { write: options.writeMetrics }),
  });
  const writeLog = options.writeLog ?? ((line: string) => process.stderr.write(`${line}\n`));
  const ring = new JwtKeyRing({
    secretId: settings.secretId,
    ...(options.client !== undefined && { client: options.client }),
    observer: metrics,
    logger: {
      warn: (message, fields) => writeLog(JSON.stringify({ level: 'WARN', message, ...fields })),
    },
  });
  const server = createApp(ring);
  await new Promise<void>((resolve) => server.listen(settings.port, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    metrics,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      metrics.close();
    },
  };
}

if (require.main === module) {
  let settings: ServiceSettings;
  try {
    settings = settingsFromEnvironment(process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  startService(settings).then(
    (service) => {
      console.log(`listening on :${service.port}`);
      const stop = (): void => {
        // Exit once stdout has taken the last metrics.
        service.stop().then(
          () => process.stdout.write('', () => process.exit(0)),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
