/**
 * jwt-keys status and repair, and the error paths every command shares, against the local
 * endpoint through the real SDK clients.
 */
import {
  CancelRotateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';

import { runCli } from '../../cli/run-cli';
import {
  currentSinceStage,
  generateKeyDocument,
  keyDocumentBytes,
  parseKeyDocument,
  serializeKeyDocument,
} from '../../key-document';
import { type FaultSpec, type LocalAws, startLocalAws } from '../../local-aws';
import { hmacKey } from '../support/key-documents';

import { cli, createKeySecret, putCurrentKey } from './support';

const HOUR_MS = 3_600_000;
const SECOND_KEY = '22222222-2222-4222-8222-222222222222';
const STALE = '33333333-3333-4333-8333-333333333333';

describe('jwt-keys status and repair', () => {
  let local: LocalAws;
  let sm: SecretsManagerClient;
  let now: number;
  const clock = (): number => now;

  beforeEach(async () => {
    now = Date.UTC(2026, 5, 1);
    local = await startLocalAws({ clock });
    sm = new SecretsManagerClient(local.clientConfig({ maxAttempts: 1 }));
    await createKeySecret(sm, 'app/jwt', now);
  });

  afterEach(async () => {
    sm.destroy();
    await local.close();
  });

  it('status shows both keys, the previous key grace end and no stale AWSPENDING', async () => {
    // GIVEN a second key made an hour ago with a 24 h grace for the first
    await putCurrentKey(sm, 'app/jwt', SECOND_KEY, now, 24 * 3600);
    now += HOUR_MS;

    // WHEN
    const run = await cli(local, clock, 'status', 'app/jwt');

    // THEN the facts are shown; a secret without rotation exits 3 with a warning
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /^jwt-keys: WARNING \(ERR_SECRET_NOT_OURS\): secret "app\/jwt" has rotation disabled/,
    );
    expect(run.stdout).toContain(`AWSCURRENT   kid ${SECOND_KEY} HS256, age 1h`);
    expect(run.stdout).toContain('AWSPREVIOUS  kid initial HS256');
    expect(run.stdout).toContain('verifies until 2026-06-02T00:00:00.000Z (23h left)');
    expect(run.stdout).toContain('AWSPENDING   none');
    expect(run.stdout).toContain('rotation     DISABLED');
  });

  it('status counts the grace from the promotion a late rotation recorded', async () => {
    // GIVEN a key made two days ago that became current an hour ago (its label says when)
    await putCurrentKey(sm, 'app/jwt', SECOND_KEY, now - 2 * 24 * HOUR_MS, 24 * 3600);
    await sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: 'app/jwt',
        VersionStage: currentSinceStage(now - HOUR_MS),
        MoveToVersionId: SECOND_KEY,
      }),
    );

    // WHEN
    const run = await cli(local, clock, 'status', 'app/jwt');

    // THEN (exit 3: rotation is disabled on this bare secret)
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('verifies until 2026-06-01T23:00:00.000Z (23h left)');
  });

  it('status --json reports the same facts as one document, without key material', async () => {
    // GIVEN
    await putCurrentKey(sm, 'app/jwt', SECOND_KEY, now, 3600);
    now += 2 * HOUR_MS;

    // WHEN
    const run = await cli(local, clock, 'status', 'app/jwt', '--json');

    // THEN
    const document = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(document).toMatchObject({
      name: 'app/jwt',
      rotationEnabled: false,
      current: { kid: SECOND_KEY, algorithm: 'HS256', ageSeconds: 7200 },
      previous: { kid: 'initial' },
      previousGraceEndsAt: new Date(now - HOUR_MS).toISOString(),
      previousInGrace: false,
      stalePendingVersionId: null,
    });
    const values = await Promise.all(
      ['AWSCURRENT', 'AWSPREVIOUS'].map(async (stage) => {
        const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
        const read = await sm.send(
          new GetSecretValueCommand({ SecretId: 'app/jwt', VersionStage: stage }),
        );
        return parseKeyDocument(read.SecretString!);
      }),
    );
    for (const key of values) {
      expect(run.stdout).not.toContain(hmacKey(key).k);
      expect(run.stdout).not.toContain(keyDocumentBytes(hmacKey(key)).toString('hex'));
    }
  });

  it('status names a version whose value is not a key document, and repair clears a stale AWSPENDING', async () => {
    // GIVEN an unfinished rotation left a hand-written value as AWSPENDING
    await sm.send(
      new PutSecretValueCommand({
        SecretId: 'app/jwt',
        ClientRequestToken: STALE,
        SecretString: serializeKeyDocument(
          generateKeyDocument({ alg: 'HS256', kid: STALE, now: new Date(now) }),
        ),
        VersionStages: ['AWSPENDING'],
      }),
    );

    // WHEN
    const before = await cli(local, clock, 'status', 'app/jwt');
    const repaired = await cli(local, clock, 'repair', 'app/jwt');
    const again = await cli(local, clock, 'repair', 'app/jwt', '--json');

    // THEN
    expect(before.stdout).toContain(`AWSPENDING   STALE: version ${STALE}`);
    expect(repaired).toMatchObject({ code: 0 });
    expect(repaired.stdout).toContain(`removed AWSPENDING from version ${STALE}`);
    expect(local.versionStages('app/jwt')[STALE]).toBeUndefined();
    expect(JSON.parse(again.stdout)).toMatchObject({
      outcome: 'nothing-to-repair',
      versionId: null,
    });
  });

  it('status reports a current value that is not a key document by secret and stage', async () => {
    // GIVEN a person wrote a password into the secret
    await sm.send(
      new PutSecretValueCommand({ SecretId: 'app/jwt', SecretString: 'hunter2-password' }),
    );

    // WHEN
    const run = await cli(local, clock, 'status', 'app/jwt');

    // THEN
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('holds no key document in AWSCURRENT');
    expect(run.stdout).toMatch(
      /AWSCURRENT {3}version \S+ \(not a valid key document\).*secret "app\/jwt".*AWSCURRENT.*is not JSON/,
    );
    expect(run.stdout).not.toContain('hunter2');
  });

  describe('errors', () => {
    it.each<[string, string, FaultSpec | undefined, RegExp]>([
      [
        'the secret does not exist',
        'nope',
        undefined,
        /^jwt-keys: no such secret: secret "nope" was not found/,
      ],
      [
        'access is denied',
        'app/jwt',
        { operation: 'DescribeSecret', error: 'AccessDeniedException', message: 'not allowed' },
        /^jwt-keys: access denied on secret "app\/jwt": not allowed$/,
      ],
    ])('fails when %s, in one line', async (_case, secret, fault, stderr) => {
      // GIVEN
      if (fault !== undefined) local.faults.inject(fault);

      // WHEN
      const run = await cli(local, clock, 'status', secret);

      // THEN
      expect(run.code).toBe(1);
      expect(run.stderr.split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(stderr);
    });

    it('fails when no credentials can be found, in one line', async () => {
      // GIVEN a credential chain that finds nothing (as the SDK's does on a bare machine)
      const stderr: string[] = [];
      const code = await runCli(
        ['status', 'app/jwt', '--endpoint', local.endpoint, '--region', 'us-east-1'],
        {
          stdout: () => undefined,
          stderr: (text) => stderr.push(text),
          clientConfig: {
            credentials: () => {
              const error = new Error('Could not load credentials from any providers');
              error.name = 'CredentialsProviderError';
              return Promise.reject(error);
            },
          },
        },
      );
      expect(code).toBe(1);
      expect(stderr).toEqual([expect.stringMatching(/^jwt-keys: no AWS credentials found/)]);
    });

    it('fails when rotation is disabled, before rotating anything', async () => {
      // GIVEN
      await sm.send(new CancelRotateSecretCommand({ SecretId: 'app/jwt' }));
      const stagesBefore = local.versionStages('app/jwt');

      // WHEN
      const run = await cli(local, clock, 'rotate', 'app/jwt');

      // THEN
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^jwt-keys: rotation is disabled on secret "app\/jwt"/);
      expect(local.versionStages('app/jwt')).toEqual(stagesBefore);
    });

    it.each([
      [['status'], /takes exactly one SECRET/],
      [['frobnicate', 'x'], /unknown command "frobnicate"/],
      [
        ['status', 'x', '--bogus'],
        /^jwt-keys: unknown option --bogus \(see jwt-keys status --help\)$/,
      ],
      [['rotate', 'x', '--timeout', 'soon'], /--timeout must be a number of seconds, got "soon"/],
    ])(
      'fails when the arguments are wrong (%j), with exit code 2 and the usage',
      async (argv, message) => {
        const stderr: string[] = [];
        const code = await runCli(argv, {
          stdout: () => undefined,
          stderr: (text) => stderr.push(text),
        });
        expect(code).toBe(2);
        expect(stderr.join('\n')).toMatch(message);
      },
    );
  });
});
