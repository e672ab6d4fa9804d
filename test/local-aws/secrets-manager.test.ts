/**
 * Contract tests for the local Secrets Manager, written from AWS's API reference: each case is
 * a documented behaviour the rotation Lambda or the client relies on, driven through the real
 * @aws-sdk/client-secrets-manager.
 */
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';

import { type LocalAws, startLocalAws } from '../../local-aws';

const TOKEN_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const TOKEN_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const TOKEN_C = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';

describe('local Secrets Manager', () => {
  let local: LocalAws;
  let sm: SecretsManagerClient;
  let now: number;

  beforeEach(async () => {
    now = Date.UTC(2026, 0, 1);
    local = await startLocalAws({ clock: () => now });
    sm = new SecretsManagerClient(local.clientConfig({ maxAttempts: 1 }));
  });

  afterEach(async () => {
    sm.destroy();
    await local.close();
  });

  async function createWithValue(name = 'app/jwt'): Promise<string> {
    const created = await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: 'v1', ClientRequestToken: TOKEN_A }),
    );
    return created.ARN!;
  }

  describe('CreateSecret', () => {
    it('puts AWSCURRENT on the first version and returns an ARN with a random suffix', async () => {
      // GIVEN / WHEN
      const arn = await createWithValue();

      // THEN
      expect(arn).toMatch(
        /^arn:aws:secretsmanager:us-east-1:\d{12}:secret:app\/jwt-[A-Za-z0-9]{6}$/,
      );
      expect(local.versionStages('app/jwt')).toEqual({ [TOKEN_A]: ['AWSCURRENT'] });
    });

    it('fails when the name is taken, with ResourceExistsException', async () => {
      // GIVEN
      await createWithValue();

      // WHEN / THEN
      await expect(
        sm.send(new CreateSecretCommand({ Name: 'app/jwt', SecretString: 'other' })),
      ).rejects.toMatchObject({ name: 'ResourceExistsException' });
    });
  });

  describe('GetSecretValue', () => {
    it('reads AWSCURRENT when no stage or version is given, by name, ARN or partial ARN', async () => {
      // GIVEN
      const arn = await createWithValue();

      // WHEN
      const reads = await Promise.all(
        ['app/jwt', arn, arn.slice(0, -7)].map((id) =>
          sm.send(new GetSecretValueCommand({ SecretId: id })),
        ),
      );

      // THEN
      for (const read of reads) {
        expect(read).toMatchObject({ SecretString: 'v1', VersionId: TOKEN_A, ARN: arn });
        expect(read.VersionStages).toEqual(['AWSCURRENT']);
        expect(read.CreatedDate).toEqual(new Date(now));
      }
    });

    it('fails when the secret does not exist, with ResourceNotFoundException', async () => {
      await expect(
        sm.send(new GetSecretValueCommand({ SecretId: 'missing' })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });

    it('fails when no version holds the stage, with ResourceNotFoundException', async () => {
      // GIVEN a secret with one version: nothing holds AWSPREVIOUS
      await createWithValue();

      // WHEN / THEN
      await expect(
        sm.send(new GetSecretValueCommand({ SecretId: 'app/jwt', VersionStage: 'AWSPREVIOUS' })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });

    it('fails when VersionId and VersionStage name different versions', async () => {
      // GIVEN
      await createWithValue();
      await sm.send(
        new PutSecretValueCommand({
          SecretId: 'app/jwt',
          SecretString: 'v2',
          ClientRequestToken: TOKEN_B,
        }),
      );

      // WHEN / THEN TOKEN_A is AWSPREVIOUS now, not AWSCURRENT
      await expect(
        sm.send(
          new GetSecretValueCommand({
            SecretId: 'app/jwt',
            VersionId: TOKEN_A,
            VersionStage: 'AWSCURRENT',
          }),
        ),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });
  });

  describe('PutSecretValue', () => {
    it('moves AWSCURRENT to the new version and AWSPREVIOUS to the old one by default', async () => {
      // GIVEN
      await createWithValue();

      // WHEN
      await sm.send(
        new PutSecretValueCommand({
          SecretId: 'app/jwt',
          SecretString: 'v2',
          ClientRequestToken: TOKEN_B,
        }),
      );
      await sm.send(
        new PutSecretValueCommand({
          SecretId: 'app/jwt',
          SecretString: 'v3',
          ClientRequestToken: TOKEN_C,
        }),
      );

      // THEN each label is on one version; TOKEN_A is deprecated (no labels)
      expect(local.versionStages('app/jwt')).toEqual({
        [TOKEN_B]: ['AWSPREVIOUS'],
        [TOKEN_C]: ['AWSCURRENT'],
      });
    });

    it.each([
      [
        'AWSCURRENT moves AWSPREVIOUS to the version AWSCURRENT left',
        'AWSCURRENT',
        { [TOKEN_A]: ['AWSPREVIOUS'], [TOKEN_B]: ['AWSCURRENT'] },
      ],
      [
        'AWSPENDING leaves AWSCURRENT where it was',
        'AWSPENDING',
        { [TOKEN_A]: ['AWSCURRENT'], [TOKEN_B]: ['AWSPENDING'] },
      ],
    ])('with VersionStages %s', async (_what, stage, expected) => {
      // GIVEN
      await createWithValue();

      // WHEN
      await sm.send(
        new PutSecretValueCommand({
          SecretId: 'app/jwt',
          SecretString: 'v2',
          ClientRequestToken: TOKEN_B,
          VersionStages: [stage],
        }),
      );

      // THEN
      expect(local.versionStages('app/jwt')).toEqual(expected);
    });

    it('moves a label of ours from the version that held it', async () => {
      // GIVEN a version holding JWTKEY_NEXT
      await createWithValue();
      const put = { SecretId: 'app/jwt', VersionStages: ['JWTKEY_NEXT'] };
      await sm.send(
        new PutSecretValueCommand({ ...put, SecretString: 'v2', ClientRequestToken: TOKEN_B }),
      );

      // WHEN a new version is written with it
      await sm.send(
        new PutSecretValueCommand({ ...put, SecretString: 'v3', ClientRequestToken: TOKEN_C }),
      );

      // THEN the label moved; the version that lost it holds none (deprecated)
      expect(local.versionStages('app/jwt')).toEqual({
        [TOKEN_A]: ['AWSCURRENT'],
        [TOKEN_C]: ['JWTKEY_NEXT'],
      });
    });

    it('on a secret created without a value: no value to read, and the first version written becomes AWSCURRENT whatever its labels', async () => {
      // GIVEN a secret created with no value
      await sm.send(new CreateSecretCommand({ Name: 'app/jwt' }));
      await expect(
        sm.send(new GetSecretValueCommand({ SecretId: 'app/jwt', VersionStage: 'AWSCURRENT' })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      expect(local.versionStages('app/jwt')).toEqual({});

      // WHEN its first version is written with a label of ours only
      await sm.send(
        new PutSecretValueCommand({
          SecretId: 'app/jwt',
          SecretString: 'v1',
          ClientRequestToken: TOKEN_A,
          VersionStages: ['JWTKEY_NEXT'],
        }),
      );

      // THEN (documented: "If this operation creates the first version for the secret, then
      // Secrets Manager automatically attaches the staging label AWSCURRENT to it")
      expect(local.versionStages('app/jwt')[TOKEN_A]?.sort()).toEqual([
        'AWSCURRENT',
        'JWTKEY_NEXT',
      ]);
    });

    it('succeeds and changes nothing when the same token brings the same value', async () => {
      // GIVEN
      await createWithValue();
      const put = { SecretId: 'app/jwt', SecretString: 'v2', ClientRequestToken: TOKEN_B };
      await sm.send(new PutSecretValueCommand({ ...put, VersionStages: ['AWSPENDING'] }));

      // WHEN the same request again
      const again = await sm.send(
        new PutSecretValueCommand({ ...put, VersionStages: ['AWSPENDING'] }),
      );

      // THEN
      expect(again.VersionId).toBe(TOKEN_B);
      expect(local.versionStages('app/jwt')).toEqual({
        [TOKEN_A]: ['AWSCURRENT'],
        [TOKEN_B]: ['AWSPENDING'],
      });
    });

    it('fails when the same token brings a different value, with ResourceExistsException', async () => {
      // GIVEN
      await createWithValue();

      // WHEN / THEN
      await expect(
        sm.send(
          new PutSecretValueCommand({
            SecretId: 'app/jwt',
            SecretString: 'other',
            ClientRequestToken: TOKEN_A,
          }),
        ),
      ).rejects.toMatchObject({ name: 'ResourceExistsException' });
      const current = await sm.send(new GetSecretValueCommand({ SecretId: 'app/jwt' }));
      expect(current.SecretString).toBe('v1');
    });
  });

  describe('UpdateSecretVersionStage', () => {
    async function withPending(): Promise<void> {
      await createWithValue();
      await sm.send(
        new PutSecretValueCommand({
          SecretId: 'app/jwt',
          SecretString: 'v2',
          ClientRequestToken: TOKEN_B,
          VersionStages: ['AWSPENDING'],
        }),
      );
    }

    it('moving AWSCURRENT puts AWSPREVIOUS on the version it left', async () => {
      // GIVEN
      await withPending();

      // WHEN
      await sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: 'app/jwt',
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: TOKEN_B,
          RemoveFromVersionId: TOKEN_A,
        }),
      );

      // THEN
      expect(local.versionStages('app/jwt')).toEqual({
        [TOKEN_A]: ['AWSPREVIOUS'],
        [TOKEN_B]: ['AWSPENDING', 'AWSCURRENT'],
      });
    });

    it('removes a label, and a version left without labels leaves VersionIdsToStages', async () => {
      // GIVEN
      await withPending();

      // WHEN
      await sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: 'app/jwt',
          VersionStage: 'AWSPENDING',
          RemoveFromVersionId: TOKEN_B,
        }),
      );

      // THEN
      const described = await sm.send(new DescribeSecretCommand({ SecretId: 'app/jwt' }));
      expect(described.VersionIdsToStages).toEqual({ [TOKEN_A]: ['AWSCURRENT'] });
      const all = await sm.send(
        new ListSecretVersionIdsCommand({ SecretId: 'app/jwt', IncludeDeprecated: true }),
      );
      expect(all.Versions?.map((version) => version.VersionId).sort()).toEqual([TOKEN_A, TOKEN_B]);
    });

    it('fails when moving an attached label without RemoveFromVersionId', async () => {
      // GIVEN
      await withPending();

      // WHEN / THEN
      await expect(
        sm.send(
          new UpdateSecretVersionStageCommand({
            SecretId: 'app/jwt',
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: TOKEN_B,
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
      expect(local.versionStages('app/jwt')[TOKEN_A]).toEqual(['AWSCURRENT']);
    });

    it('fails when RemoveFromVersionId does not hold the label', async () => {
      // GIVEN
      await withPending();

      // WHEN / THEN
      await expect(
        sm.send(
          new UpdateSecretVersionStageCommand({
            SecretId: 'app/jwt',
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: TOKEN_B,
            RemoveFromVersionId: TOKEN_B,
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    });

    it('fails when removing AWSCURRENT without moving it', async () => {
      // GIVEN
      await withPending();

      // WHEN / THEN
      await expect(
        sm.send(
          new UpdateSecretVersionStageCommand({
            SecretId: 'app/jwt',
            VersionStage: 'AWSCURRENT',
            RemoveFromVersionId: TOKEN_A,
          }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    });

    it('fails when the target version does not exist, with ResourceNotFoundException', async () => {
      // GIVEN
      await withPending();

      // WHEN / THEN
      await expect(
        sm.send(
          new UpdateSecretVersionStageCommand({
            SecretId: 'app/jwt',
            VersionStage: 'AWSPREVIOUS',
            MoveToVersionId: TOKEN_C,
          }),
        ),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });
  });

  describe('DescribeSecret', () => {
    it('omits RotationEnabled until rotation is configured, then reports it off after CancelRotateSecret', async () => {
      // GIVEN
      await createWithValue();

      // WHEN
      const before = await sm.send(new DescribeSecretCommand({ SecretId: 'app/jwt' }));

      // THEN
      expect(before.RotationEnabled).toBeUndefined();
      expect(before.CreatedDate).toEqual(new Date(now));

      // WHEN rotation is cancelled (turned off)
      await sm.send(new CancelRotateSecretCommand({ SecretId: 'app/jwt' }));
      const after = await sm.send(new DescribeSecretCommand({ SecretId: 'app/jwt' }));

      // THEN
      expect(after.RotationEnabled).toBe(false);
    });

    it("lists CreateSecret's tags and TagResource's, a key tagged again taking the new value; no Tags when there are none", async () => {
      // GIVEN a secret without tags, and one created with tags
      await createWithValue('untagged');
      await sm.send(
        new CreateSecretCommand({
          Name: 'app/jwt',
          SecretString: 'v1',
          Tags: [
            { Key: 'team', Value: 'auth' },
            { Key: 'rotating-jwt-keys:standby-minimum-age-seconds', Value: '7200' },
          ],
        }),
      );

      // WHEN one tag is set again and one added
      await sm.send(
        new TagResourceCommand({
          SecretId: 'app/jwt',
          Tags: [
            { Key: 'rotating-jwt-keys:standby-minimum-age-seconds', Value: '3600' },
            { Key: 'env', Value: '' },
          ],
        }),
      );

      // THEN
      const untagged = await sm.send(new DescribeSecretCommand({ SecretId: 'untagged' }));
      expect(untagged.Tags).toBeUndefined();
      const tagged = await sm.send(new DescribeSecretCommand({ SecretId: 'app/jwt' }));
      expect(tagged.Tags).toEqual([
        { Key: 'team', Value: 'auth' },
        { Key: 'rotating-jwt-keys:standby-minimum-age-seconds', Value: '3600' },
        { Key: 'env', Value: '' },
      ]);
    });

    it('fails when a tag key is empty, with InvalidParameterException', async () => {
      await createWithValue();
      await expect(
        sm.send(new TagResourceCommand({ SecretId: 'app/jwt', Tags: [{ Key: '', Value: 'x' }] })),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    });
  });

  describe('fault injection', () => {
    it('fails the next call of an operation with the injected AWS error, then recovers', async () => {
      // GIVEN
      await createWithValue();
      local.faults.inject({ operation: 'GetSecretValue', error: 'ThrottlingException', times: 1 });

      // WHEN / THEN
      await expect(
        sm.send(new GetSecretValueCommand({ SecretId: 'app/jwt' })),
      ).rejects.toMatchObject({
        name: 'ThrottlingException',
      });
      await expect(
        sm.send(new GetSecretValueCommand({ SecretId: 'app/jwt' })),
      ).resolves.toMatchObject({
        SecretString: 'v1',
      });
    });

    it('a partial fault on a write applies the write, then fails the response', async () => {
      // GIVEN
      await createWithValue();
      local.faults.inject({
        operation: 'PutSecretValue',
        error: 'InternalServiceError',
        partial: true,
      });

      // WHEN
      await expect(
        sm.send(
          new PutSecretValueCommand({
            SecretId: 'app/jwt',
            SecretString: 'v2',
            ClientRequestToken: TOKEN_B,
          }),
        ),
      ).rejects.toMatchObject({ name: 'InternalServiceError' });

      // THEN the version was written
      expect(local.versionStages('app/jwt')[TOKEN_B]).toEqual(['AWSCURRENT']);
    });
  });
  describe('held calls', () => {
    it('records a held read on arrival and answers it on release, with the state of that moment', async () => {
      // GIVEN a read of AWSCURRENT held while a new version becomes current
      await createWithValue();
      const held = local.faults.hold({
        operation: 'GetSecretValue',
        when: (input) => input.VersionStage === 'AWSCURRENT',
      });
      const read = sm.send(
        new GetSecretValueCommand({ SecretId: 'app/jwt', VersionStage: 'AWSCURRENT' }),
      );
      await held.arrived;
      expect(local.calls.filter((call) => call.operation === 'GetSecretValue')).toHaveLength(1);

      // WHEN calls that do not match pass, the label moves, then the read is released
      const previous = await sm.send(
        new GetSecretValueCommand({
          SecretId: 'app/jwt',
          VersionStage: 'AWSCURRENT',
          VersionId: TOKEN_A,
        }),
      );
      await sm.send(
        new PutSecretValueCommand({
          SecretId: 'app/jwt',
          SecretString: 'v2',
          ClientRequestToken: TOKEN_B,
        }),
      );
      held.release();

      // THEN the held read saw the move; the one that was not held did not wait for it
      expect(previous.SecretString).toBe('v1');
      await expect(read).resolves.toMatchObject({ VersionId: TOKEN_B, SecretString: 'v2' });
    });

    it('holds only the next matching call; a hold released before its call arrives holds nothing', async () => {
      // GIVEN
      await createWithValue();
      const first = local.faults.hold({ operation: 'GetSecretValue' });
      local.faults.hold({ operation: 'GetSecretValue' }).release();

      // WHEN two reads are made while the first hold is on
      const held = sm.send(new GetSecretValueCommand({ SecretId: 'app/jwt' }));
      await first.arrived;
      const free = await sm.send(new GetSecretValueCommand({ SecretId: 'app/jwt' }));

      // THEN the second was answered at once, and the first on release
      expect(free.SecretString).toBe('v1');
      first.release();
      await expect(held).resolves.toMatchObject({ SecretString: 'v1' });
    });
  });
});
