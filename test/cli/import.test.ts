/**
 * jwt-keys import end to end: a typical legacy setup (jsonwebtoken with a short string secret,
 * tokens with and without exp) moves to rotating keys through the real CLI, the real rotation
 * handler (invoked by the local Secrets Manager) and the real JwtKeyRing. Tokens issued before
 * the import verify through it and the first rotations until the stated end, not a second
 * later; the retirement and the next rotation remove the legacy key.
 */
import { createPrivateKey, sign as cryptoSign } from 'node:crypto';

import { GetSecretValueCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import jwt from 'jsonwebtoken';

import { runCli } from '../../cli/run-cli';
import { JwtKeyRing, JwtKeyRingError } from '../../client';
import { type MaintenanceResult } from '../../contract';
import { keyMembersOf, parseKeyDocument } from '../../key-document';
import {
  DAY_MS,
  everythingObservable,
  HOUR_MS,
  type RotationRig,
  startRotationRig,
} from '../support/rotation-rig';

import { type CliRun } from './support';

/** A short string secret, as countless `.env` files hold: 12 bytes, under HS256's 32. */
const LEGACY_SECRET = 'dev-jwt-shh!';
const HOUR_S = 3600;

interface StdinSpec {
  readonly text?: string;
  readonly isTTY?: boolean;
}

async function importCli(
  rig: RotationRig,
  stdin: StdinSpec | undefined,
  ...argv: string[]
): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli([...argv, '--endpoint', rig.local.endpoint, '--region', 'us-east-1'], {
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
    clientConfig: { credentials: rig.local.clientConfig().credentials, maxAttempts: 1 },
    now: rig.clock,
    sleep: () => rig.local.rotationsSettled(),
    ...(stdin !== undefined && {
      stdin: {
        isTTY: stdin.isTTY,
        read: () => Promise.resolve(Buffer.from(stdin.text ?? '', 'utf8')),
      },
    }),
  });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

/** Tokens as the legacy service made them: jsonwebtoken, a string secret, no kid. */
function legacyToken(
  rig: RotationRig,
  claims: { expiresInSeconds?: number },
  secret = LEGACY_SECRET,
): string {
  const iat = Math.floor(rig.now / 1000);
  return jwt.sign({ sub: 'user-42', iat }, secret, {
    algorithm: 'HS256',
    ...(claims.expiresInSeconds !== undefined && { expiresIn: claims.expiresInSeconds }),
  });
}

function ringFor(rig: RotationRig, arn: string): JwtKeyRing {
  return new JwtKeyRing({ secretId: arn, client: rig.sm, clock: rig.clock, cacheTtlMs: 60_000 });
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof JwtKeyRingError) return error.code;
    throw error;
  }
  return 'verified';
}

/** Configures rotation as the stack does (rate(30 days), a 4-hour window) without rotating. */
async function configureRotation(
  rig: RotationRig,
  arn: string,
  schedule = 'rate(30 days)',
): Promise<void> {
  await rig.sm.send(
    new RotateSecretCommand({
      SecretId: arn,
      RotationLambdaARN: rig.functionArn,
      RotationRules: { ScheduleExpression: schedule, Duration: '4h' },
      RotateImmediately: false,
    }),
  );
  await rig.local.rotationsSettled();
}

function keyEncodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret, bytes.toString('base64url'), bytes.toString('base64'), bytes.toString('hex')];
}

interface ImportDocument {
  outcome: string;
  legacyKey: { kid: string; keyBytes: number; short: boolean; graceSeconds: number };
  legacyGraceEndsAt: string;
  current: { kid: string };
}

describe('jwt-keys import', () => {
  let rig: RotationRig;
  let arn: string;

  beforeEach(async () => {
    rig = await startRotationRig();
    arn = await rig.createKeySecret();
    await configureRotation(rig, arn);
  });

  afterEach(async () => {
    await rig.close();
  });

  const lifetime = ['--longest-token-lifetime', '48h'];

  it('keeps legacy tokens (with and without exp) verifying through the import and the first rotation until the stated end, and not a second later', async () => {
    // GIVEN tokens the legacy service issued: one that lives the stated 48 hours, one without
    // exp, and one claiming to live 30 days (longer than the user stated)
    const importedAt = rig.now;
    const withExp = legacyToken(rig, { expiresInSeconds: 48 * HOUR_S });
    const withoutExp = legacyToken(rig, {});
    const overlong = legacyToken(rig, { expiresInSeconds: 30 * 24 * HOUR_S });
    expect(await refusal(ringFor(rig, arn).verify(withExp))).toBe('ERR_JWT_UNKNOWN_KID');

    // WHEN the key is imported, accepting tokens without exp until the grace ends
    const run = await importCli(
      rig,
      { text: `${LEGACY_SECRET}\n` },
      'import',
      arn,
      ...lifetime,
      '--tokens-without-exp',
      'accept-until-grace-end',
      '--json',
    );

    // THEN the legacy key is AWSPREVIOUS, a new key signs, and the grace is the stated
    // lifetime plus 5 min (cache) and 60 s (clock tolerance), counted from the rotation
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as ImportDocument;
    expect(result.outcome).toBe('imported');
    expect(result.legacyKey).toMatchObject({
      keyBytes: 12,
      short: true,
      graceSeconds: 48 * HOUR_S + 360,
    });
    const graceEnd = Date.parse(result.legacyGraceEndsAt);
    expect(graceEnd).toBe(importedAt + (48 * HOUR_S + 360) * 1000);
    expect(run.stderr).toContain('WARNING: the legacy key is 12 bytes, shorter than the 32 bytes');
    expect(run.stderr).not.toContain('next scheduled rotation');
    const stages = rig.local.versionStages(arn);
    expect(stages[result.legacyKey.kid]).toEqual(['AWSPREVIOUS']);
    expect(stages[result.current.kid]).toEqual(['AWSCURRENT']);
    // AND every legacy token verifies, by the legacy key only
    const ring = ringFor(rig, arn);
    for (const token of [withExp, withoutExp, overlong]) {
      const verified = await ring.verify(token);
      expect(verified).toMatchObject({
        legacy: true,
        stage: 'AWSPREVIOUS',
        kid: result.legacyKey.kid,
      });
    }
    // AND the ring signs with the new key, whose tokens are not legacy
    const fresh = await ring.verify(await ring.sign({ sub: 'user-42' }));
    expect(fresh).toMatchObject({ legacy: false, kid: result.current.kid });

    // WHEN the configured 24-hour grace has passed: the legacy grace (48 h + 6 min) holds
    rig.now = importedAt + 25 * HOUR_MS;
    const early = (await rig.local.invokeFunction(rig.functionArn, {
      action: 'retire',
      secretId: arn,
    })) as MaintenanceResult;
    expect(early).toMatchObject({
      outcome: 'grace-not-ended',
      graceEndsAt: result.legacyGraceEndsAt,
    });
    expect(await ring.verify(withExp)).toMatchObject({ legacy: true });

    // WHEN the token with exp has expired (its exp plus the ring's 60 s tolerance)
    rig.now = importedAt + 48 * HOUR_MS + 59_000;
    expect((await ring.verify(withExp)).legacy).toBe(true);
    rig.now = importedAt + 48 * HOUR_MS + 60_000;
    expect(await refusal(ring.verify(withExp))).toBe('ERR_JWT_EXPIRED');

    // THEN the tokens without exp, or with an exp beyond the stated lifetime, verify until the
    // stated end and not a second later
    rig.now = graceEnd - 1;
    expect((await ring.verify(withoutExp)).legacy).toBe(true);
    expect((await ring.verify(overlong)).legacy).toBe(true);
    rig.now = graceEnd;
    expect(await refusal(ring.verify(withoutExp))).toBe('ERR_JWT_PREVIOUS_KEY_EXPIRED');
    expect(await refusal(ring.verify(overlong))).toBe('ERR_JWT_PREVIOUS_KEY_EXPIRED');

    // WHEN the retirement runs at the end of the grace
    const retired = (await rig.local.invokeFunction(rig.functionArn, {
      action: 'retire',
      secretId: arn,
    })) as MaintenanceResult;

    // THEN the legacy key has left the secret, and a kid-less token names no key at all
    expect(retired).toMatchObject({ outcome: 'retired', retired: { kid: result.legacyKey.kid } });
    expect(rig.local.versionStages(arn)[result.legacyKey.kid]).toBeUndefined();
    rig.now += 120_000;
    expect(await refusal(ring.verify(withoutExp))).toBe('ERR_JWT_UNKNOWN_KID');

    // AND the key was never shown: not in the output, the logs, the events or the errors
    const seen = [run.stdout, run.stderr, everythingObservable(rig)].join('\n');
    for (const encoding of keyEncodings(LEGACY_SECRET)) expect(seen).not.toContain(encoding);
  });

  it('the next rotation removes the legacy key once its grace is over, and the tokens it verified stop', async () => {
    // GIVEN an import
    const withoutExp = legacyToken(rig, {});
    const run = await importCli(
      rig,
      { text: LEGACY_SECRET },
      'import',
      arn,
      '--longest-token-lifetime',
      '1h',
      '--tokens-without-exp',
      'accept-until-grace-end',
      '--json',
    );
    expect(run.code).toBe(0);
    const { legacyKey } = JSON.parse(run.stdout) as ImportDocument;
    const ring = ringFor(rig, arn);
    expect((await ring.verify(withoutExp)).legacy).toBe(true);

    // WHEN the second rotation runs after the grace (1 h + 6 min under the configured 24 h:
    // the configured grace is the longer and stands)
    rig.now += 25 * HOUR_MS;
    const rotated = await importCli(rig, undefined, 'rotate', arn);

    // THEN the legacy key holds no label, and kid-less tokens name no key
    expect(rotated.code).toBe(0);
    expect(rig.local.versionStages(arn)[legacyKey.kid]).toBeUndefined();
    expect(await refusal(ring.verify(withoutExp))).toBe('ERR_JWT_UNKNOWN_KID');
  });

  it('refuses tokens without exp by default, and a token signed with another secret', async () => {
    // GIVEN
    const withoutExp = legacyToken(rig, {});
    const forged = legacyToken(rig, { expiresInSeconds: 600 }, 'not-the-secret');

    // WHEN imported without choosing to accept tokens without exp
    const run = await importCli(rig, { text: LEGACY_SECRET }, 'import', arn, ...lifetime);

    // THEN
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('tokens without exp: refused');
    const ring = ringFor(rig, arn);
    expect(await refusal(ring.verify(withoutExp))).toBe('ERR_JWT_EXP_MISSING');
    expect(await refusal(ring.verify(forged))).toBe('ERR_JWT_SIGNATURE_INVALID');
  });

  it('says so and changes nothing when run again with the same key; refuses a different key', async () => {
    // GIVEN a finished import
    expect((await importCli(rig, { text: LEGACY_SECRET }, 'import', arn, ...lifetime)).code).toBe(
      0,
    );
    const stages = rig.local.versionStages(arn);
    const calls = rig.local.calls.length;

    // WHEN run again with the same key (and a newline, as echo adds)
    const again = await importCli(rig, { text: `${LEGACY_SECRET}\n` }, 'import', arn, ...lifetime);

    // THEN
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('was already imported');
    expect(again.stdout).toContain('nothing changed');
    expect(rig.local.versionStages(arn)).toEqual(stages);
    const writes = rig.local.calls
      .slice(calls)
      .filter(
        (call) =>
          !['DescribeSecret', 'GetSecretValue', 'ListSecretVersionIds'].includes(call.operation),
      );
    expect(writes).toEqual([]);

    // WHEN run with a different key
    const other = 'another-secret-value';
    const different = await importCli(rig, { text: other }, 'import', arn, ...lifetime);

    // THEN refused, nothing changed, and neither key shown
    expect(different.code).toBe(1);
    expect(different.stderr).toMatch(/already holds a different legacy key .*Nothing was changed/);
    expect(rig.local.versionStages(arn)).toEqual(stages);
    for (const encoding of [...keyEncodings(other), ...keyEncodings(LEGACY_SECRET)]) {
      expect(different.stderr + different.stdout).not.toContain(encoding);
    }
  });

  it('finishes the job when re-run after a failure between the write and the rotation; meanwhile the ring verifies with the legacy key and refuses to sign', async () => {
    // GIVEN the rotation request fails once, after the legacy key was written
    const withExp = legacyToken(rig, { expiresInSeconds: HOUR_S });
    rig.local.faults.inject({ operation: 'RotateSecret', error: 'InternalServiceError' });

    // WHEN
    const failed = await importCli(rig, { text: LEGACY_SECRET }, 'import', arn, ...lifetime);

    // THEN the legacy key is AWSCURRENT: it verifies, and nothing signs with it
    expect(failed.code).toBe(1);
    const current = await rig.current(arn);
    expect(current.document).toMatchObject({ legacy: { graceSeconds: 48 * HOUR_S + 360 } });
    const ring = ringFor(rig, arn);
    expect(await ring.verify(withExp)).toMatchObject({ legacy: true, stage: 'AWSCURRENT' });
    expect(await refusal(ring.sign({ sub: 'user-42' }))).toBe('ERR_LEGACY_KEY_CANNOT_SIGN');

    // WHEN re-run
    const resumed = await importCli(
      rig,
      { text: LEGACY_SECRET },
      'import',
      arn,
      ...lifetime,
      '--json',
    );

    // THEN the rotation happened once, and the legacy key is AWSPREVIOUS
    expect(resumed.code).toBe(0);
    const result = JSON.parse(resumed.stdout) as ImportDocument;
    expect(result.outcome).toBe('resumed');
    expect(rig.local.versionStages(arn)[current.versionId]).toEqual(['AWSPREVIOUS']);
    rig.now += 2 * 60_000;
    expect(await ring.verify(withExp)).toMatchObject({ legacy: true, stage: 'AWSPREVIOUS' });
    expect((await ring.verify(await ring.sign())).legacy).toBe(false);
  });

  it.each([
    [
      'the key on the command line',
      { text: LEGACY_SECRET },
      ['import', arnPlaceholder(), LEGACY_SECRET, '--longest-token-lifetime', '1h'],
      2,
      /read from standard input, never from the command line/,
    ],
    [
      'an empty standard input',
      { text: '' },
      ['import', arnPlaceholder(), '--longest-token-lifetime', '1h'],
      2,
      /read an empty key from standard input/,
    ],
    [
      'a newline alone',
      { text: '\n' },
      ['import', arnPlaceholder(), '--longest-token-lifetime', '1h'],
      2,
      /read an empty key/,
    ],
    [
      'a terminal as standard input',
      { isTTY: true },
      ['import', arnPlaceholder(), '--longest-token-lifetime', '1h'],
      2,
      /standard input is a terminal/,
    ],
    [
      'no token lifetime',
      { text: LEGACY_SECRET },
      ['import', arnPlaceholder()],
      2,
      /needs --longest-token-lifetime/,
    ],
    [
      'a lifetime that is no duration',
      { text: LEGACY_SECRET },
      ['import', arnPlaceholder(), '--longest-token-lifetime', 'forever'],
      2,
      /--longest-token-lifetime must be a duration/,
    ],
    [
      'an unknown exp policy',
      { text: LEGACY_SECRET },
      [
        'import',
        arnPlaceholder(),
        '--longest-token-lifetime',
        '1h',
        '--tokens-without-exp',
        'accept',
      ],
      2,
      /--tokens-without-exp must be refuse or accept-until-grace-end/,
    ],
    [
      'an asymmetric algorithm',
      { text: LEGACY_SECRET },
      ['import', arnPlaceholder(), '--longest-token-lifetime', '1h', '--algorithm', 'ES256'],
      2,
      /--algorithm must be HS256, HS384, HS512/,
    ],
    [
      'bad base64',
      { text: 'not base64!' },
      ['import', arnPlaceholder(), '--longest-token-lifetime', '1h', '--base64'],
      2,
      /not base64/,
    ],
    [
      'a grace the schedule cannot keep',
      { text: LEGACY_SECRET },
      ['import', arnPlaceholder(), '--longest-token-lifetime', '716h'],
      2,
      /needs a grace of 29d 20h 6m .* come 29d 20h apart .*Nothing was changed/,
    ],
  ])(
    'fails when given %s, changing nothing and never quoting the key',
    async (_name, stdin, argv, code, message) => {
      // GIVEN
      const stages = rig.local.versionStages(arn);

      // WHEN
      const run = await importCli(
        rig,
        stdin,
        ...argv.map((arg) => (arg === arnPlaceholder() ? arn : arg)),
      );

      // THEN
      expect(run.code).toBe(code);
      expect(run.stderr).toMatch(message);
      expect(rig.local.versionStages(arn)).toEqual(stages);
      expect(run.stderr + run.stdout).not.toContain(LEGACY_SECRET);
    },
  );

  it('reads --base64 input as the key bytes, and takes HS384 with --algorithm', async () => {
    // GIVEN a team whose secret is base64 of random bytes, decoded before signing with HS384
    const bytes = Buffer.from('0123456789abcdef0123456789abcdef0123456789abcdef', 'utf8');
    const token = jwt.sign({ sub: 'u', iat: Math.floor(rig.now / 1000) }, bytes, {
      algorithm: 'HS384',
      expiresIn: 600,
    });

    // WHEN
    const run = await importCli(
      rig,
      { text: `${bytes.toString('base64')}\n` },
      'import',
      arn,
      '--longest-token-lifetime',
      '10m',
      '--base64',
      '--algorithm',
      'HS384',
      '--json',
    );

    // THEN the key is not short for HS384 (48 bytes), and the token verifies
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      legacyKey: { keyBytes: 48, short: false, algorithm: 'HS384' },
    });
    expect(run.stderr).not.toContain('WARNING');
    expect(await ringFor(rig, arn).verify(token)).toMatchObject({ legacy: true });
  });

  it('status shows the legacy key, its grace end and the short-key warning', async () => {
    // GIVEN
    const run = await importCli(rig, { text: LEGACY_SECRET }, 'import', arn, ...lifetime, '--json');
    const { legacyGraceEndsAt, legacyKey } = JSON.parse(run.stdout) as ImportDocument;

    // WHEN
    const text = await importCli(rig, undefined, 'status', arn);
    const json = await importCli(rig, undefined, 'status', arn, '--json');

    // THEN
    expect(text.stdout).toContain(
      `AWSPREVIOUS  kid ${legacyKey.kid} HS256 LEGACY (verifies tokens without kid only, never signs; 12-byte key`,
    );
    expect(text.stdout).toContain(`verifies until ${legacyGraceEndsAt}`);
    expect(text.stdout).toContain(
      `WARNING: the legacy key (kid ${legacyKey.kid}) is 12 bytes, shorter than the 32 bytes`,
    );
    expect(JSON.parse(json.stdout)).toMatchObject({
      previous: {
        kid: legacyKey.kid,
        legacy: { keyBytes: 12, short: true, tokensWithoutExp: 'refuse' },
      },
      previousGraceEndsAt: legacyGraceEndsAt,
    });
  });

  describe('once the current key may have signed (issue 25)', () => {
    /** The stack's deploy: the first key replaces the value CloudFormation generated. */
    async function deployed(): Promise<string> {
      const first = await importCli(rig, undefined, 'rotate', arn, '--json');
      expect(first.code).toBe(0);
      return (JSON.parse(first.stdout) as { current: { kid: string } }).current.kid;
    }

    it('refuses, changing nothing, on a stack deployed two days ago and rotated once, where an app signs; --force imports and those tokens stop verifying', async () => {
      // GIVEN a stack deployed two days ago, rotated once since, and an app that signed a
      // 12-hour token with the current key minutes ago
      const firstKid = await deployed();
      rig.now += 2 * DAY_MS;
      const rotated = await importCli(rig, undefined, 'rotate', arn, '--json');
      expect(rotated.code).toBe(0);
      const currentKid = (JSON.parse(rotated.stdout) as { current: { kid: string } }).current.kid;
      rig.now += 5 * 60_000;
      const token = await ringFor(rig, arn).sign({ sub: 'user-42' }, { expiresIn: 12 * HOUR_S });
      rig.now += 5 * 60_000;
      const stages = rig.local.versionStages(arn);
      const calls = rig.local.calls.length;

      // WHEN the legacy key is imported
      const refused = await importCli(
        rig,
        { text: LEGACY_SECRET },
        'import',
        arn,
        '--longest-token-lifetime',
        '12h',
        '--json',
      );

      // THEN refused: exit 1, a code, the keys named, and when their tokens may expire
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stdout)).toEqual({
        error: { code: 'ERR_REFUSED_UNLESS_FORCED', message: expect.any(String) },
      });
      expect(refused.stderr).toContain(`kid ${currentKid} took over from kid ${firstKid}`);
      expect(refused.stderr).toContain(`the previous key (kid ${firstKid}) is in its grace period`);
      expect(refused.stderr).toContain(
        `may be valid until ${new Date(rig.now + 12 * HOUR_MS).toISOString()}`,
      );
      expect(refused.stderr).toMatch(/--force.*Nothing was changed\.$/);
      // AND nothing changed: no version, no label, no write
      expect(rig.local.versionStages(arn)).toEqual(stages);
      expect(
        rig.local.calls
          .slice(calls)
          .filter(
            (call) =>
              !['DescribeSecret', 'GetSecretValue', 'ListSecretVersionIds'].includes(
                call.operation,
              ),
          ),
      ).toEqual([]);
      // AND the app's token verifies
      expect(await ringFor(rig, arn).verify(token)).toMatchObject({
        kid: currentKid,
        legacy: false,
      });

      // WHEN forced
      const forced = await importCli(
        rig,
        { text: LEGACY_SECRET },
        'import',
        arn,
        '--longest-token-lifetime',
        '12h',
        '--force',
        '--json',
      );

      // THEN it imports, says what it costs, and the app's token is refused: its key is gone
      expect(forced.code).toBe(0);
      expect(forced.stderr).toContain(`--force: the secret has rotated since its deploy`);
      expect(rig.local.versionStages(arn)[currentKid]).toBeUndefined();
      expect(await refusal(ringFor(rig, arn).verify(token))).toBe('ERR_JWT_UNKNOWN_KID');
    });

    it('imports right after the deploy: the first key, and the generated value it replaced, never signed', async () => {
      // GIVEN a fresh deploy
      await deployed();
      rig.now += 10 * 60_000;

      // WHEN
      const run = await importCli(
        rig,
        { text: LEGACY_SECRET },
        'import',
        arn,
        '--longest-token-lifetime',
        '12h',
        '--json',
      );

      // THEN
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'imported' });
      expect(run.stderr).not.toContain('--force');
    });
  });

  describe('next to an ES256 current key', () => {
    let es: RotationRig;
    let esArn: string;

    beforeEach(async () => {
      es = await startRotationRig({ algorithm: 'ES256' });
      esArn = await es.createKeySecret();
      await es.rotate(esArn); // an ES256 key and its standby, as the stack deploys them
      es.now += 2 * DAY_MS;
    });

    afterEach(async () => {
      await es.close();
    });

    it('verifies each token with the key its kid (or its absence) names, never across types', async () => {
      // GIVEN
      const legacy = legacyToken(es, { expiresInSeconds: HOUR_S });
      const run = await importCli(
        es,
        { text: LEGACY_SECRET },
        'import',
        esArn,
        '--longest-token-lifetime',
        '1h',
        '--json',
      );
      expect(run.code).toBe(0);
      const { current, legacyKey } = JSON.parse(run.stdout) as ImportDocument;
      const ring = ringFor(es, esArn);
      const currentDocument = (await es.current(esArn)).document;
      expect(currentDocument.alg).toBe('ES256');

      // THEN an HS256 token without kid verifies with the legacy HS256 key
      expect(await ring.verify(legacy)).toMatchObject({ legacy: true, kid: legacyKey.kid });
      // AND an ES256 token the ring signs verifies with the ES256 key
      expect(await ring.verify(await ring.sign())).toMatchObject({
        legacy: false,
        kid: current.kid,
      });
      // AND an ES256 token without kid (signed with the current key itself) is refused
      const iat = Math.floor(es.now / 1000);
      const esNoKid = es256Token(
        keyMembersOf(currentDocument),
        { alg: 'ES256', typ: 'JWT' },
        { sub: 'u', iat, exp: iat + 600 },
      );
      expect(await refusal(ring.verify(esNoKid))).toBe('ERR_JWT_ALG_NOT_ALLOWED');
      // AND an HS256 token naming the ES256 kid, or the legacy kid, is refused
      const namingCurrent = jwt.sign({ sub: 'u', iat }, LEGACY_SECRET, {
        algorithm: 'HS256',
        expiresIn: 600,
        keyid: current.kid,
      });
      expect(await refusal(ring.verify(namingCurrent))).toBe('ERR_JWT_ALG_NOT_ALLOWED');
      const namingLegacy = jwt.sign({ sub: 'u', iat }, LEGACY_SECRET, {
        algorithm: 'HS256',
        expiresIn: 600,
        keyid: legacyKey.kid,
      });
      expect(await refusal(ring.verify(namingLegacy))).toBe('ERR_JWT_UNKNOWN_KID');
      // AND the legacy version really is the imported HS256 key
      const stored = await es.sm.send(
        new GetSecretValueCommand({ SecretId: esArn, VersionStage: 'AWSPREVIOUS' }),
      );
      expect(parseKeyDocument(stored.SecretString!)).toMatchObject({
        alg: 'HS256',
        kid: legacyKey.kid,
      });
    });
  });
});

/** it.each tables are built before beforeEach runs: the ARN is substituted in the test. */
function arnPlaceholder(): string {
  return '<arn>';
}

function es256Token(
  privateJwk: Record<string, string>,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): string {
  const encode = (value: unknown): string =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  const key = createPrivateKey({ key: privateJwk, format: 'jwk' });
  const signature = cryptoSign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
