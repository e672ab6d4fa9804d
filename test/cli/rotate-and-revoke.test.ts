/**
 * jwt-keys rotate and revoke-previous against the local endpoint, with the real rotation
 * handler registered as the secret's rotation function and invoked through Lambda's API.
 */
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';

import { KEY_RETIRED } from '../../rotation-events';
import { DAY_MS, HOUR_MS, type RotationRig, startRotationRig } from '../lambda/support';

import { cli } from './support';

describe('jwt-keys rotate and revoke-previous', () => {
  let rig: RotationRig;
  let arn: string;

  beforeEach(async () => {
    rig = await startRotationRig();
    arn = await rig.createKeySecret();
    await rig.rotate(arn);
  });

  afterEach(async () => {
    await rig.close();
  });

  it('fails when the previous key is in its grace period, saying what forcing drops; rotates with --force', async () => {
    // GIVEN a rotation an hour ago (24 h grace)
    rig.now += HOUR_MS;
    const stages = rig.local.versionStages(arn);

    // WHEN
    const refused = await cli(rig.local, rig.clock, 'rotate', arn);

    // THEN nothing changed, and the message names the key and its grace end
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /refusing to rotate .*\(kid initial\) is in its grace period until .*--force/,
    );
    expect(rig.local.versionStages(arn)).toEqual(stages);

    // WHEN forced
    const forced = await cli(rig.local, rig.clock, 'rotate', arn, '--force', '--json');

    // THEN it rotated, and says which key was dropped early
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain(
      '--force: the previous key (kid initial) is dropped before its grace period ends',
    );
    const result = JSON.parse(forced.stdout) as {
      current: { kid: string };
      droppedEarly: { kid: string };
    };
    expect(result.droppedEarly.kid).toBe('initial');
    expect((await rig.current(arn)).document.kid).toBe(result.current.kid);
    expect(rig.local.events.at(-1)?.detail.droppedEarly).toMatchObject({ kid: 'initial' });
  });

  it('rotates without --force once the grace period is over, printing progress', async () => {
    // GIVEN
    rig.now += 2 * DAY_MS;
    const before = await rig.current(arn);

    // WHEN
    const run = await cli(rig.local, rig.clock, 'rotate', arn);

    // THEN
    expect(run.code).toBe(0);
    const after = await rig.current(arn);
    expect(after.versionId).not.toBe(before.versionId);
    expect(run.stdout).toContain(`AWSCURRENT   kid ${after.document.kid} (new)`);
    expect(run.stdout).toContain(`AWSPREVIOUS  kid ${before.document.kid}, verifies until`);
    expect(run.stderr).toContain(`rotation ${after.versionId}: AWSCURRENT`);
  });

  it('revoke-previous rotates now and retires the leaked key at once, publishing "key retired" (revoked)', async () => {
    // GIVEN the key that leaked is the current one
    const leaked = await rig.current(arn);

    // WHEN
    const run = await cli(rig.local, rig.clock, 'revoke-previous', arn, '--json');

    // THEN a new key is current and the leaked one holds no label
    expect(run.code).toBe(0);
    const current = await rig.current(arn);
    expect(current.versionId).not.toBe(leaked.versionId);
    expect(rig.local.versionStages(arn)).toEqual({ [current.versionId]: ['AWSCURRENT'] });
    expect(JSON.parse(run.stdout)).toMatchObject({
      action: 'revoke-previous',
      outcome: 'retired',
      revoked: { kid: leaked.document.kid },
      current: { kid: current.document.kid },
    });
    expect(rig.local.events.at(-1)).toMatchObject({
      detailType: KEY_RETIRED,
      detail: { reason: 'revoked', retired: { kid: leaked.document.kid } },
    });
    expect(run.stderr).toMatch(/step 1\/2: rotating away from kid .*\n(.*\n)*step 2\/2: revoking/);
  });

  it('fails when a rotation is unfinished, pointing at repair', async () => {
    // GIVEN a rotation that fails on every attempt
    rig.local.faults.inject({ operation: 'Invoke:finishSecret', error: 'Error', times: Infinity });
    rig.now += 2 * DAY_MS;
    await rig.sm.send(new RotateSecretCommand({ SecretId: arn }));
    await rig.local.rotationsSettled();

    // WHEN / THEN
    const run = await cli(rig.local, rig.clock, 'revoke-previous', arn);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/an earlier rotation .* is unfinished .* run "jwt-keys repair/);
  });

  it('fails when the rotation does not complete in time, in one line', async () => {
    // GIVEN every rotation fails
    rig.local.faults.inject({ operation: 'Invoke:testSecret', error: 'Error', times: Infinity });
    rig.now += 2 * DAY_MS;

    // WHEN
    const run = await cli(rig.local, rig.clock, 'rotate', arn, '--timeout', '10');

    // THEN
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').at(-1)).toMatch(
      /did not complete within 10 s; .*jwt-keys repair/,
    );
  });

  it('fails when the rotation function reports an error on revoke, in one line', async () => {
    // GIVEN the function fails on Lambda's Invoke API
    rig.local.faults.inject({
      operation: 'Invoke',
      error: 'AccessDeniedException',
      message: 'not allowed to invoke',
    });

    // WHEN
    const run = await cli(rig.local, rig.clock, 'revoke-previous', arn);

    // THEN
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').at(-1)).toMatch(
      /^jwt-keys: access denied .*not allowed to invoke/,
    );
  });
});
