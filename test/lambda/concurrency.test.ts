/**
 * Concurrency: the same step delivered twice at once, and a rotation racing a retire. The
 * interleavings are forced, not hoped for: the function's writes are held at a chosen moment
 * until the other invocation has decided too, so each test runs the race it names every time.
 */
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';

import { type SecretsStore } from '../../lambda/rotation/secrets-store';
import { standbyVersionIdFor } from '../../lambda/rotation/standby';
import { KEY_RETIRED, KEY_ROTATED } from '../../rotation-events';
import { hmacKey } from '../support/key-documents';
import { HOUR_MS, type RotationRig, startRotationRig } from '../support/rotation-rig';

interface PendingWrite {
  readonly kind: 'put' | 'update-stage';
  /** The label the write puts, moves or removes (for a put: the first of its labels). */
  readonly stage?: string;
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Resolves for everyone once `count` callers have arrived. */
function barrier(count: number): () => Promise<void> {
  const all = deferred();
  let arrived = 0;
  return () => {
    arrived += 1;
    if (arrived === count) all.resolve();
    return all.promise;
  };
}

describe('concurrency', () => {
  let rig: RotationRig;
  let arn: string;
  let initial: string;
  /** Called before each write the function makes; tests hold writes here. */
  let beforeWrite: (write: PendingWrite) => Promise<void>;

  beforeEach(async () => {
    beforeWrite = () => Promise.resolve();
    rig = await startRotationRig(
      { gracePeriodSeconds: 3600 },
      {
        wrapSecrets: (store): SecretsStore => ({
          describe: (secretId) => store.describe(secretId),
          getValue: (secretId, select) => store.getValue(secretId, select),
          async putValue(secretId, versionId, value, stages) {
            await beforeWrite({ kind: 'put', stage: stages[0] });
            return store.putValue(secretId, versionId, value, stages);
          },
          async updateStage(secretId, stage, change) {
            await beforeWrite({ kind: 'update-stage', stage });
            return store.updateStage(secretId, stage, change);
          },
        }),
      },
    );
    arn = await rig.createKeySecret();
    initial = (await rig.current(arn)).versionId;
  });

  afterEach(async () => {
    await rig.close();
  });

  function eventsOf(detailType: string): Record<string, unknown>[] {
    return rig.local.events
      .filter((event) => event.detailType === detailType)
      .map((event) => event.detail);
  }

  it.each([
    ['a fresh key (no standby yet)', 0],
    ['the standby key promoted', 1],
  ])(
    'every step delivered twice at once, %s: both deliveries succeed, one new key, stages right',
    async (_case, rotationsBefore) => {
      // GIVEN the rotations before (the first one leaves a standby key)
      let previous = initial;
      for (let rotation = 0; rotation < rotationsBefore; rotation += 1) {
        previous = await rig.rotate(arn);
      }
      const promoted = (await rig.standbyVersion(arn))?.document;

      // AND a function that runs each step twice concurrently, both deliveries holding each
      // write until the other has decided to make it too
      const bothDecidedToPut = barrier(2);
      const bothDecidedToPutStandby = barrier(2);
      const bothDecidedToMove = barrier(2);
      beforeWrite = (write) => {
        if (write.kind === 'put' && write.stage === 'AWSPENDING') return bothDecidedToPut();
        if (write.kind === 'put' && write.stage === 'JWTKEY_NEXT') {
          return bothDecidedToPutStandby();
        }
        if (write.stage === 'AWSCURRENT') return bothDecidedToMove();
        return Promise.resolve();
      };
      const twice = rig.local.registerFunction('twice', async (event) => {
        await Promise.all([rig.handler(event), rig.handler(event)]);
      });

      // WHEN
      const token = await rig.rotate(arn, twice);

      // THEN the rotation succeeded at its first attempt: no delivery failed
      expect(rig.local.rotationResults.at(-1)).toEqual(
        expect.objectContaining({ token, outcome: 'succeeded', attempts: 1 }),
      );
      expect(rig.errors).toEqual([]);
      // AND the races happened (pending key, standby key, move), the losers adopting the
      // winners' writes. Two promotions of the same standby at the same moment write the same
      // value, which the service accepts twice: there is nothing to adopt then.
      const standby = standbyVersionIdFor(token);
      const adopted = rig.logs
        .filter((line) => line.message.endsWith('already done by a concurrent invocation'))
        .map((line) => `${line.message.split(':')[0]} ${String(line.fields.versionId)}`);
      expect(adopted).toEqual(
        expect.arrayContaining([
          ...(promoted === undefined ? [`createSecret ${token}`] : []),
          `createSecret ${standby}`,
          `finishSecret ${token}`,
        ]),
      );
      // AND one new key, current (the standby's key when there was one), the old key previous,
      // one new standby
      const current = await rig.current(arn);
      expect(current.versionId).toBe(token);
      if (promoted === undefined) {
        expect(current.document.kid).toBe(token);
      } else {
        expect(current.document).toMatchObject({ kid: promoted.kid, k: hmacKey(promoted).k });
      }
      expect(current.document.nextKid).toBe(standby);
      expect(rig.local.versionStages(arn)).toEqual({
        [previous]: ['AWSPREVIOUS'],
        [token]: ['AWSCURRENT'],
        [standby]: ['JWTKEY_NEXT'],
      });
      // AND each "key rotated" event (at least once) names this rotation
      const rotated = eventsOf(KEY_ROTATED).slice(rotationsBefore);
      expect(rotated.length).toBeGreaterThanOrEqual(1);
      for (const detail of rotated) {
        expect(detail).toMatchObject({
          current: { versionId: token, kid: current.document.kid },
          previous: { versionId: previous },
          next: { versionId: standby, kid: standby },
        });
      }
    },
  );

  describe('a rotation racing a retire', () => {
    let firstRotation: string;

    beforeEach(async () => {
      // GIVEN a rotation, and the previous key's grace period over
      firstRotation = await rig.rotate(arn);
      rig.now += 2 * HOUR_MS;
    });

    it('a retire that decided before the rotation removes nothing: the key just demoted keeps its grace', async () => {
      // GIVEN the retire holds its removal of AWSPREVIOUS until the rotation has finished
      const retireDecided = deferred();
      const rotationDone = deferred();
      beforeWrite = (write) => {
        if (write.stage !== 'AWSPREVIOUS') return Promise.resolve();
        retireDecided.resolve();
        return rotationDone.promise;
      };
      const retiring = rig.handler({ action: 'retire', secretId: arn });
      await retireDecided.promise;

      // WHEN the rotation runs to its end, then the retire goes on
      const secondRotation = await rig.rotate(arn);
      rotationDone.resolve();
      const result = await retiring;

      // THEN the retire was superseded: the key the rotation demoted is still AWSPREVIOUS
      expect(result).toMatchObject({ action: 'retire', outcome: 'superseded' });
      expect(rig.local.versionStages(arn)).toEqual({
        [secondRotation]: ['AWSCURRENT'],
        [firstRotation]: ['AWSPREVIOUS'],
        [standbyVersionIdFor(secondRotation)]: ['JWTKEY_NEXT'],
      });
      expect(eventsOf(KEY_RETIRED)).toEqual([]);
      expect(eventsOf(KEY_ROTATED).at(-1)).toMatchObject({
        current: { versionId: secondRotation },
        previous: { versionId: firstRotation },
      });
    });

    it('a retire that runs while finishSecret holds its move retires the old key; the move then completes', async () => {
      // GIVEN finishSecret holds its move of AWSCURRENT until the retire has finished
      const finishDecided = deferred();
      const retireDone = deferred();
      beforeWrite = (write) => {
        if (write.stage !== 'AWSCURRENT') return Promise.resolve();
        finishDecided.resolve();
        return retireDone.promise;
      };
      const started = await rig.sm.send(
        new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: rig.functionArn }),
      );
      await finishDecided.promise;

      // WHEN the retire runs to its end, then finishSecret goes on
      beforeWrite = () => Promise.resolve();
      const result = await rig.handler({ action: 'retire', secretId: arn });
      retireDone.resolve();
      await rig.local.rotationsSettled();
      const secondRotation = started.VersionId!;

      // THEN the retire removed the oldest key, and the rotation finished at its first attempt
      expect(result).toMatchObject({ outcome: 'retired', retired: { versionId: initial } });
      expect(rig.local.rotationResults.at(-1)).toMatchObject({
        token: secondRotation,
        outcome: 'succeeded',
        attempts: 1,
      });
      expect(rig.local.versionStages(arn)).toEqual({
        [secondRotation]: ['AWSCURRENT'],
        [firstRotation]: ['AWSPREVIOUS'],
        [standbyVersionIdFor(secondRotation)]: ['JWTKEY_NEXT'],
      });
      expect(eventsOf(KEY_RETIRED)).toEqual([
        expect.objectContaining({ retired: expect.objectContaining({ versionId: initial }) }),
      ]);
    });
  });
});
