/**
 * The standby key end to end: each rotation makes one (JWTKEY_NEXT), the next rotation promotes
 * it with the same kid and key, retries reuse it, and discard-standby makes the next key fresh.
 */
import { PutSecretValueCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';

import { STANDBY_STAGE, versionWithStage } from '../../contract';
import { generateKeyDocument, type KeyDocument, serializeKeyDocument } from '../../key-document';
import { standbyVersionIdFor as standbyOf } from '../../lambda/rotation/standby';
import { KEY_ROTATED } from '../../rotation-events';
import { hmacKey } from '../support/key-documents';
import { DAY_MS, type RotationRig, startRotationRig } from '../support/rotation-rig';

describe('the standby key', () => {
  let rig: RotationRig;
  let arn: string;

  beforeEach(async () => {
    rig = await startRotationRig();
    arn = await rig.createKeySecret();
  });

  afterEach(async () => {
    await rig.close();
  });

  /** Every key an application can read: the versions holding AWSCURRENT or AWSPREVIOUS. */
  async function applicationKeys(): Promise<KeyDocument[]> {
    const stages = rig.local.versionStages(arn);
    const readable = Object.keys(stages).filter((id) =>
      stages[id]!.some((stage) => stage === 'AWSCURRENT' || stage === 'AWSPREVIOUS'),
    );
    return Promise.all(readable.map((versionId) => rig.valueOf(arn, versionId)));
  }

  it('the first rotation makes a fresh key and a standby key that the current key names', async () => {
    // WHEN
    const token = await rig.rotate(arn);

    // THEN
    const current = await rig.current(arn);
    const standby = await rig.valueOf(arn, standbyOf(token));
    expect((await rig.standbyVersion(arn))?.versionId).toBe(standbyOf(token));
    expect(current.document).toMatchObject({
      kid: token,
      previousKid: 'initial',
      nextKid: standby.kid,
    });
    expect(standby).toMatchObject({ kid: standbyOf(token), alg: 'HS256' });
    expect(hmacKey(standby).k).not.toBe(hmacKey(current.document).k);
    expect(Buffer.from(hmacKey(standby).k, 'base64url')).toHaveLength(64);
    // AND no application-readable version holds the standby key
    expect((await applicationKeys()).map((key) => hmacKey(key).k)).not.toContain(
      hmacKey(standby).k,
    );
  });

  it('the next rotation promotes the standby key: same kid and key material, dated at its promotion', async () => {
    // GIVEN a first rotation, whose standby key is made now
    const first = await rig.rotate(arn);
    const standby = await rig.valueOf(arn, standbyOf(first));
    const firstKid = (await rig.current(arn)).document.kid;

    // WHEN the next rotation comes 90 days later
    rig.now += 90 * DAY_MS;
    const second = await rig.rotate(arn);

    // THEN the new current version holds the standby's key, under its kid, dated now
    const current = await rig.current(arn);
    expect(current.versionId).toBe(second);
    expect(current.document).toEqual({
      kty: 'oct',
      alg: 'HS256',
      use: 'sig',
      kid: standby.kid,
      k: hmacKey(standby).k,
      createdAt: new Date(rig.now).toISOString(),
      previousKeyGraceSeconds: 86_400,
      nextKid: standbyOf(second),
      previousKid: firstKid,
    });
    // AND a fresh standby replaces it; the old standby version holds no label any more
    expect(rig.local.versionStages(arn)).toEqual({
      [second]: ['AWSCURRENT'],
      [first]: ['AWSPREVIOUS'],
      [standbyOf(second)]: ['JWTKEY_NEXT'],
    });
    expect(hmacKey(await rig.valueOf(arn, standbyOf(second))).k).not.toBe(hmacKey(standby).k);
    // AND the event names the promoted key by its version and its kid, and the new standby
    expect(rig.local.events.at(-1)).toMatchObject({
      detailType: KEY_ROTATED,
      detail: {
        current: { versionId: second, kid: standby.kid },
        previous: { versionId: first, kid: firstKid },
        next: { versionId: standbyOf(second), kid: standbyOf(second) },
        previousGraceEndsAt: new Date(rig.now + DAY_MS).toISOString(),
      },
    });
  });

  it('a createSecret retried after a failure between the pending write and the standby write keeps the pending key and makes the standby', async () => {
    // GIVEN a first rotation (so the second promotes a standby) and a standby write that fails
    const first = await rig.rotate(arn);
    const promoted = await rig.valueOf(arn, standbyOf(first));
    rig.now += 90 * DAY_MS;
    rig.local.faults.inject({
      operation: 'PutSecretValue',
      error: 'InternalServiceError',
      when: (input) => (input.VersionStages as string[]).includes('JWTKEY_NEXT'),
    });

    // WHEN the service's retry runs createSecret again
    const second = await rig.rotate(arn);

    // THEN the first attempt failed in createSecret, after its pending write
    expect(
      rig.local.rotationLog
        .filter((entry) => entry.token === second && entry.step === 'createSecret')
        .map((entry) => entry.outcome),
    ).toEqual(['failed', 'succeeded']);
    expect(rig.local.rotationResults.at(-1)).toMatchObject({
      token: second,
      outcome: 'succeeded',
    });
    // AND the key promoted is the standby's, written once; the new standby exists
    const createSecretLines = rig.logs
      .filter(
        (line) =>
          line.message.startsWith('createSecret') &&
          (line.fields.versionId === second || line.fields.standbyVersionId === standbyOf(second)),
      )
      .map((line) => line.message);
    expect(createSecretLines).toEqual([
      'createSecret: stored the new key as AWSPENDING',
      'createSecret: the pending key already exists',
      'createSecret: stored the new standby key',
    ]);
    const current = await rig.current(arn);
    expect(current.document).toMatchObject({ kid: promoted.kid, k: hmacKey(promoted).k });
    expect(current.document.nextKid).toBe(standbyOf(second));
    expect((await rig.standbyVersion(arn))?.versionId).toBe(standbyOf(second));
  });

  it('a createSecret retried after both writes reuses the standby it wrote, and never brings back a discarded one', async () => {
    // GIVEN a rotation whose createSecret succeeded and whose testSecret fails every time
    rig.local.faults.inject({ operation: 'Invoke:testSecret', error: 'Error', times: Infinity });
    const token = await rig.rotate(arn);
    rig.local.faults.clear();
    const standby = await rig.valueOf(arn, standbyOf(token));
    const writes = (): number =>
      rig.local.calls.filter((call) => call.operation === 'PutSecretValue').length;
    const writesBefore = writes();

    // WHEN createSecret comes again
    await rig.handler({ Step: 'createSecret', SecretId: arn, ClientRequestToken: token });

    // THEN nothing was written: the pending key and the standby are those of the first attempt
    expect(writes()).toBe(writesBefore);
    expect(await rig.valueOf(arn, standbyOf(token))).toEqual(standby);
    expect((await rig.standbyVersion(arn))?.versionId).toBe(standbyOf(token));

    // WHEN the standby is discarded and createSecret comes once more
    await rig.handler({ action: 'discard-standby', secretId: arn });
    await rig.handler({ Step: 'createSecret', SecretId: arn, ClientRequestToken: token });

    // THEN the discarded standby stays without its label
    expect(writes()).toBe(writesBefore);
    expect((await rig.standbyVersion(arn))?.versionId).toBeUndefined();
  });

  it('discard-standby, then a rotation: the new current key is fresh, and a new standby is made', async () => {
    // GIVEN a rotation and its standby key
    const first = await rig.rotate(arn);
    const discarded = await rig.valueOf(arn, standbyOf(first));

    // WHEN the standby is discarded, then the secret rotates
    const result = await rig.handler({ action: 'discard-standby', secretId: arn });
    rig.now += 90 * DAY_MS;
    const second = await rig.rotate(arn);

    // THEN
    expect(result).toMatchObject({
      action: 'discard-standby',
      outcome: 'standby-discarded',
      versionId: standbyOf(first),
    });
    const current = await rig.current(arn);
    expect(current.document.kid).toBe(second);
    expect(hmacKey(current.document).k).not.toBe(hmacKey(discarded).k);
    expect(rig.local.versionStages(arn)[standbyOf(first)]).toBeUndefined();
    expect((await rig.standbyVersion(arn))?.versionId).toBe(standbyOf(second));
    expect(
      (await applicationKeys()).filter(
        (key) => hmacKey(key).k === hmacKey(discarded).k || key.kid === discarded.kid,
      ),
    ).toEqual([]);
    expect(await rig.handler({ action: 'discard-standby', secretId: arn })).toMatchObject({
      outcome: 'standby-discarded',
    });
    expect(await rig.handler({ action: 'discard-standby', secretId: arn })).toMatchObject({
      outcome: 'no-standby',
    });
  });

  it.each<[string, () => Promise<void>]>([
    [
      'of another algorithm than the configured one',
      async () => {
        await putStandby(
          generateKeyDocument({ alg: 'HS512', kid: 'hs512-standby', now: new Date(rig.now) }),
        );
      },
    ],
    [
      'whose value is not a key document',
      async () => {
        await putStandbyValue('not a key');
      },
    ],
    [
      'with the current key’s kid',
      async () => {
        const current = await rig.current(arn);
        await putStandby({
          ...hmacKey(current.document),
          k: Buffer.alloc(64, 9).toString('base64url'),
        });
      },
    ],
  ])('a standby key %s is not promoted: the new key is fresh', async (_case, prepare) => {
    // GIVEN
    await rig.rotate(arn);
    await prepare();
    // (by id: some of these values do not parse)
    const odd = versionWithStage(rig.local.versionStages(arn), STANDBY_STAGE)!;

    // WHEN
    rig.now += 90 * DAY_MS;
    const token = await rig.rotate(arn);

    // THEN
    expect(rig.local.rotationResults.at(-1)).toMatchObject({ token, outcome: 'succeeded' });
    expect((await rig.current(arn)).document.kid).toBe(token);
    expect((await rig.standbyVersion(arn))?.versionId).toBe(standbyOf(token));
    expect(rig.local.versionStages(arn)[odd]).toBeUndefined();
  });

  it('fails testSecret when the pending key names itself as the next key', async () => {
    // GIVEN rotation configured, and a pending value whose nextKid is its kid
    await rig.sm.send(
      new RotateSecretCommand({
        SecretId: arn,
        RotationLambdaARN: rig.functionArn,
        RotateImmediately: false,
      }),
    );
    await rig.local.rotationsSettled();
    const token = '88888888-8888-4888-8888-888888888888';
    const document = generateKeyDocument({ alg: 'HS256', kid: token, now: new Date(rig.now) });
    await rig.sm.send(
      new PutSecretValueCommand({
        SecretId: arn,
        ClientRequestToken: token,
        SecretString: JSON.stringify({ ...document, nextKid: token }),
        VersionStages: ['AWSPENDING'],
      }),
    );

    // WHEN / THEN
    await expect(
      rig.handler({ Step: 'testSecret', SecretId: arn, ClientRequestToken: token }),
    ).rejects.toMatchObject({ code: 'ERR_PENDING_KEY_INVALID' });
  });

  async function putStandby(document: KeyDocument): Promise<void> {
    await putStandbyValue(serializeKeyDocument(document));
  }

  async function putStandbyValue(value: string): Promise<void> {
    await rig.sm.send(
      new PutSecretValueCommand({
        SecretId: arn,
        ClientRequestToken: '99999999-9999-4999-8999-999999999999',
        SecretString: value,
        VersionStages: ['JWTKEY_NEXT'],
      }),
    );
  }
});
