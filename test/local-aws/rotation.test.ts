/**
 * Contract tests for RotateSecret on the local endpoint, from AWS's documentation of how
 * rotation runs: a value-less AWSPENDING version, the four steps in order with the version id
 * as ClientRequestToken, retries of the whole rotation, and the refusal while an earlier
 * rotation is unfinished. The rotation function here is a minimal one written in the test.
 */
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';

import { type LocalAws, startLocalAws } from '../../local-aws';

interface StepEvent {
  Step: string;
  SecretId: string;
  ClientRequestToken: string;
  RotationToken?: string;
}

const DAY_MS = 86_400_000;

describe('local Secrets Manager rotation', () => {
  let local: LocalAws;
  let sm: SecretsManagerClient;
  let now: number;
  let invocations: StepEvent[];
  let pendingReadInCreate: string | undefined;

  /** A minimal rotation function: puts `value-<token>` as AWSPENDING, then promotes it. */
  async function minimalRotation(event: StepEvent): Promise<void> {
    invocations.push(event);
    const { SecretId, ClientRequestToken: token } = event;
    if (event.Step === 'createSecret') {
      try {
        await sm.send(
          new GetSecretValueCommand({ SecretId, VersionId: token, VersionStage: 'AWSPENDING' }),
        );
      } catch (error) {
        pendingReadInCreate = (error as Error).name;
        await sm.send(
          new PutSecretValueCommand({
            SecretId,
            ClientRequestToken: token,
            SecretString: `value-${token}`,
            VersionStages: ['AWSPENDING'],
          }),
        );
      }
    }
    if (event.Step === 'finishSecret') {
      const described = await sm.send(new DescribeSecretCommand({ SecretId }));
      const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) =>
        stages.includes('AWSCURRENT'),
      )?.[0];
      await sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: token,
          RemoveFromVersionId: current,
        }),
      );
      await sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId,
          VersionStage: 'AWSPENDING',
          RemoveFromVersionId: token,
        }),
      );
    }
  }

  beforeEach(async () => {
    now = Date.UTC(2026, 0, 1);
    invocations = [];
    pendingReadInCreate = undefined;
    local = await startLocalAws({ clock: () => now });
    sm = new SecretsManagerClient(local.clientConfig({ maxAttempts: 1 }));
    await sm.send(new CreateSecretCommand({ Name: 'app/jwt', SecretString: 'first' }));
  });

  afterEach(async () => {
    sm.destroy();
    await local.close();
  });

  it('runs the four steps in order with the new version id, which has no value until createSecret', async () => {
    // GIVEN
    const arn = local.registerFunction('rotation', (event) => minimalRotation(event as StepEvent));

    // WHEN
    const rotated = await sm.send(
      new RotateSecretCommand({
        SecretId: 'app/jwt',
        RotationLambdaARN: arn,
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
    await local.rotationsSettled();

    // THEN
    const token = rotated.VersionId!;
    expect(invocations.map((event) => event.Step)).toEqual([
      'createSecret',
      'setSecret',
      'testSecret',
      'finishSecret',
    ]);
    expect(invocations.every((event) => event.ClientRequestToken === token)).toBe(true);
    expect(invocations[0]!.SecretId).toMatch(/^arn:aws:secretsmanager:/);
    expect(pendingReadInCreate).toBe('ResourceNotFoundException');
    const current = await sm.send(new GetSecretValueCommand({ SecretId: 'app/jwt' }));
    expect(current.SecretString).toBe(`value-${token}`);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'app/jwt' }));
    expect(described).toMatchObject({ RotationEnabled: true, RotationLambdaARN: arn });
    expect(described.LastRotatedDate).toEqual(new Date(now));
    expect(described.NextRotationDate).toEqual(new Date(now + 30 * DAY_MS));
  });

  it('retries the whole rotation with the same token after a step fails', async () => {
    // GIVEN a function whose testSecret fails once
    let failures = 1;
    const arn = local.registerFunction('rotation', async (event) => {
      const step = event as StepEvent;
      if (step.Step === 'testSecret' && failures-- > 0) throw new Error('flaky test step');
      await minimalRotation(step);
    });

    // WHEN
    const rotated = await sm.send(
      new RotateSecretCommand({ SecretId: 'app/jwt', RotationLambdaARN: arn }),
    );
    await local.rotationsSettled();

    // THEN the second attempt started from createSecret again, with the same token
    expect(invocations.map((event) => event.Step)).toEqual([
      'createSecret',
      'setSecret',
      'createSecret',
      'setSecret',
      'testSecret',
      'finishSecret',
    ]);
    expect(new Set(invocations.map((event) => event.ClientRequestToken))).toEqual(
      new Set([rotated.VersionId]),
    );
    expect(local.rotationResults).toEqual([
      expect.objectContaining({ outcome: 'succeeded', attempts: 2 }),
    ]);
  });

  it('fails when a rotation is unfinished, and reattempts that rotation', async () => {
    // GIVEN a rotation whose finishSecret always fails, leaving AWSPENDING behind
    let finishWorks = false;
    const arn = local.registerFunction('rotation', async (event) => {
      const step = event as StepEvent;
      if (step.Step === 'finishSecret' && !finishWorks) throw new Error('finish is broken');
      await minimalRotation(step);
    });
    const first = await sm.send(
      new RotateSecretCommand({ SecretId: 'app/jwt', RotationLambdaARN: arn }),
    );
    await local.rotationsSettled();
    expect(local.rotationFailures).toHaveLength(1);
    expect(local.versionStages('app/jwt')[first.VersionId!]).toEqual(['AWSPENDING']);

    // WHEN the next RotateSecret comes, after the function was fixed
    finishWorks = true;
    await expect(
      sm.send(new RotateSecretCommand({ SecretId: 'app/jwt', RotationLambdaARN: arn })),
    ).rejects.toMatchObject({ name: 'InvalidRequestException' });
    await local.rotationsSettled();

    // THEN the unfinished rotation was reattempted and completed with its own token
    expect(local.versionStages('app/jwt')[first.VersionId!]).toEqual(['AWSCURRENT']);
  });

  it('with RotateImmediately=false runs only testSecret on a value-less version, then removes it', async () => {
    // GIVEN
    const arn = local.registerFunction('rotation', (event) => minimalRotation(event as StepEvent));
    const before = local.versionStages('app/jwt');

    // WHEN
    await sm.send(
      new RotateSecretCommand({
        SecretId: 'app/jwt',
        RotationLambdaARN: arn,
        RotateImmediately: false,
      }),
    );
    await local.rotationsSettled();

    // THEN
    expect(invocations.map((event) => event.Step)).toEqual(['testSecret']);
    expect(local.versionStages('app/jwt')).toEqual(before);
  });

  it('fails when the rotation function is unknown, with AccessDeniedException', async () => {
    await expect(
      sm.send(
        new RotateSecretCommand({
          SecretId: 'app/jwt',
          RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:nope',
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('starts scheduled rotations only once they are due', async () => {
    // GIVEN a secret rotated now, every 30 days
    const arn = local.registerFunction('rotation', (event) => minimalRotation(event as StepEvent));
    await sm.send(
      new RotateSecretCommand({
        SecretId: 'app/jwt',
        RotationLambdaARN: arn,
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
    await local.rotationsSettled();

    // WHEN the schedule is checked a day early, then on time
    now += 29 * DAY_MS;
    const early = local.runScheduledRotations();
    now += DAY_MS;
    const due = local.runScheduledRotations();
    await local.rotationsSettled();

    // THEN
    expect(early).toEqual([]);
    expect(due).toHaveLength(1);
    expect(local.versionStages('app/jwt')[due[0]!]).toEqual(['AWSCURRENT']);
  });

  it('a partial Invoke fault runs the step, then reports it failed (a timeout after the work)', async () => {
    // GIVEN
    const arn = local.registerFunction('rotation', (event) => minimalRotation(event as StepEvent));
    local.faults.inject({
      operation: 'Invoke:createSecret',
      error: 'Sandbox.Timedout',
      partial: true,
    });

    // WHEN
    await sm.send(new RotateSecretCommand({ SecretId: 'app/jwt', RotationLambdaARN: arn }));
    await local.rotationsSettled();

    // THEN the first attempt ran createSecret and was failed; the retry succeeded
    expect(local.rotationLog.slice(0, 2)).toEqual([
      expect.objectContaining({ step: 'createSecret', attempt: 1, outcome: 'failed' }),
      expect.objectContaining({ step: 'createSecret', attempt: 2, outcome: 'succeeded' }),
    ]);
    expect(local.rotationResults).toEqual([expect.objectContaining({ outcome: 'succeeded' })]);
  });

  it('a fault scoped to a step fails only the calls made while that step runs', async () => {
    // GIVEN DescribeSecret denied during finishSecret only
    const arn = local.registerFunction('rotation', (event) => minimalRotation(event as StepEvent));
    local.faults.inject({
      operation: 'DescribeSecret',
      step: 'finishSecret',
      error: 'AccessDeniedException',
    });

    // WHEN DescribeSecret is called outside a rotation, then the rotation runs
    const outside = await sm.send(new DescribeSecretCommand({ SecretId: 'app/jwt' }));
    await sm.send(new RotateSecretCommand({ SecretId: 'app/jwt', RotationLambdaARN: arn }));
    await local.rotationsSettled();

    // THEN only the first finishSecret failed, with the injected error
    expect(outside.Name).toBe('app/jwt');
    const failed = local.rotationLog.filter((entry) => entry.outcome === 'failed');
    expect(failed).toEqual([
      expect.objectContaining({
        step: 'finishSecret',
        attempt: 1,
        error: expect.stringMatching(/Injected/),
      }),
    ]);
    expect(local.rotationResults).toEqual([
      expect.objectContaining({ outcome: 'succeeded', attempts: 2 }),
    ]);
  });

  it('a hung call cuts the function off at its timeout: its write stays, the rest of the step never runs', async () => {
    // GIVEN a 100 ms function timeout, and the AWSCURRENT move applied but never answered
    const arn = local.registerFunction('rotation', (event) => minimalRotation(event as StepEvent), {
      timeoutMs: 100,
    });
    local.faults.inject({
      operation: 'UpdateSecretVersionStage',
      step: 'finishSecret',
      when: (input) => input.VersionStage === 'AWSCURRENT',
      hang: true,
      partial: true,
    });

    // WHEN
    const rotated = await sm.send(
      new RotateSecretCommand({ SecretId: 'app/jwt', RotationLambdaARN: arn }),
    );
    await local.rotationsSettled();

    // THEN attempt 1 timed out in finishSecret; the retry found AWSCURRENT moved and finished
    const token = rotated.VersionId!;
    expect(local.rotationLog.filter((entry) => entry.outcome === 'failed')).toEqual([
      expect.objectContaining({
        step: 'finishSecret',
        attempt: 1,
        error: expect.stringMatching(/timed out/),
      }),
    ]);
    expect(local.versionStages('app/jwt')[token]).toEqual(['AWSCURRENT']);
    // AND the hung request counts once: the cut-off function did not go on to remove AWSPENDING
    const removals = local.calls.filter(
      (call) => call.operation === 'UpdateSecretVersionStage',
    ).length;
    expect(removals).toBe(3); // the hung move; the retry's move and AWSPENDING removal
  });
});
