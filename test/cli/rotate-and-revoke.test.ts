/**
 * jwt-keys rotate and revoke-previous against the local endpoint, with the real rotation
 * handler registered as the secret's rotation function and invoked through Lambda's API.
 */
import {
  GetSecretValueCommand,
  RotateSecretCommand,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';

import { STANDBY_MINIMUM_AGE_TAG } from '../../contract';
import { type KeyDocument, parseKeyDocument } from '../../key-document';
import { standbyVersionIdFor } from '../../lambda/rotation/standby';
import { KEY_RETIRED } from '../../rotation-events';
import { hmacKey } from '../support/key-documents';
import { DAY_MS, HOUR_MS, type RotationRig, startRotationRig } from '../support/rotation-rig';

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

  function standbyVersion(): string | undefined {
    const stages = rig.local.versionStages(arn);
    return Object.keys(stages).find((id) => stages[id]!.includes('JWTKEY_NEXT'));
  }

  async function valueOf(versionId: string): Promise<KeyDocument> {
    const read = await rig.sm.send(
      new GetSecretValueCommand({ SecretId: arn, VersionId: versionId }),
    );
    return parseKeyDocument(read.SecretString!);
  }

  /** The keys of every version holding a label. */
  async function labelledKeys(): Promise<KeyDocument[]> {
    return Promise.all(Object.keys(rig.local.versionStages(arn)).map(valueOf));
  }

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

  describe(
    'the standby key against the verifier cache (tag ' + STANDBY_MINIMUM_AGE_TAG + ')',
    () => {
      async function tagMinimumAge(seconds: number): Promise<void> {
        await rig.sm.send(
          new TagResourceCommand({
            SecretId: arn,
            Tags: [{ Key: STANDBY_MINIMUM_AGE_TAG, Value: String(seconds) }],
          }),
        );
      }

      it('fails when the standby key is younger than the tag, naming its kid, age and the bound; promotes it with --force, saying so', async () => {
        // GIVEN the grace is over (25 h after the rotation, 24 h grace) but the standby key made
        // by that rotation is 25 h old, and verifiers may cache keys 30 h
        await tagMinimumAge(30 * 3600);
        rig.now += 25 * HOUR_MS;
        const standby = standbyVersion()!;
        const stages = rig.local.versionStages(arn);

        // WHEN
        const refused = await cli(rig.local, rig.clock, 'rotate', arn);

        // THEN nothing changed, and the message names the standby kid, its age and the bound
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(
          `refusing to rotate secret "${arn}": the standby key (kid ${standby}) is 1d 1h old, ` +
            `younger than the 1d 6h verifiers may cache keys (tag ${STANDBY_MINIMUM_AGE_TAG} = 108000)`,
        );
        expect(refused.stderr).toContain('--force');
        expect(rig.local.versionStages(arn)).toEqual(stages);

        // WHEN forced
        const forced = await cli(rig.local, rig.clock, 'rotate', arn, '--force', '--json');

        // THEN the standby key was promoted, and the output says it was early
        expect(forced.code).toBe(0);
        expect(forced.stderr).toContain(
          `--force: the standby key (kid ${standby}) is promoted at 1d 1h old, under the 1d 6h`,
        );
        expect((await rig.current(arn)).document.kid).toBe(standby);
        expect(JSON.parse(forced.stdout)).toMatchObject({
          current: { kid: standby },
          promotedEarly: { kid: standby, ageSeconds: 25 * 3600, minimumAgeSeconds: 30 * 3600 },
          droppedEarly: null,
        });
      });

      it('rotates without --force once the standby key is as old as the tag says', async () => {
        // GIVEN
        await tagMinimumAge(7200);
        rig.now += 25 * HOUR_MS;
        const standby = standbyVersion()!;

        // WHEN
        const run = await cli(rig.local, rig.clock, 'rotate', arn);

        // THEN
        expect(run.code).toBe(0);
        expect(run.stdout).not.toContain('promoted early');
        expect((await rig.current(arn)).document.kid).toBe(standby);
      });

      it('prints the early promotion in text output too', async () => {
        await tagMinimumAge(30 * 3600);
        rig.now += 25 * HOUR_MS;
        const standby = standbyVersion()!;

        const run = await cli(rig.local, rig.clock, 'rotate', arn, '--force');

        expect(run.code).toBe(0);
        expect(run.stdout).toContain(`promoted early: kid ${standby} (1d 1h old)`);
      });
    },
  );

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

  it('revoke-previous discards the standby, rotates to a fresh key and retires the leaked key at once, publishing "key retired" (revoked)', async () => {
    // GIVEN the key that leaked is the current one, and a standby key whoever read the secret
    // may have read as well
    const leaked = await rig.current(arn);
    const oldStandbyVersion = standbyVersion()!;
    const oldStandby = await valueOf(oldStandbyVersion);

    // WHEN
    const callsBefore = rig.local.calls.length;
    const run = await cli(rig.local, rig.clock, 'revoke-previous', arn, '--json');

    // THEN a fresh key is current (its kid its own version id), with a new standby
    expect(run.code).toBe(0);
    const current = await rig.current(arn);
    expect(current.versionId).not.toBe(leaked.versionId);
    expect(current.document.kid).toBe(current.versionId);
    expect(rig.local.versionStages(arn)).toEqual({
      [current.versionId]: ['AWSCURRENT'],
      [standbyVersionIdFor(current.versionId)]: ['JWTKEY_NEXT'],
    });
    // AND neither the leaked key nor the old standby key is in any labelled version
    for (const document of await labelledKeys()) {
      for (const gone of [leaked.document, oldStandby]) {
        expect(hmacKey(document).k).not.toBe(hmacKey(gone).k);
        expect(document.kid).not.toBe(gone.kid);
      }
    }
    expect(JSON.parse(run.stdout)).toMatchObject({
      action: 'revoke-previous',
      outcome: 'retired',
      revoked: { kid: leaked.document.kid },
      current: { kid: current.document.kid },
      standbyDiscarded: oldStandbyVersion,
      currentIsFresh: true,
    });
    expect(rig.local.events.at(-1)).toMatchObject({
      detailType: KEY_RETIRED,
      detail: { reason: 'revoked', retired: { kid: leaked.document.kid } },
    });
    // AND the steps ran in order: the standby discarded before the rotation started
    expect(run.stderr).toMatch(
      /step 1\/3: discarding the standby key kid .*\n(.*\n)*step 2\/3: rotating away from kid .*\n(.*\n)*step 3\/3: revoking kid/,
    );
    const order = rig.local.calls
      .slice(callsBefore)
      .map((call) => call.operation)
      .filter((operation) => operation === 'Invoke' || operation === 'RotateSecret');
    expect(order).toEqual(['Invoke', 'RotateSecret', 'Invoke']);
  });

  it('fails when the leaked key no longer holds AWSPREVIOUS at the revoke, saying nothing was revoked', async () => {
    // GIVEN a rotation function before which another rotation slips in, just before the revoke
    const leaked = await rig.current(arn);
    let sneaked = false;
    const racing = rig.local.registerFunction('racing', async (event) => {
      if ((event as { action?: string }).action === 'revoke-previous' && !sneaked) {
        sneaked = true;
        await rig.sm.send(new RotateSecretCommand({ SecretId: arn }));
        await rig.local.rotationsSettled();
      }
      return rig.handler(event);
    });
    rig.now += 2 * DAY_MS;
    await rig.rotate(arn, racing);
    const current = await rig.current(arn);
    expect(current.document.kid).not.toBe(leaked.document.kid);

    // WHEN
    const run = await cli(rig.local, rig.clock, 'revoke-previous', arn);

    // THEN the function refused (not-previous), and the command failed, saying so in one line
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').at(-1)).toMatch(
      new RegExp(
        `^jwt-keys: nothing revoked: the leaked key \\(kid ${current.document.kid}\\) no longer holds AWSPREVIOUS`,
      ),
    );
    expect(rig.local.events.filter((event) => event.detailType === KEY_RETIRED)).toEqual([]);
    // AND the key that holds AWSPREVIOUS now (in its grace) kept it
    expect(
      Object.values(rig.local.versionStages(arn)).filter((stages) =>
        stages.includes('AWSPREVIOUS'),
      ),
    ).toHaveLength(1);
  });

  it('status shows the standby key by kid and age, never by value, and never reads it', async () => {
    // GIVEN a standby key made by the rotation a day ago
    rig.now += DAY_MS;
    const standby = standbyVersion()!;
    const value = await valueOf(standby);
    const readsBefore = rig.local.calls.length;

    // WHEN
    const text = await cli(rig.local, rig.clock, 'status', arn);
    const json = await cli(rig.local, rig.clock, 'status', arn, '--json');

    // THEN
    expect(text.stdout).toContain(
      `JWTKEY_NEXT  kid ${standby}, age 1d; the next rotation promotes it`,
    );
    expect(JSON.parse(json.stdout)).toMatchObject({
      standby: {
        versionId: standby,
        kid: standby,
        ageSeconds: 86_400,
        namedByCurrent: true,
      },
    });
    for (const output of [text.stdout, json.stdout]) {
      expect(output).not.toContain(hmacKey(value).k);
      expect(output).not.toContain(Buffer.from(hmacKey(value).k, 'base64url').toString('hex'));
    }
    const standbyReads = rig.local.calls
      .slice(readsBefore)
      .filter(
        (call) =>
          call.operation === 'GetSecretValue' &&
          (call.versionId === standby || call.versionStage === 'JWTKEY_NEXT'),
      );
    expect(standbyReads).toEqual([]);
  });

  it('status says when there is no standby key', async () => {
    // GIVEN
    await rig.handler({ action: 'discard-standby', secretId: arn });

    // WHEN
    const run = await cli(rig.local, rig.clock, 'status', arn);

    // THEN
    expect(run.stdout).toContain('JWTKEY_NEXT  none (the next rotation makes a fresh key)');
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
