/**
 * jwt-keys as scripts and people meet it (issue 25): --version, each command's own --help, one
 * line for a wrong option or value, --json failures as one JSON document with a stable code,
 * --region and --endpoint checked before any SDK client exists, the region of a secret ARN,
 * and status's exit code 3 for a secret it cannot read as a rotating key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  CreateSecretCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

import { awsTargetOf } from '../../cli/aws-target';
import { runCli } from '../../cli/run-cli';
import { type LocalAws, startLocalAws } from '../../local-aws';

import { cli, type CliRun, createKeySecret } from './support';

const VERSION = (
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** runCli with no endpoint: for what fails before any call is made. */
async function offline(...argv: string[]): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(argv, {
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
  });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

interface ErrorDocument {
  readonly error: { readonly code: string; readonly message: string };
}

describe('jwt-keys arguments', () => {
  it('prints its version from package.json', async () => {
    expect(await offline('--version')).toEqual({ code: 0, stdout: VERSION, stderr: '' });
  });

  it.each(['status', 'rotate', 'revoke-previous', 'repair', 'import'])(
    '"%s --help" prints that command\'s usage only',
    async (command) => {
      // WHEN
      const run = await offline(command, '--help');

      // THEN
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^usage: jwt-keys ${command} SECRET \\[options\\]\n`));
      expect(run.stdout).not.toContain('commands:');
      expect(run.stdout).toContain('--json');
    },
  );

  it('"--help" alone lists the commands', async () => {
    const run = await offline('--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: jwt-keys <command> SECRET/);
    expect(run.stdout).toContain('revoke-previous SECRET');
  });

  it("lists each command's options in its help, and only those", async () => {
    expect((await offline('rotate', '--help')).stdout).toContain('--no-wait');
    expect((await offline('status', '--help')).stdout).not.toContain('--force');
    expect((await offline('import', '--help')).stdout).toContain('--longest-token-lifetime');
  });

  it.each([
    [['status', 'x', '--bogus'], 'unknown option --bogus (see jwt-keys status --help)'],
    [['status', 'x', '-q'], 'unknown option -q (see jwt-keys status --help)'],
    [['rotate', 'x', '--timeout'], '--timeout needs a value (see jwt-keys rotate --help)'],
    [['rotate', 'x', '--timeout', '--force'], '--timeout needs a value'],
    [['status', 'x', '--json=yes'], '--json takes no value (see jwt-keys status --help)'],
    [['status', 'x', '--force'], 'status does not take --force (see jwt-keys status --help)'],
    [['rotate', 'x', '--timeout', 'soon'], '--timeout must be a number of seconds, got "soon"'],
    [['frobnicate', 'x'], 'unknown command "frobnicate"'],
    [['repair'], 'repair takes exactly one SECRET (name or ARN)'],
    [['status', 'a', 'b'], 'status takes exactly one SECRET'],
    [['status', 'x', '--region', ''], '--region must be an AWS region such as us-east-1, got ""'],
    [['status', 'x', '--region', 'mars'], '--region must be an AWS region such as us-east-1'],
    [['status', 'x', '--endpoint', 'notaurl'], '--endpoint must be an http(s) URL'],
    [['status', 'x', '--endpoint', 'ftp://host'], '--endpoint must be an http(s) URL'],
    [['status', 'arn:aws:s3:::bucket'], 'SECRET must be a secret name or a Secrets Manager'],
  ])('fails when given %j, in one line naming it, with exit code 2', async (argv, message) => {
    // WHEN
    const run = await offline(...argv);

    // THEN one line, no parser advice, no usage dump, no stack
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^jwt-keys: /);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/To specify|usage:|\n\s+at /);
    expect(run.stdout).toBe('');
  });

  it.each([
    [['status', 'x', '--bogus', '--json'], 'ERR_CLI_USAGE', 2],
    [['status', 'x', '--region', '', '--json'], 'ERR_REGION_INVALID', 2],
    [['status', 'x', '--endpoint', 'notaurl', '--json'], 'ERR_ENDPOINT_INVALID', 2],
    [
      [
        'status',
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/jwt-AbCdEf',
        '--region',
        'us-east-1',
        '--json',
      ],
      'ERR_REGION_MISMATCH',
      2,
    ],
  ])('with --json, %j fails as one JSON document on stdout', async (argv, code, exitCode) => {
    const run = await offline(...argv);
    expect(run.code).toBe(exitCode);
    expect(JSON.parse(run.stdout)).toEqual({
      error: { code, message: run.stderr.replace(/^jwt-keys: /, '') },
    });
  });

  it('names both regions when a secret ARN and --region disagree', async () => {
    const run = await offline(
      'status',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/jwt-AbCdEf',
      '--region',
      'us-east-1',
    );
    expect(run).toMatchObject({ code: 2 });
    expect(run.stderr).toBe(
      'jwt-keys: the secret ARN is in region eu-west-1, but --region says us-east-1: drop ' +
        '--region, or pass --region eu-west-1',
    );
  });

  it.each([
    ['a name, --region', 'app/jwt', 'us-west-2', 'us-west-2'],
    ['a name, no --region', 'app/jwt', undefined, undefined],
    [
      'an ARN, no --region',
      'arn:aws:secretsmanager:eu-west-1:1:secret:a-AbCdEf',
      undefined,
      'eu-west-1',
    ],
    [
      'an ARN, the same --region',
      'arn:aws:secretsmanager:eu-west-1:1:secret:a',
      'eu-west-1',
      'eu-west-1',
    ],
  ])('talks to the region of %s', (_name, secretId, region, expected) => {
    expect(awsTargetOf(secretId, { region }).region).toBe(expected);
  });
});

describe('jwt-keys against the local endpoint', () => {
  let local: LocalAws;
  let sm: SecretsManagerClient;
  const now = Date.UTC(2026, 5, 1);
  const clock = (): number => now;

  beforeEach(async () => {
    local = await startLocalAws({ clock });
    sm = new SecretsManagerClient(local.clientConfig({ maxAttempts: 1 }));
  });

  afterEach(async () => {
    sm.destroy();
    await local.close();
  });

  /** A key secret with rotation enabled, as the stack leaves it. */
  async function healthySecret(name: string): Promise<string> {
    const arn = await createKeySecret(sm, name, now);
    const functionArn = local.registerFunction(`rotation-${name.replace(/\W/g, '-')}`, () =>
      Promise.resolve(undefined),
    );
    await sm.send(
      new RotateSecretCommand({
        SecretId: arn,
        RotationLambdaARN: functionArn,
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
        RotateImmediately: false,
      }),
    );
    await local.rotationsSettled();
    return arn;
  }

  it('fails with --json as {"error":{code,message}} on stdout, keeping the exit code', async () => {
    // WHEN
    const run = await cli(local, clock, 'status', 'nope', '--json');

    // THEN
    expect(run.code).toBe(1);
    const document = JSON.parse(run.stdout) as ErrorDocument;
    expect(document.error.code).toBe('ERR_SECRET_NOT_FOUND');
    expect(document.error.message).toMatch(/^no such secret: secret "nope" was not found/);
    expect(run.stderr).toBe(`jwt-keys: ${document.error.message}`);
  });

  it.each([
    ['AccessDeniedException', 'ERR_ACCESS_DENIED'],
    ['ResourceNotFoundException', 'ERR_SECRET_NOT_FOUND'],
    ['ThrottlingException', 'ERR_THROTTLED'],
    ['InvalidRequestException', 'ERR_REQUEST_REFUSED'],
    ['InternalServiceError', 'ERR_AWS'],
  ])('maps the AWS error %s to %s, in one line', async (error, code) => {
    // GIVEN
    await healthySecret('app/jwt');
    local.faults.inject({ operation: 'DescribeSecret', error, message: 'said the service' });

    // WHEN
    const run = await cli(local, clock, 'status', 'app/jwt', '--json');

    // THEN
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as ErrorDocument).error.code).toBe(code);
    expect(run.stderr.split('\n')).toHaveLength(1);
  });

  it('uses the region of a secret ARN when none is configured', async () => {
    // GIVEN an ARN, and no region anywhere in the SDK's chain
    const arn = await healthySecret('app/jwt');
    const saved = { ...process.env };
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE'])
      delete process.env[name];
    process.env.AWS_CONFIG_FILE = join(__dirname, 'no-such-aws-config');
    try {
      // WHEN
      const stdout: string[] = [];
      const stderr: string[] = [];
      const code = await runCli(['status', arn, '--endpoint', local.endpoint], {
        stdout: (text) => stdout.push(text),
        stderr: (text) => stderr.push(text),
        clientConfig: { credentials: local.clientConfig().credentials, maxAttempts: 1 },
        now: clock,
      });

      // THEN
      expect({ code, stderr }).toEqual({ code: 0, stderr: [] });
      expect(stdout.join('\n')).toContain(arn);
    } finally {
      process.env = saved;
    }
  });

  it.each([
    [
      'no AWSCURRENT version',
      async () => {
        await sm.send(new CreateSecretCommand({ Name: 'app/jwt' }));
        return 'app/jwt';
      },
      'has no AWSCURRENT version',
    ],
    [
      'a current value that is not JSON',
      async () => {
        const arn = await healthySecret('app/jwt');
        await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'hunter2' }));
        return arn;
      },
      'holds no key document in AWSCURRENT',
    ],
    [
      'a current value that is JSON but no key document',
      async () => {
        const arn = await healthySecret('app/jwt');
        await sm.send(
          new PutSecretValueCommand({ SecretId: arn, SecretString: '{"password":"hunter2"}' }),
        );
        return arn;
      },
      'holds no key document in AWSCURRENT',
    ],
    ['rotation disabled', () => createKeySecret(sm, 'app/jwt', now), 'has rotation disabled'],
  ])(
    'status exits 3 (ERR_SECRET_NOT_OURS) with a warning for a secret with %s',
    async (_name, given, warning) => {
      // GIVEN
      const secretId = await given();

      // WHEN
      const text = await cli(local, clock, 'status', secretId);
      const json = await cli(local, clock, 'status', secretId, '--json');

      // THEN
      expect(text.code).toBe(3);
      expect(text.stderr).toContain(
        `jwt-keys: WARNING (ERR_SECRET_NOT_OURS): secret "${secretId}" ${warning}`,
      );
      expect(json.code).toBe(3);
      expect(JSON.parse(json.stdout)).toMatchObject({
        problems: expect.arrayContaining([
          { code: 'ERR_SECRET_NOT_OURS', message: expect.stringContaining(warning) },
        ]),
      });
      expect(text.stdout + json.stdout).not.toContain('hunter2');
    },
  );

  it('status exits 0 for a key secret with rotation enabled', async () => {
    const arn = await healthySecret('app/jwt');
    const run = await cli(local, clock, 'status', arn, '--json');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({ problems: [] });
  });
});
