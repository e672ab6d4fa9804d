/**
 * Concurrency: the same step delivered twice at once, and a rotation racing a retire. The
 * interleavings are forced, not hoped for: the function's writes are held at a chosen moment
 * until the other invocation has decided too, so each test runs the race it names every time.
 */
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager';

import { type SecretsStore } from '../../lambda/rotation/secrets-store';
import { KEY_RETIRED, KEY_ROTATED } from '../../rotation-events';

import { HOUR_MS, type RotationRig, startRotationRig } from './support';

interface PendingWrite {
  readonly kind: 'put-pending' | 'update-stage';
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
          async putPendingValue(secretId, versionId, value) {
            await beforeWrite({ kind: 'put-pending' });
            return store.putPendingValue(secretId, versionId, value);
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

  it('every step delivered twice at once: both deliveries succeed, one new key, stages right', async () => {
    // GIVEN a function that runs each step twice concurrently, both deliveries holding their
    // write until the other has decided to write too
    const bothDecidedToPut = barrier(2);
    const bothDecidedToMove = barrier(2);
    beforeWrite = (write) => {
      if (write.kind === 'put-pending') return bothDecidedToPut();
      if (write.stage === 'AWSCURRENT') return bothDecidedToMove();
      return Promise.resolve();
    };
    const twice = rig.local.registerFunction('twice', async (event) => {
      await Promise.all([rig.handler(event), rig.handler(event)]);
    });

    // WHEN
    const token = await rig.rotate(arn, twice);

    // THEN the rotation succeeded at its first attempt: no delivery failed
    expect(rig.local.rotationResults).toEqual([
      expect.objectContaining({ token, outcome: 'succeeded', attempts: 1 }),
    ]);
    expect(rig.errors).toEqual([]);
    // AND the races happened, and the losers adopted the winners' writes
    const adopted = rig.logs
      .filter((line) => line.message.endsWith('already done by a concurrent invocation'))
      .map((line) => line.message.split(':')[0]);
    expect(adopted).toEqual(expect.arrayContaining(['createSecret', 'finishSecret']));
    // AND one new key, current, its kid the token; the old key previous
    const current = await rig.current(arn);
    expect(current).toMatchObject({ versionId: token, document: { kid: token } });
    expect(rig.local.versionStages(arn)).toEqual({
      [initial]: ['AWSPREVIOUS'],
      [token]: ['AWSCURRENT'],
    });
    // AND each "key rotated" event (at least once) names this rotation
    const rotated = eventsOf(KEY_ROTATED);
    expect(rotated.length).toBeGreaterThanOrEqual(1);
    for (const detail of rotated) {
      expect(detail).toMatchObject({
        current: { versionId: token },
        previous: { versionId: initial },
      });
    }
  });

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
      });
      expect(eventsOf(KEY_RETIRED)).toEqual([
        expect.objectContaining({ retired: expect.objectContaining({ versionId: initial }) }),
      ]);
    });
  });
});
