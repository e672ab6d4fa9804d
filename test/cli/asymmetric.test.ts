/**
 * jwt-keys status, rotate and revoke-previous against an ES256 secret deployed as the stack
 * deploys it: created with no value and tagged with the 2-hour verifier cache, its first key and
 * standby written by the FirstKey custom resource, then the schedule set without rotating.
 */
import {
  CreateSecretCommand,
  type CreateSecretCommandOutput,
  RotateSecretCommand,
} from '@aws-sdk/client-secrets-manager';

import {
  FIRST_KEY_RESOURCE_TYPE,
  type FirstKeyResourceProperties,
  STANDBY_MINIMUM_AGE_TAG,
} from '../../contract';
import { HOUR_MS, type RotationRig, startRotationRig } from '../support/rotation-rig';

import { cli } from './support';

describe('jwt-keys on an ES256 secret', () => {
  let rig: RotationRig;
  let arn: string;

  beforeEach(async () => {
    rig = await startRotationRig({ algorithm: 'ES256' });
    const created: CreateSecretCommandOutput = await rig.sm.send(
      new CreateSecretCommand({
        Name: 'api/jwt',
        Tags: [{ Key: STANDBY_MINIMUM_AGE_TAG, Value: '7200' }],
      }),
    );
    arn = created.ARN!;
    const answer = await rig.local.runCustomResource(rig.functionArn, {
      requestType: 'Create',
      resourceType: FIRST_KEY_RESOURCE_TYPE,
      logicalResourceId: 'JwtKeyFirstKey',
      resourceProperties: { SecretId: arn } satisfies FirstKeyResourceProperties,
    });
    expect(answer.Status).toBe('SUCCESS');
    await rig.sm.send(
      new RotateSecretCommand({
        SecretId: arn,
        RotationLambdaARN: rig.functionArn,
        RotationRules: { ScheduleExpression: 'rate(90 days)' },
        RotateImmediately: false,
      }),
    );
    await rig.local.rotationsSettled();
  });

  afterEach(async () => {
    await rig.close();
  });

  function standbyKid(): string {
    const stages = rig.local.versionStages(arn);
    return Object.keys(stages).find((id) => stages[id]!.includes('JWTKEY_NEXT'))!;
  }

  it('status names the algorithm of the current key, the standby key and its minimum age', async () => {
    // GIVEN / WHEN
    const current = await rig.current(arn);
    const text = await cli(rig.local, rig.clock, 'status', arn);
    const json = await cli(rig.local, rig.clock, 'status', arn, '--json');

    // THEN
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`AWSCURRENT   kid ${current.document.kid} ES256, age 0s`);
    expect(text.stdout).toContain(
      `JWTKEY_NEXT  kid ${standbyKid()}, age 0s; the next rotation promotes it; younger than ` +
        'the 2h verifiers may cache keys (rotate needs --force)',
    );
    expect(JSON.parse(json.stdout)).toMatchObject({
      current: { kid: current.document.kid, algorithm: 'ES256' },
      standby: { kid: standbyKid(), namedByCurrent: true },
      standbyMinimumAgeSeconds: 7200,
    });
  });

  it('fails to rotate right after the deploy (standby younger than 2 hours); rotates to the standby ES256 key after', async () => {
    // GIVEN the deploy just happened
    const standby = standbyKid();

    // WHEN
    const refused = await cli(rig.local, rig.clock, 'rotate', arn);

    // THEN
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `the standby key (kid ${standby}) is 0s old, younger than the 2h verifiers may cache keys`,
    );

    // WHEN two hours have passed
    rig.now += 2 * HOUR_MS;
    const run = await cli(rig.local, rig.clock, 'rotate', arn);

    // THEN the standby key signs, an ES256 key
    expect(run.code).toBe(0);
    const current = await rig.current(arn);
    expect(current.document).toMatchObject({ kid: standby, alg: 'ES256', kty: 'EC' });
    expect(run.stdout).toContain(`AWSCURRENT   kid ${standby} (new)`);
  });

  it('revoke-previous rotates to a fresh ES256 key and retires the leaked one, needing no --force', async () => {
    // GIVEN a rotation 3 hours after the deploy, then a leak of the current key
    rig.now += 3 * HOUR_MS;
    expect((await cli(rig.local, rig.clock, 'rotate', arn)).code).toBe(0);
    const leaked = await rig.current(arn);

    // WHEN (the new standby key is minutes old: an emergency does not wait for it)
    const run = await cli(rig.local, rig.clock, 'revoke-previous', arn, '--json');

    // THEN
    expect(run.code).toBe(0);
    const current = await rig.current(arn);
    expect(current.document).toMatchObject({ alg: 'ES256', kid: current.versionId });
    expect(current.document.kid).not.toBe(leaked.document.kid);
    expect(JSON.parse(run.stdout)).toMatchObject({
      outcome: 'retired',
      revoked: { kid: leaked.document.kid },
      currentIsFresh: true,
    });
    expect(Object.values(rig.local.versionStages(arn)).flat()).not.toContain('AWSPREVIOUS');
  });
});
