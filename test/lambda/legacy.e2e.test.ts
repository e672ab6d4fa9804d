/**
 * The rotation function and a legacy key (an imported static secret): the rotation that
 * replaces it grants it the longer of its own grace and the configured one; a legacy key is
 * never promoted from the standby label nor accepted as the pending key, since it never signs.
 */
import { PutSecretValueCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';

import {
  isLegacyKeyDocument,
  makeLegacyKeyDocument,
  serializeKeyDocument,
} from '../../key-document';
import { type RotationRig, startRotationRig } from '../support/rotation-rig';

const LEGACY_VERSION = '11111111-2222-8333-9444-555555555555';
const PENDING_VERSION = '66666666-7777-8888-9999-000000000000';

function legacyValue(rig: RotationRig, graceSeconds: number, kid = LEGACY_VERSION): string {
  return serializeKeyDocument(
    makeLegacyKeyDocument({
      alg: 'HS256',
      kid,
      key: Buffer.from('shh'),
      now: new Date(rig.now),
      legacy: { graceSeconds, tokensWithoutExp: 'refuse' },
    }),
  );
}

describe('rotation with a legacy key', () => {
  let rig: RotationRig;
  let arn: string;

  beforeEach(async () => {
    rig = await startRotationRig({ gracePeriodSeconds: 86_400 });
    arn = await rig.createKeySecret();
  });

  afterEach(async () => {
    await rig.close();
  });

  async function putLegacy(graceSeconds: number, stages: string[]): Promise<void> {
    await rig.sm.send(
      new PutSecretValueCommand({
        SecretId: arn,
        ClientRequestToken: LEGACY_VERSION,
        SecretString: legacyValue(rig, graceSeconds),
        VersionStages: stages,
      }),
    );
  }

  it.each([
    ['its own grace, when longer than the configured one', 200_000, 200_000],
    ['the configured grace, when longer than its own', 600, 86_400],
  ])('the key replacing a legacy AWSCURRENT grants %s', async (_name, legacyGrace, granted) => {
    // GIVEN the legacy key is AWSCURRENT (as import writes it)
    await putLegacy(legacyGrace, ['AWSCURRENT']);

    // WHEN
    await rig.rotate(arn);

    // THEN
    const { document } = await rig.current(arn);
    expect(isLegacyKeyDocument(document)).toBe(false);
    expect(document).toMatchObject({
      previousKid: LEGACY_VERSION,
      previousKeyGraceSeconds: granted,
    });
    expect(rig.local.versionStages(arn)[LEGACY_VERSION]).toEqual(['AWSPREVIOUS']);
    expect(rig.local.events.at(-1)?.detail).toMatchObject({
      previous: { kid: LEGACY_VERSION },
      previousGraceEndsAt: new Date(rig.now + granted * 1000).toISOString(),
    });
  });

  it('never promotes a legacy key under the standby label: a fresh key is made instead', async () => {
    // GIVEN a legacy document where the standby belongs
    await putLegacy(600, ['JWTKEY_NEXT']);

    // WHEN
    await rig.rotate(arn);

    // THEN
    const { versionId, document } = await rig.current(arn);
    expect(document.kid).toBe(versionId);
    expect(isLegacyKeyDocument(document)).toBe(false);
    expect(rig.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({ reason: 'a legacy key, which never signs' }),
      }),
    );
  });

  it('fails testSecret when the pending key is a legacy key', async () => {
    // GIVEN rotation configured, and a legacy document as AWSPENDING
    await rig.sm.send(
      new RotateSecretCommand({
        SecretId: arn,
        RotationLambdaARN: rig.functionArn,
        RotationRules: { AutomaticallyAfterDays: 30 },
        RotateImmediately: false,
      }),
    );
    await rig.local.rotationsSettled();
    await rig.sm.send(
      new PutSecretValueCommand({
        SecretId: arn,
        ClientRequestToken: PENDING_VERSION,
        SecretString: legacyValue(rig, 600, PENDING_VERSION),
        VersionStages: ['AWSPENDING'],
      }),
    );

    // WHEN / THEN
    await expect(
      rig.handler({ Step: 'testSecret', SecretId: arn, ClientRequestToken: PENDING_VERSION }),
    ).rejects.toMatchObject({
      code: 'ERR_PENDING_KEY_INVALID',
      message: expect.stringContaining('is a legacy key, which never signs'),
    });
  });
});
