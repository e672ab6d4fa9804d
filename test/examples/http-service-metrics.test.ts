/**
 * The example service's telemetry: a flood of forged and unknown-kid tokens shows in the
 * embedded metrics it writes, with the right counts, whether it is started in this process or
 * run as `npx tsx examples/http-service.ts` and stopped with SIGTERM (its stdout parsed as
 * CloudWatch Logs would).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { REFUSED_TOKEN_WARNING } from '../../client';
import {
  APPLICATION_DIMENSION,
  ERROR_CODE_DIMENSION,
  KEY_STAGE_DIMENSION,
  VERIFICATION_METRICS,
} from '../../contract';
import { startService } from '../../examples/http-service';
import { generateKeyDocument, serializeKeyDocument } from '../../key-document';
import { type LocalAws, startLocalAws } from '../../local-aws';
import { parseEmfLines, sumOf } from '../support/emf';
import { hmacToken } from '../support/tokens';

const REPOSITORY = join(__dirname, '..', '..');
const SIGNING_KEY = generateKeyDocument({ alg: 'HS256', kid: 'k1', now: new Date() });
/** Someone's guess at the key: same kid, other bytes. */
const ATTACKER_KEY = generateKeyDocument({ alg: 'HS256', kid: 'k1', now: new Date() });

describe('examples/http-service: metrics under a flood', () => {
  let local: LocalAws;
  let admin: SecretsManagerClient;
  let secretArn: string;

  beforeAll(async () => {
    local = await startLocalAws();
    admin = new SecretsManagerClient(local.clientConfig());
    const created = await admin.send(
      new CreateSecretCommand({ Name: 'app/jwt', SecretString: serializeKeyDocument(SIGNING_KEY) }),
    );
    secretArn = created.ARN!;
  });

  afterAll(async () => {
    admin.destroy();
    await local.close();
  });

  /** N forged tokens (signed with a guessed key) and M with kids nobody has, and a valid one. */
  async function flood(
    base: string,
    forged: number,
    unknownKid: number,
  ): Promise<{ statuses: number[]; tokens: string[] }> {
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      body: JSON.stringify({ user: 'mallory' }),
    });
    const { token } = (await login.json()) as { token: string };
    const payload = token.split('.')[1]!;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as object;
    const tokens = [
      ...Array.from({ length: forged }, (_, index) =>
        hmacToken(
          { alg: 'HS256', kid: 'k1', typ: 'JWT' },
          { ...claims, jti: `${index}` },
          ATTACKER_KEY,
        ),
      ),
      ...Array.from({ length: unknownKid }, (_, index) =>
        hmacToken({ alg: 'HS256', kid: `guess-${index}`, typ: 'JWT' }, claims, SIGNING_KEY),
      ),
      token,
    ];
    const statuses: number[] = [];
    // 25 requests at a time: a flood, within what one test process can open.
    for (let start = 0; start < tokens.length; start += 25) {
      const batch = tokens.slice(start, start + 25).map(async (each) => {
        const response = await fetch(`${base}/protected`, {
          headers: { authorization: `Bearer ${each}` },
        });
        await response.arrayBuffer();
        return response.status;
      });
      statuses.push(...(await Promise.all(batch)));
    }
    return { statuses, tokens };
  }

  it('counts N forged and M unknown-kid tokens (started in process, stopped)', async () => {
    // GIVEN the service as its main starts it, its metrics and log captured
    const metricLines: string[] = [];
    const logLines: string[] = [];
    const client = new SecretsManagerClient(local.clientConfig());
    const service = await startService(
      { secretId: secretArn, port: 0, application: 'orders-api', flushIntervalMs: 60_000 },
      {
        client,
        writeMetrics: (line) => metricLines.push(line),
        writeLog: (line) => logLines.push(line),
      },
    );

    // WHEN 400 forged and 250 unknown-kid tokens arrive, and one valid one, then it stops
    const { statuses, tokens } = await flood(service.url, 400, 250);
    await service.stop();
    client.destroy();

    // THEN every bad token was refused, the valid one accepted
    expect(statuses.filter((status) => status === 401)).toHaveLength(650);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    // AND the metrics say so, by code and by stage, under the application's name
    const records = parseEmfLines(metricLines);
    const where = { [APPLICATION_DIMENSION]: 'orders-api' };
    expect(
      sumOf(records, VERIFICATION_METRICS.refused, {
        ...where,
        [ERROR_CODE_DIMENSION]: 'ERR_JWT_SIGNATURE_INVALID',
      }),
    ).toBe(400);
    expect(
      sumOf(records, VERIFICATION_METRICS.refused, {
        ...where,
        [ERROR_CODE_DIMENSION]: 'ERR_JWT_UNKNOWN_KID',
      }),
    ).toBe(250);
    expect(
      sumOf(records, VERIFICATION_METRICS.accepted, { ...where, [KEY_STAGE_DIMENSION]: 'current' }),
    ).toBe(1);
    // AND in a handful of lines, not one per token
    expect(metricLines.length).toBeLessThanOrEqual(5);
    // AND the log has one warning per code (within the minute), none with a token in it
    const warnings = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(warnings.filter((warning) => warning.message === REFUSED_TOKEN_WARNING)).toHaveLength(2);
    const log = logLines.join('\n');
    for (const token of tokens) expect(log).not.toContain(token.split('.')[2]!);
    // A bound for a hung run, not a speed check.
  }, 60_000);

  it('counts them as `npx tsx examples/http-service.ts` writes them to stdout, flushed on SIGTERM', async () => {
    // GIVEN the example run as a process, pointed at the local endpoint
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/http-service.ts'], {
      cwd: REPOSITORY,
      env: {
        ...process.env,
        JWT_SECRET_ID: secretArn,
        PORT: '0',
        APPLICATION_NAME: 'flood-check',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: local.endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    const stdout: string[] = [];
    const lines = createInterface({ input: child.stdout });
    const port = await new Promise<number>((resolve, reject) => {
      lines.on('line', (line) => {
        stdout.push(line);
        const listening = /^listening on :(\d+)$/.exec(line);
        if (listening !== null) resolve(Number(listening[1]));
      });
      child.once('exit', (code) =>
        reject(new Error(`the service exited (${code}) before listening`)),
      );
    });

    // WHEN 120 forged and 80 unknown-kid tokens arrive, then SIGTERM
    const { statuses } = await flood(`http://127.0.0.1:${port}`, 120, 80);
    child.kill('SIGTERM');
    const [code] = await exited;

    // THEN it exited cleanly, and the EMF on its stdout has those counts
    expect(code).toBe(0);
    expect(statuses.filter((status) => status === 401)).toHaveLength(200);
    const records = parseEmfLines(stdout);
    const refused = (errorCode: string): number =>
      sumOf(records, VERIFICATION_METRICS.refused, {
        [APPLICATION_DIMENSION]: 'flood-check',
        [ERROR_CODE_DIMENSION]: errorCode,
      });
    expect(refused('ERR_JWT_SIGNATURE_INVALID')).toBe(120);
    expect(refused('ERR_JWT_UNKNOWN_KID')).toBe(80);
    expect(sumOf(records, VERIFICATION_METRICS.accepted)).toBe(1);
  }, 60_000);
});
