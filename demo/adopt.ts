/**
 * `npm run demo -- --import`: a team moving from a static secret, offline. A legacy service
 * signs with jsonwebtoken and a short string secret (tokens with no kid, one without exp); the
 * stack is deployed; `jwt-keys import` (the real CLI, reading the key from standard input)
 * makes that secret the legacy key and rotates; an application on JwtKeyRing then verifies the
 * old tokens until the end the import stated, not a second later, and the retirement removes
 * the key.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import jwt from 'jsonwebtoken';

import { runCli } from '../cli/run-cli';
import { JwtKeyRing, JwtKeyRingError } from '../client';
import { type MaintenanceResult } from '../contract';
import { startLocalAws } from '../local-aws';

import { shortDate } from './report';
import { createRotationFunction, simulateDeploy } from './wiring';

/** What the legacy service had in its .env: 17 bytes, under the 32 RFC 7518 asks for HS256. */
const JWT_SECRET = 'change-me-in-prod';
const LIFETIME_HOURS = 48;
const HOUR_MS = 3_600_000;

export interface AdoptFigures {
  readonly graceEndsAt: number;
  /** Each check: what was expected and what happened. */
  readonly checks: readonly { at: number; token: string; expected: string; got: string }[];
}

export async function runAdoptDemo(
  print: (line: string) => void,
): Promise<{ figures: AdoptFigures; ok: boolean }> {
  let now = Date.UTC(2026, 0, 1, 9);
  const clock = (): number => now;
  const local = await startLocalAws({ clock });
  const admin = new SecretsManagerClient(local.clientConfig());
  const app = new SecretsManagerClient(local.clientConfig());
  const log = (text: string): void => print(`${shortDate(now)}  ${text}`);
  try {
    const functionArn = local.registerFunction(
      'rotation',
      createRotationFunction(local, { clock, gracePeriodSeconds: 24 * 3600, eventBusName: 'jwt' }),
    );

    // The legacy service: jsonwebtoken, a string secret, no kid.
    const iat = Math.floor(now / 1000);
    const tokens: Readonly<Record<string, string>> = {
      [`${LIFETIME_HOURS} h token`]: jwt.sign({ sub: 'alice', iat }, JWT_SECRET, {
        expiresIn: `${LIFETIME_HOURS}h`,
      }),
      'token without exp': jwt.sign({ sub: 'bob', iat }, JWT_SECRET),
    };
    log(`legacy service: jsonwebtoken signs 2 tokens with JWT_SECRET (${JWT_SECRET.length} bytes)`);

    const { secretArn } = await simulateDeploy(local, admin, {
      secretName: 'jwt-key',
      functionArn,
      rotationDays: 90,
    });
    log('cdk deploy: the secret with its first key, rotation every 90 days, 24 h grace');

    const argv = ['import', secretArn, '--longest-token-lifetime', `${LIFETIME_HOURS}h`];
    argv.push('--tokens-without-exp', 'accept-until-grace-end', '--json');
    log(`printf %s "$JWT_SECRET" | jwt-keys ${argv.join(' ').replace(secretArn, 'SECRET')}`);
    const output: string[] = [];
    const code = await runCli([...argv, '--endpoint', local.endpoint, '--region', 'us-east-1'], {
      stdout: (text) => output.push(text),
      stderr: (text) => print(`                  ${text}`),
      clientConfig: { credentials: local.clientConfig().credentials },
      now: clock,
      sleep: () => local.rotationsSettled(),
      stdin: { isTTY: false, read: () => Promise.resolve(Buffer.from(`${JWT_SECRET}\n`)) },
    });
    if (code !== 0) throw new Error(`jwt-keys import failed (exit ${code})`);
    const imported = JSON.parse(output.join('\n')) as { legacyGraceEndsAt: string };
    const graceEndsAt = Date.parse(imported.legacyGraceEndsAt);
    log(`imported: tokens without kid verify until ${imported.legacyGraceEndsAt}`);

    const ring = new JwtKeyRing({ secretId: secretArn, client: app, clock });
    const checks: { at: number; token: string; expected: string; got: string }[] = [];
    const check = async (label: string, expected: string): Promise<void> => {
      let got: string;
      try {
        const verified = await ring.verify(tokens[label]!);
        got = verified.legacy ? 'accepted (legacy key)' : `accepted (${verified.stage})`;
      } catch (error) {
        if (!(error instanceof JwtKeyRingError)) throw error;
        got = error.code;
      }
      checks.push({ at: now, token: label, expected, got });
      log(`app verifies the ${label}: ${got}${got === expected ? '' : `, EXPECTED ${expected}`}`);
    };
    const signed = await ring.verify(await ring.sign({ sub: 'alice' }));
    log(`app signs with the new key (kid ${signed.kid.slice(0, 8)}): legacy ${signed.legacy}`);
    for (const label of Object.keys(tokens)) await check(label, 'accepted (legacy key)');

    now += 30 * HOUR_MS;
    log('30 h later: past the 24 h grace the stack gives an ordinary previous key');
    for (const label of Object.keys(tokens)) await check(label, 'accepted (legacy key)');

    now += (LIFETIME_HOURS - 30) * HOUR_MS + 60_000;
    log(`${LIFETIME_HOURS} h + 60 s after the import: the token with exp has expired`);
    await check(`${LIFETIME_HOURS} h token`, 'ERR_JWT_EXPIRED');

    now = graceEndsAt - 1000;
    log('one second before the stated end');
    await check('token without exp', 'accepted (legacy key)');
    now = graceEndsAt;
    log('the stated end');
    await check('token without exp', 'ERR_JWT_PREVIOUS_KEY_EXPIRED');

    const retired = (await local.invokeFunction(functionArn, {
      action: 'retire',
      secretId: secretArn,
    })) as MaintenanceResult;
    log(`retirement check: ${retired.outcome} (kid ${retired.retired?.kid.slice(0, 8) ?? '-'})`);

    const ok = checks.every(({ expected, got }) => expected === got);
    print(
      `\n${checks.length} checks, ${checks.filter((c) => c.expected !== c.got).length} unexpected`,
    );
    return { figures: { graceEndsAt, checks }, ok };
  } finally {
    admin.destroy();
    app.destroy();
    await local.close();
  }
}
