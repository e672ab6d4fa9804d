/**
 * examples/python end to end, against the local endpoint: the Python KeyRing (PyJWT, boto3)
 * and the Node JwtKeyRing read one secret that the real rotation handler rotates, and each
 * accepts the other's tokens, the previous key's until its grace period ends (not a millisecond
 * after), and the Python one refuses the standby key. Python runs once per operation; its clock
 * is the test's, through JWT_EXAMPLE_NOW. The interpreter must have Debian's python3-jwt and
 * python3-boto3 (.ci/run installs them): without them this test fails, it does not skip.
 */
import { execFile, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';

import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { importJWK, SignJWT } from 'jose';

import { JwtKeyRing } from '../../client';
import { FIRST_KEY_RESOURCE_TYPE, type FirstKeyResourceProperties } from '../../contract';
import {
  generateKeyDocument,
  graceEndOfPrevious,
  type KeyDocument,
  keyMembersOf,
  makeLegacyKeyDocument,
  parseKeyDocument,
} from '../../key-document';
import { currentSinceStage } from '../../key-document/current-since';
import { type LocalSecret, localSecret } from '../support/local-secret';
import { type RotationRig, startRotationRig } from '../support/rotation-rig';
import { compact, hmacToken } from '../support/tokens';

const EXAMPLE = join(__dirname, '../../examples/python/rotating_jwt_keys.py');
const GRACE_SECONDS = 600;

/** The first interpreter that imports PyJWT, boto3 and cryptography: Debian's, then PATH's. */
function findPython(): string {
  const onPath = (spawnSync('which', ['-a', 'python3'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .filter((line) => line !== '');
  for (const candidate of ['/usr/bin/python3', ...onPath]) {
    const probe = spawnSync(candidate, ['-c', 'import jwt, boto3, cryptography'], {
      stdio: 'ignore',
    });
    if (probe.status === 0) return candidate;
  }
  throw new Error(
    'examples/python needs a python3 with PyJWT, boto3 and cryptography: ' +
      'apt-get install -y python3-jwt python3-boto3 python3-cryptography (.ci/run does it)',
  );
}

/** Where the Python example reads its keys, and the time it reads them at. */
interface PythonTarget {
  readonly endpoint: string;
  readonly secretId: string;
  readonly now: () => number;
}

interface PythonOutcome {
  readonly kid?: string;
  readonly stage?: string;
  readonly legacy?: boolean;
  readonly payload?: Record<string, unknown>;
  /** The refusal's code, when it refused. */
  readonly code?: string;
}

/** One run of the example's CLI, asynchronous: the endpoint answers from this process. */
function runPython(
  python: string,
  target: PythonTarget,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    JWT_SECRET_ID: target.secretId,
    JWT_EXAMPLE_NOW: String(target.now() / 1000),
    // 127.0.0.1 only: the endpoint, dummy credentials, no config files, no metadata service.
    AWS_ENDPOINT_URL_SECRETS_MANAGER: target.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_PROXY: '127.0.0.1',
    // No __pycache__ left in examples/.
    PYTHONDONTWRITEBYTECODE: '1',
  };
  return new Promise((resolve) => {
    execFile(python, [EXAMPLE, ...args], { env, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function pythonSigns(
  python: string,
  target: PythonTarget,
  claims: Record<string, unknown>,
): Promise<string> {
  const result = await runPython(python, target, ['sign', JSON.stringify(claims)]);
  if (result.code !== 0) throw new Error(`python sign failed: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * What `verify` printed for each token, in one run (one interpreter start for many tokens):
 * the verified token, or the refusal's code.
 */
async function pythonVerifiesEach(
  python: string,
  target: PythonTarget,
  tokens: readonly string[],
): Promise<PythonOutcome[]> {
  const result = await runPython(python, target, ['verify', ...tokens]);
  if (result.code !== 0 && result.code !== 1) {
    throw new Error(`python verify crashed (${result.code}): ${result.stderr}`);
  }
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as PythonOutcome);
}

async function pythonVerifies(
  python: string,
  target: PythonTarget,
  token: string,
): Promise<PythonOutcome> {
  const [outcome] = await pythonVerifiesEach(python, target, [token]);
  return outcome!;
}

/** The ring's refusal code, or undefined when it verifies the token. */
async function refusedByRing(ring: JwtKeyRing, token: string): Promise<string | undefined> {
  try {
    await ring.verify(token);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('examples/python', () => {
  it('caches as the Node client does (its own unit tests: examples/python/test_rotating_jwt_keys.py)', async () => {
    // GIVEN the interpreter with PyJWT and boto3
    const python = findPython();
    // WHEN the example's cache tests run (a fake Secrets Manager and clock: no endpoint)
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        python,
        ['-m', 'unittest', '-v', 'test_rotating_jwt_keys'],
        {
          cwd: dirname(EXAMPLE),
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1' },
          encoding: 'utf8',
        },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : Number(error.code ?? -1), output: stdout + stderr }),
      );
    });
    // THEN they pass (the output says which did not)
    expect(result).toMatchObject({ code: 0, output: expect.stringContaining('OK') });
  }, 30_000);
});

describe('examples/python across a rotation', () => {
  let python: string;
  let rig: RotationRig;
  let arn: string;
  let ring: JwtKeyRing;
  let target: PythonTarget;

  beforeAll(() => {
    python = findPython();
  });

  afterEach(async () => {
    await rig?.close();
  });

  it.each(['HS256', 'ES256'] as const)(
    '%s: Python and JwtKeyRing accept each other across a rotation, the previous key until its grace end',
    async (algorithm) => {
      // GIVEN the stack as deployed: the secret, its first key, the real rotation handler
      rig = await startRotationRig({ algorithm, gracePeriodSeconds: GRACE_SECONDS });
      arn = (await rig.sm.send(new CreateSecretCommand({ Name: 'orders/jwt' }))).ARN!;
      const deployed = await rig.local.runCustomResource(rig.functionArn, {
        requestType: 'Create',
        resourceType: FIRST_KEY_RESOURCE_TYPE,
        logicalResourceId: 'JwtKeyFirstKey',
        resourceProperties: { SecretId: arn } satisfies FirstKeyResourceProperties,
      });
      expect(deployed.Status).toBe('SUCCESS');
      ring = new JwtKeyRing({ secretId: arn, client: rig.sm, clock: () => rig.now });
      target = { endpoint: rig.local.endpoint, secretId: arn, now: () => rig.now };
      const first = (await rig.current(arn)).document;

      // WHEN each side signs with the first key
      const fromPython = await pythonSigns(python, target, { sub: 'python' });
      const fromNode = await ring.sign({ sub: 'node' });

      // THEN the other side verifies it, by the first key's kid
      await expect(ring.verify(fromPython)).resolves.toMatchObject({
        kid: first.kid,
        stage: 'AWSCURRENT',
        payload: { sub: 'python' },
      });
      await expect(pythonVerifies(python, target, fromNode)).resolves.toMatchObject({
        kid: first.kid,
        stage: 'AWSCURRENT',
        payload: { sub: 'node' },
      });

      // WHEN the secret rotates a minute later
      rig.now += 60_000;
      await rig.rotate(arn);
      const { versionId, document: second } = await rig.current(arn);
      expect(second.kid).not.toBe(first.kid);
      const graceEnd = graceEndOfPrevious(second, rig.local.versionStages(arn)[versionId]);
      expect(graceEnd).toBe(rig.now + GRACE_SECONDS * 1000);

      // THEN the new key's tokens verify on both sides (the Node ring's cache learns it from
      // the token, by nextKid or an unknown-kid read)
      const newFromPython = await pythonSigns(python, target, { sub: 'python-2' });
      await expect(ring.verify(newFromPython)).resolves.toMatchObject({
        kid: second.kid,
        stage: 'AWSCURRENT',
      });
      await expect(
        pythonVerifies(python, target, await ring.sign({ sub: 'node-2' })),
      ).resolves.toMatchObject({
        kid: second.kid,
        stage: 'AWSCURRENT',
      });

      // AND the first key's tokens verify on both sides until the last millisecond of the grace
      rig.now = graceEnd! - 1;
      for (const token of [fromPython, fromNode]) {
        await expect(ring.verify(token)).resolves.toMatchObject({ stage: 'AWSPREVIOUS' });
      }
      await expect(pythonVerifiesEach(python, target, [fromPython, fromNode])).resolves.toEqual([
        expect.objectContaining({ kid: first.kid, stage: 'AWSPREVIOUS' }),
        expect.objectContaining({ kid: first.kid, stage: 'AWSPREVIOUS' }),
      ]);

      // AND both refuse them at the grace end and a second after it
      const expired = expect.objectContaining({ code: 'ERR_JWT_PREVIOUS_KEY_EXPIRED' });
      for (const at of [graceEnd!, graceEnd! + 1000]) {
        rig.now = at;
        for (const token of [fromPython, fromNode]) {
          await expect(refusedByRing(ring, token)).resolves.toBe('ERR_JWT_PREVIOUS_KEY_EXPIRED');
        }
        await expect(pythonVerifiesEach(python, target, [fromPython, fromNode])).resolves.toEqual([
          expired,
          expired,
        ]);
      }

      // WHEN a token is signed with the standby key (JWTKEY_NEXT), which must never sign
      const standby = parseKeyDocument(
        (
          await rig.sm.send(
            new GetSecretValueCommand({ SecretId: arn, VersionStage: 'JWTKEY_NEXT' }),
          )
        ).SecretString!,
      );
      expect(second.nextKid).toBe(standby.kid);
      const fromStandby = await new SignJWT({ sub: 'standby' })
        .setProtectedHeader({ alg: standby.alg, kid: standby.kid, typ: 'JWT' })
        .setIssuedAt(Math.floor(rig.now / 1000))
        .setExpirationTime(Math.floor(rig.now / 1000) + 600)
        .sign(await importJWK(keyMembersOf(standby), standby.alg));

      // THEN Python refuses it (it read the secret again for the nextKid, which only the
      // standby holds), as the Node ring does
      await expect(pythonVerifies(python, target, fromStandby)).resolves.toMatchObject({
        code: 'ERR_JWT_UNKNOWN_KID',
      });
      await expect(refusedByRing(ring, fromStandby)).resolves.toBe('ERR_JWT_UNKNOWN_KID');
    },
    60_000,
  );
});

describe('examples/python, on keys written by hand', () => {
  const NOW = Date.UTC(2026, 5, 1, 12);
  const SECONDS = NOW / 1000;
  let python: string;
  let now: number;
  let secret: LocalSecret;
  let ring: JwtKeyRing;
  let target: PythonTarget;

  beforeAll(() => {
    python = findPython();
  });

  async function start(first: KeyDocument): Promise<void> {
    now = NOW;
    secret = await localSecret(() => now, first);
    ring = new JwtKeyRing({ secretId: secret.arn, client: secret.client, clock: () => now });
    target = { endpoint: secret.local.endpoint, secretId: secret.arn, now: () => now };
  }

  describe('refuses what JwtKeyRing refuses, with the same code', () => {
    const current = generateKeyDocument({ alg: 'HS256', kid: 'k1', now: new Date(NOW) });
    const header = { alg: 'HS256', kid: 'k1', typ: 'JWT' };
    const claims = { sub: 'x', iat: SECONDS, exp: SECONDS + 600 };
    const valid = hmacToken(header, claims, current);

    const cases: readonly (readonly [string, string, string | undefined])[] = [
      ['a valid token', valid, undefined],
      ['no exp', hmacToken(header, { sub: 'x' }, current), 'ERR_JWT_EXP_MISSING'],
      [
        'exp at now - tolerance',
        hmacToken(header, { exp: SECONDS - 60 }, current),
        'ERR_JWT_EXPIRED',
      ],
      ['exp a second later', hmacToken(header, { exp: SECONDS - 59 }, current), undefined],
      [
        'nbf beyond the tolerance',
        hmacToken(header, { ...claims, nbf: SECONDS + 61 }, current),
        'ERR_JWT_NOT_YET_VALID',
      ],
      [
        'iat not a number',
        hmacToken(header, { ...claims, iat: 'now' }, current),
        'ERR_JWT_CLAIM_INVALID',
      ],
      [
        'a payload that is no object',
        hmacToken(header, '[1]', current),
        'ERR_JWT_CLAIMS_MALFORMED',
      ],
      [
        'crit',
        hmacToken({ ...header, crit: ['exp'] }, claims, current),
        'ERR_JWT_CRIT_UNSUPPORTED',
      ],
      [
        'typ at+jwt',
        hmacToken({ ...header, typ: 'at+jwt' }, claims, current),
        'ERR_JWT_TYP_INVALID',
      ],
      [
        'another HMAC alg',
        hmacToken({ ...header, alg: 'HS384' }, claims, current, 'sha384'),
        'ERR_JWT_ALG_NOT_ALLOWED',
      ],
      ['alg none', compact({ ...header, alg: 'none' }, claims), 'ERR_JWT_ALG_NOT_ALLOWED'],
      [
        'alg NONE, signed',
        `${compact({ ...header, alg: 'NONE' }, claims)}AAAA`,
        'ERR_JWT_ALG_NOT_ALLOWED',
      ],
      ['a padded signature', `${valid}=`, 'ERR_JWT_MALFORMED'],
      [
        'a signature of another key',
        `${valid.slice(0, valid.lastIndexOf('.'))}.${'A'.repeat(43)}`,
        'ERR_JWT_SIGNATURE_INVALID',
      ],
      [
        'an unknown kid',
        hmacToken({ ...header, kid: 'k9' }, claims, current),
        'ERR_JWT_UNKNOWN_KID',
      ],
      ['an empty kid', hmacToken({ ...header, kid: '' }, claims, current), 'ERR_JWT_UNKNOWN_KID'],
      [
        'no kid (no legacy key)',
        hmacToken({ alg: 'HS256' }, claims, current),
        'ERR_JWT_UNKNOWN_KID',
      ],
      [
        'longer than 8192 characters',
        hmacToken(header, { ...claims, pad: 'x'.repeat(8200) }, current),
        'ERR_JWT_TOO_LARGE',
      ],
    ];
    let pythonOutcomes: PythonOutcome[];

    beforeAll(async () => {
      // GIVEN one HS256 key as AWSCURRENT; Python verifies every token in one run
      await start(current);
      pythonOutcomes = await pythonVerifiesEach(
        python,
        target,
        cases.map(([, token]) => token),
      );
    }, 30_000);

    afterAll(async () => {
      await secret.close();
    });

    it.each(cases.map((entry, index) => [...entry, index] as const))(
      '%s',
      async (_case, token, code, index) => {
        // WHEN both verify the token THEN they agree, to the code
        await expect(refusedByRing(ring, token)).resolves.toBe(code);
        expect(pythonOutcomes[index]?.code).toBe(code);
      },
    );
  });

  it('verifies a legacy key only for tokens without kid, never signs with it, and ends its grace as the ring does', async () => {
    // GIVEN a static secret imported as the legacy key (its tokens carry no kid, some no exp)
    const legacy = makeLegacyKeyDocument({
      alg: 'HS256',
      kid: 'legacy-version',
      key: Buffer.from('team-secret', 'utf8'),
      now: new Date(NOW),
      legacy: { graceSeconds: 3600, tokensWithoutExp: 'accept-until-grace-end' },
    });
    await start(legacy);
    const noKid = hmacToken({ alg: 'HS256', typ: 'JWT' }, { sub: 'old' }, legacy);
    const withKid = hmacToken(
      { alg: 'HS256', kid: legacy.kid },
      { sub: 'x', exp: SECONDS + 60 },
      legacy,
    );

    // THEN Python refuses to sign with it, verifies a token without kid (without exp, as the
    // document allows), and refuses one naming the legacy key's kid, as the ring does
    await expect(runPython(python, target, ['sign', '{}'])).resolves.toMatchObject({ code: 1 });
    await expect(pythonVerifies(python, target, noKid)).resolves.toMatchObject({ legacy: true });
    await expect(refusedByRing(ring, noKid)).resolves.toBeUndefined();
    await expect(pythonVerifies(python, target, withKid)).resolves.toMatchObject({
      code: 'ERR_JWT_UNKNOWN_KID',
    });
    await expect(refusedByRing(ring, withKid)).resolves.toBe('ERR_JWT_UNKNOWN_KID');

    // WHEN a rotation writes the next key, granting the legacy grace, promoted late (labelled)
    now = NOW + 120_000;
    const next = generateKeyDocument({
      alg: 'HS256',
      kid: 'k2',
      now: new Date(NOW + 10_000),
      previousKeyGraceSeconds: 3600,
      previousKid: legacy.kid,
    });
    await secret.put(next, ['AWSCURRENT', currentSinceStage(now)]);
    await ring.refresh();
    const graceEnd = now + 3600_000;

    // THEN the legacy token verifies on both sides until the last millisecond of the grace
    // counted from the label, and on neither from its end
    now = graceEnd - 1;
    await expect(pythonVerifies(python, target, noKid)).resolves.toMatchObject({
      stage: 'AWSPREVIOUS',
      legacy: true,
    });
    await expect(refusedByRing(ring, noKid)).resolves.toBeUndefined();
    now = graceEnd;
    await expect(pythonVerifies(python, target, noKid)).resolves.toMatchObject({
      code: 'ERR_JWT_PREVIOUS_KEY_EXPIRED',
    });
    await expect(refusedByRing(ring, noKid)).resolves.toBe('ERR_JWT_PREVIOUS_KEY_EXPIRED');
    await secret.close();
  }, 30_000);
});
