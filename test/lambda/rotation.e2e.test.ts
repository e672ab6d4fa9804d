/**
 * The rotation function end to end: the real handler and SDK clients against the local Secrets
 * Manager and EventBridge, rotations started by RotateSecret and run by the local service the
 * way AWS runs them (value-less AWSPENDING version, four steps, retries of the whole rotation).
 */
import {
  CancelRotateSecretCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';

import { JwtKeyRing } from '../../client';
import { currentSinceStage, generateKeyDocument, serializeKeyDocument } from '../../key-document';
import { standbyVersionIdFor as standbyOf } from '../../lambda/rotation/standby';
import { KEY_RETIRED, KEY_ROTATED } from '../../rotation-events';
import {
  DAY_MS,
  everythingObservable,
  HOUR_MS,
  type RotationRig,
  startRotationRig,
} from '../support/rotation-rig';

const ROTATED = KEY_ROTATED;

describe('rotation function, end to end', () => {
  let rig: RotationRig;
  let arn: string;

  beforeEach(async () => {
    rig = await startRotationRig();
    arn = await rig.createKeySecret();
  });

  afterEach(async () => {
    await rig.close();
  });

  /** Secrets Manager configured for rotation, without rotating (RotateImmediately=false). */
  async function enableRotation(): Promise<void> {
    await rig.sm.send(
      new RotateSecretCommand({
        SecretId: arn,
        RotationLambdaARN: rig.functionArn,
        RotateImmediately: false,
      }),
    );
    await rig.local.rotationsSettled();
  }

  /** A pending key as createSecret makes it, at the rig's time. */
  async function putPending(token: string, previousKeyGraceSeconds?: number): Promise<void> {
    const document = generateKeyDocument({
      alg: 'HS256',
      kid: token,
      now: new Date(rig.now),
      ...(previousKeyGraceSeconds !== undefined && { previousKeyGraceSeconds }),
    });
    await rig.sm.send(
      new PutSecretValueCommand({
        SecretId: arn,
        ClientRequestToken: token,
        SecretString: serializeKeyDocument(document),
        VersionStages: ['AWSPENDING'],
      }),
    );
  }

  it('rotates three times: a new key and kid each time, stages moved, one event each with every field', async () => {
    const kids: string[] = [];
    let previousToken: string | undefined;
    for (let rotation = 1; rotation <= 3; rotation += 1) {
      // GIVEN the previous rotation's grace period is long over
      const before = await rig.current(arn);
      rig.now += 90 * DAY_MS;

      // WHEN
      const token = await rig.rotate(arn);

      // THEN AWSCURRENT is the new key (fresh the first time, then the standby the rotation
      // before made), AWSPREVIOUS the one before, a new standby, no AWSPENDING left
      const kid = previousToken === undefined ? token : standbyOf(previousToken);
      const after = await rig.current(arn);
      expect(after.versionId).toBe(token);
      expect(after.document).toMatchObject({
        kid,
        alg: 'HS256',
        previousKeyGraceSeconds: 86_400,
        previousKid: before.document.kid,
        nextKid: standbyOf(token),
      });
      expect(after.document.createdAt).toBe(new Date(rig.now).toISOString());
      expect(rig.local.versionStages(arn)).toEqual({
        [token]: ['AWSCURRENT'],
        [before.versionId]: ['AWSPREVIOUS'],
        [standbyOf(token)]: ['JWTKEY_NEXT'],
      });
      const event = rig.local.events.at(-1)!;
      expect(event).toMatchObject({
        source: 'rotating-jwt-keys',
        detailType: ROTATED,
        eventBusName: 'jwt-keys',
      });
      expect(event.detail).toEqual({
        secretArn: arn,
        algorithm: 'HS256',
        rotatedAt: new Date(rig.now).toISOString(),
        current: { versionId: token, kid },
        previous: { versionId: before.versionId, kid: before.document.kid },
        previousGraceEndsAt: new Date(rig.now + DAY_MS).toISOString(),
        droppedEarly: null,
        next: { versionId: standbyOf(token), kid: standbyOf(token) },
      });
      kids.push(after.document.kid);
      previousToken = token;
    }
    expect(new Set(kids).size).toBe(3);
    expect(rig.local.events.filter((event) => event.detailType === ROTATED)).toHaveLength(3);
    expect(rig.local.rotationFailures).toEqual([]);
  });

  it('names the previous key dropped early when a rotation comes inside its grace period', async () => {
    // GIVEN a rotation, then another an hour later
    const first = await rig.rotate(arn);
    const initial = 'initial';
    rig.now += HOUR_MS;
    await rig.rotate(arn);
    rig.now += HOUR_MS;

    // WHEN a third rotation comes while the first rotation's key is still in grace
    await rig.rotate(arn);

    // THEN the event names the first rotation's key, which loses AWSPREVIOUS early
    expect(rig.local.events[1]?.detail.droppedEarly).toEqual({
      versionId: expect.any(String),
      kid: initial,
    });
    expect(rig.local.events[2]?.detail.droppedEarly).toEqual({ versionId: first, kid: first });
  });

  describe('guards', () => {
    it('fails when rotation is not enabled on the secret', async () => {
      // GIVEN rotation configured, then turned off, with a pending version
      await enableRotation();
      await rig.sm.send(new CancelRotateSecretCommand({ SecretId: arn }));
      await putPending('11111111-1111-4111-8111-111111111111');

      // WHEN / THEN
      await expect(
        rig.handler({
          Step: 'createSecret',
          SecretId: arn,
          ClientRequestToken: '11111111-1111-4111-8111-111111111111',
        }),
      ).rejects.toMatchObject({ code: 'ERR_ROTATION_DISABLED' });
    });

    it('fails when the token is not a version of the secret', async () => {
      await enableRotation();
      await expect(
        rig.handler({
          Step: 'createSecret',
          SecretId: arn,
          ClientRequestToken: 'no-such-version-0000000000000000',
        }),
      ).rejects.toMatchObject({ code: 'ERR_UNKNOWN_VERSION' });
    });

    it('fails when the token is not AWSPENDING', async () => {
      // GIVEN the first key, now AWSPREVIOUS after a rotation
      const initialVersion = (await rig.current(arn)).versionId;
      await rig.rotate(arn);

      // WHEN / THEN
      await expect(
        rig.handler({ Step: 'createSecret', SecretId: arn, ClientRequestToken: initialVersion }),
      ).rejects.toMatchObject({ code: 'ERR_NOT_PENDING' });
    });

    it('succeeds without writing anything when the token is already AWSCURRENT', async () => {
      // GIVEN a finished rotation
      const token = await rig.rotate(arn);
      const stages = rig.local.versionStages(arn);
      const writesBefore = rig.local.calls.filter((call) =>
        /^(Put|Update)/.test(call.operation),
      ).length;

      // WHEN every step but finishSecret comes again
      for (const Step of ['createSecret', 'setSecret', 'testSecret']) {
        await rig.handler({ Step, SecretId: arn, ClientRequestToken: token });
      }

      // THEN
      expect(rig.local.versionStages(arn)).toEqual(stages);
      expect(rig.local.calls.filter((call) => /^(Put|Update)/.test(call.operation))).toHaveLength(
        writesBefore,
      );
    });

    it('fails when the step is unknown, writing nothing', async () => {
      // GIVEN
      await enableRotation();
      const token = '22222222-2222-4222-8222-222222222222';
      await putPending(token);
      const stages = rig.local.versionStages(arn);

      // WHEN / THEN
      await expect(
        rig.handler({ Step: 'deleteSecret', SecretId: arn, ClientRequestToken: token }),
      ).rejects.toMatchObject({ code: 'ERR_UNKNOWN_STEP' });
      expect(rig.local.versionStages(arn)).toEqual(stages);
    });

    it.each([
      [null],
      [{}],
      [{ Step: 'createSecret' }],
      [{ action: 'explode', secretId: 'x' }],
      [{ action: 'retire' }],
    ])('fails when the event is malformed (%j)', async (event) => {
      await expect(rig.handler(event)).rejects.toMatchObject({ code: 'ERR_BAD_EVENT' });
    });
  });

  describe('idempotent steps', () => {
    const token = '33333333-3333-4333-8333-333333333333';

    async function startRotationByHand(): Promise<void> {
      // What RotateSecret does before invoking the function: a value-less AWSPENDING version.
      await enableRotation();
      await putPending(token);
    }

    it('createSecret retried before finish leaves exactly one pending key, unchanged', async () => {
      // GIVEN a value-less pending version, as RotateSecret makes it
      await enableRotation();
      rig.local.faults.inject({
        operation: 'PutSecretValue',
        error: 'InternalServiceError',
        partial: true,
      });
      await rig.sm
        .send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: rig.functionArn }))
        .then(() => rig.local.rotationsSettled());

      // THEN the first createSecret's write landed though its response was lost; the retry kept
      // it and made the standby key: one new key, one standby
      const current = await rig.current(arn);
      expect((await rig.versionIds(arn)).length).toBe(3);
      expect(
        rig.local.rotationLog
          .filter((entry) => entry.step === 'createSecret')
          .map((entry) => entry.outcome),
      ).toEqual(['failed', 'succeeded']);
      expect(current.document.kid).toBe(current.versionId);
    });

    it.each(['createSecret', 'setSecret', 'testSecret'])(
      '%s run twice changes nothing the second time',
      async (step) => {
        // GIVEN
        await startRotationByHand();
        await rig.handler({ Step: 'createSecret', SecretId: arn, ClientRequestToken: token });
        const pendingBefore = await rig.sm.send(
          new (await import('@aws-sdk/client-secrets-manager')).GetSecretValueCommand({
            SecretId: arn,
            VersionId: token,
          }),
        );

        // WHEN
        await rig.handler({ Step: step, SecretId: arn, ClientRequestToken: token });
        await rig.handler({ Step: step, SecretId: arn, ClientRequestToken: token });

        // THEN
        const pendingAfter = await rig.sm.send(
          new (await import('@aws-sdk/client-secrets-manager')).GetSecretValueCommand({
            SecretId: arn,
            VersionId: token,
          }),
        );
        expect(pendingAfter.SecretString).toBe(pendingBefore.SecretString);
        expect(rig.local.versionStages(arn)[token]).toEqual(['AWSPENDING']);
      },
    );

    it('finishSecret run twice moves AWSCURRENT once and publishes again (at least once)', async () => {
      // GIVEN
      await startRotationByHand();
      const previous = (await rig.current(arn)).versionId;

      // WHEN
      await rig.handler({ Step: 'finishSecret', SecretId: arn, ClientRequestToken: token });
      await rig.handler({ Step: 'finishSecret', SecretId: arn, ClientRequestToken: token });

      // THEN
      expect(rig.local.versionStages(arn)).toEqual({
        [token]: ['AWSCURRENT'],
        [previous]: ['AWSPREVIOUS'],
      });
      const rotated = rig.local.events.filter((event) => event.detailType === ROTATED);
      expect(rotated).toHaveLength(2);
      expect(rotated[1]!.detail).toMatchObject({
        current: { versionId: token },
        previous: { versionId: previous },
      });
    });

    it('testSecret passes and writes nothing when the pending version has no value (RotateImmediately=false)', async () => {
      // WHEN
      await enableRotation();

      // THEN
      expect(rig.local.rotationResults).toEqual([
        expect.objectContaining({ mode: 'test-configuration', outcome: 'succeeded' }),
      ]);
      expect(rig.local.calls.filter((call) => call.operation === 'PutSecretValue')).toEqual([]);
      expect((await rig.versionIds(arn)).length).toBe(1);
    });

    it('fails testSecret when the pending value is not a valid key', async () => {
      // GIVEN a pending value someone wrote by hand: a short key
      await enableRotation();
      const short = {
        kty: 'oct',
        alg: 'HS256',
        use: 'sig',
        kid: token,
        k: Buffer.alloc(16, 1).toString('base64url'),
      };
      await rig.sm.send(
        new PutSecretValueCommand({
          SecretId: arn,
          ClientRequestToken: token,
          SecretString: JSON.stringify(short),
          VersionStages: ['AWSPENDING'],
        }),
      );

      // WHEN / THEN
      await expect(
        rig.handler({ Step: 'testSecret', SecretId: arn, ClientRequestToken: token }),
      ).rejects.toMatchObject({ code: 'ERR_PENDING_KEY_INVALID' });
    });
  });

  describe('faults, then the service retry', () => {
    /** Records, after every step invocation, whether AWSCURRENT held a valid key. */
    async function rotateWatchingCurrent(): Promise<{
      token: string;
      currentAlwaysValid: boolean;
    }> {
      let currentAlwaysValid = true;
      const watched = rig.local.registerFunction('watched-rotation', async (event) => {
        try {
          return await rig.handler(event);
        } finally {
          try {
            // rig.current parses AWSCURRENT as a key document: it throws if it is not one.
            await rig.current(arn);
          } catch {
            currentAlwaysValid = false;
          }
        }
      });
      const started = await rig.sm.send(
        new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: watched }),
      );
      await rig.local.rotationsSettled();
      return { token: started.VersionId!, currentAlwaysValid };
    }

    it.each([
      ['a step throws midway (testSecret)', { operation: 'Invoke:testSecret', error: 'Error' }],
      [
        'finishSecret times out after its work',
        { operation: 'Invoke:finishSecret', error: 'Sandbox.Timedout', partial: true },
      ],
      ['PutEvents fails', { operation: 'PutEvents', error: 'InternalException' }],
      ['PutEvents fails partially', { operation: 'PutEvents', partial: true }],
      [
        'GetSecretValue is throttled',
        { operation: 'GetSecretValue', error: 'ThrottlingException' },
      ],
      [
        'UpdateSecretVersionStage is denied',
        { operation: 'UpdateSecretVersionStage', error: 'AccessDeniedException' },
      ],
      [
        'PutSecretValue is lost after writing',
        { operation: 'PutSecretValue', error: 'InternalServiceError', partial: true },
      ],
    ])(
      '%s: one new current version and one standby, AWSCURRENT valid throughout, an event for the rotation',
      async (_name, fault) => {
        // GIVEN
        rig.local.faults.inject(fault);

        // WHEN
        const { token, currentAlwaysValid } = await rotateWatchingCurrent();

        // THEN
        expect(currentAlwaysValid).toBe(true);
        expect(rig.local.rotationResults.at(-1)).toMatchObject({ outcome: 'succeeded' });
        expect(rig.local.rotationLog.some((entry) => entry.outcome === 'failed')).toBe(true);
        expect((await rig.versionIds(arn)).length).toBe(3);
        expect(rig.local.versionStages(arn)[token]).toEqual(['AWSCURRENT']);
        expect(rig.local.versionStages(arn)[standbyOf(token)]).toEqual(['JWTKEY_NEXT']);
        const rotated = rig.local.events.filter((event) => event.detailType === ROTATED);
        expect(rotated.length).toBeGreaterThanOrEqual(1);
        expect(
          rotated.every(
            (event) => (event.detail.current as { versionId: string }).versionId === token,
          ),
        ).toBe(true);
      },
    );

    it('leaves AWSPENDING behind when every attempt fails, publishes nothing, and repair clears it', async () => {
      // GIVEN testSecret fails on every attempt
      rig.local.faults.inject({ operation: 'Invoke:testSecret', error: 'Error', times: Infinity });
      const initial = (await rig.current(arn)).versionId;
      const { token, currentAlwaysValid } = await rotateWatchingCurrent();
      expect(currentAlwaysValid).toBe(true);
      expect(rig.local.rotationFailures).toHaveLength(1);
      expect(rig.local.events).toEqual([]);
      expect(rig.local.versionStages(arn)).toEqual({
        [initial]: ['AWSCURRENT'],
        [token]: ['AWSPENDING'],
        [standbyOf(token)]: ['JWTKEY_NEXT'],
      });

      // WHEN
      const result = await rig.handler({ action: 'repair', secretId: arn });

      // THEN
      expect(result).toMatchObject({ outcome: 'repaired', versionId: token });
      expect(rig.local.versionStages(arn)).toEqual({
        [initial]: ['AWSCURRENT'],
        [standbyOf(token)]: ['JWTKEY_NEXT'],
      });
      expect(await rig.handler({ action: 'repair', secretId: arn })).toMatchObject({
        outcome: 'nothing-to-repair',
      });
      rig.local.faults.clear();
      const next = await rig.rotate(arn);
      expect(rig.local.versionStages(arn)[next]).toEqual(['AWSCURRENT']);
    });
  });

  describe('a rotation finished late', () => {
    const DAY_S = DAY_MS / 1000;

    /** Each version's labels in alphabetical order: the service promises no order. */
    function sortedStages(): Record<string, string[]> {
      return Object.fromEntries(
        Object.entries(rig.local.versionStages(arn)).map(([id, stages]) => [
          id,
          [...stages].sort(),
        ]),
      );
    }

    function ring(): JwtKeyRing {
      return new JwtKeyRing({ secretId: arn, client: rig.sm, clock: rig.clock });
    }

    it("reattempted days after it failed: the previous key's grace counts from the promotion", async () => {
      // GIVEN a first rotation, and a token its key signs 90 days later
      const first = await rig.rotate(arn);
      rig.now += 90 * DAY_MS;
      const issued = await ring().sign({ sub: 'user' }, { expiresIn: 10 * DAY_S });

      // AND the next rotation fails on every attempt, leaving its new key AWSPENDING
      rig.local.faults.inject({ operation: 'Invoke:testSecret', error: 'Error', times: Infinity });
      const stalled = await rig.rotate(arn);
      expect(rig.local.versionStages(arn)[stalled]).toEqual(['AWSPENDING']);
      rig.local.faults.clear();

      // WHEN, three days later, RotateSecret refuses and the service reattempts that rotation
      rig.now += 3 * DAY_MS;
      const promotedAt = rig.now;
      await expect(rig.sm.send(new RotateSecretCommand({ SecretId: arn }))).rejects.toMatchObject({
        name: 'InvalidRequestException',
      });
      await rig.local.rotationsSettled();

      // THEN the key made three days ago is current, labelled with the moment of its promotion
      expect(sortedStages()).toEqual({
        [stalled]: ['AWSCURRENT', currentSinceStage(promotedAt)],
        [first]: ['AWSPREVIOUS'],
        [standbyOf(stalled)]: ['JWTKEY_NEXT'],
      });
      const graceEndsAt = new Date(promotedAt + DAY_MS).toISOString();
      expect(rig.local.events.at(-1)).toMatchObject({
        detailType: ROTATED,
        detail: { current: { versionId: stalled }, previousGraceEndsAt: graceEndsAt },
      });

      // AND the previous key verifies for the whole grace period from then, and not after
      rig.now = promotedAt + DAY_MS - 1000;
      await expect(ring().verify(issued)).resolves.toMatchObject({ stage: 'AWSPREVIOUS' });
      expect(await rig.handler({ action: 'retire', secretId: arn })).toMatchObject({
        outcome: 'grace-not-ended',
        graceEndsAt,
      });
      rig.now += 1000;
      await expect(ring().verify(issued)).rejects.toMatchObject({
        code: 'ERR_JWT_PREVIOUS_KEY_EXPIRED',
      });
      expect(await rig.handler({ action: 'retire', secretId: arn })).toMatchObject({
        outcome: 'retired',
        graceEndsAt,
      });

      // AND the next rotation, on time, leaves no promotion label behind
      rig.now += 90 * DAY_MS;
      const next = await rig.rotate(arn);
      expect(sortedStages()).toEqual({
        [next]: ['AWSCURRENT'],
        [stalled]: ['AWSPREVIOUS'],
        [standbyOf(next)]: ['JWTKEY_NEXT'],
      });
      expect(rig.local.events.at(-1)?.detail.previousGraceEndsAt).toBe(
        new Date(rig.now + DAY_MS).toISOString(),
      );
    });

    /** Rotation enabled and a pending key with a day's grace; returns the current version. */
    async function pendingKeyFromCreateSecret(token: string): Promise<string> {
      await enableRotation();
      await putPending(token, DAY_S);
      return (await rig.current(arn)).versionId;
    }

    it('a retried finishSecret keeps the label of the promotion and states the same grace end', async () => {
      // GIVEN a pending key promoted two hours after it was made
      const token = '44444444-4444-4444-8444-444444444444';
      const previous = await pendingKeyFromCreateSecret(token);
      rig.now += 2 * HOUR_MS;
      const promotedAt = rig.now;
      await rig.handler({ Step: 'finishSecret', SecretId: arn, ClientRequestToken: token });

      // WHEN finishSecret runs again an hour later
      rig.now += HOUR_MS;
      await rig.handler({ Step: 'finishSecret', SecretId: arn, ClientRequestToken: token });

      // THEN the first promotion's label stays, alone, and both events state its grace end
      expect(sortedStages()).toEqual({
        [token]: ['AWSCURRENT', currentSinceStage(promotedAt)],
        [previous]: ['AWSPREVIOUS'],
      });
      const rotated = rig.local.events.filter((event) => event.detailType === ROTATED);
      expect(rotated.map((event) => event.detail.previousGraceEndsAt)).toEqual([
        new Date(promotedAt + DAY_MS).toISOString(),
        new Date(promotedAt + DAY_MS).toISOString(),
      ]);
    });

    it('replaces the label an attempt left before its move failed', async () => {
      // GIVEN a pending key labelled by an attempt an hour after it was made, never moved
      const token = '55555555-5555-4555-8555-555555555555';
      const previous = await pendingKeyFromCreateSecret(token);
      const abandoned = currentSinceStage(rig.now + HOUR_MS);
      await rig.sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: arn,
          VersionStage: abandoned,
          MoveToVersionId: token,
        }),
      );

      // WHEN finishSecret succeeds a day later
      rig.now += DAY_MS;
      await rig.handler({ Step: 'finishSecret', SecretId: arn, ClientRequestToken: token });

      // THEN only the label of the promotion that happened remains
      expect(sortedStages()).toEqual({
        [token]: ['AWSCURRENT', currentSinceStage(rig.now)],
        [previous]: ['AWSPREVIOUS'],
      });
    });

    it('labels nothing when the key is promoted within a minute of being made', async () => {
      // GIVEN
      const token = '66666666-6666-4666-8666-666666666666';
      const previous = await pendingKeyFromCreateSecret(token);

      // WHEN
      rig.now += 60_000;
      await rig.handler({ Step: 'finishSecret', SecretId: arn, ClientRequestToken: token });

      // THEN
      expect(sortedStages()).toEqual({
        [token]: ['AWSCURRENT'],
        [previous]: ['AWSPREVIOUS'],
      });
    });
  });

  describe('retirement', () => {
    it('keeps the previous key until its grace ends, then removes AWSPREVIOUS and publishes "key retired"', async () => {
      // GIVEN a rotation
      const initial = (await rig.current(arn)).versionId;
      const token = await rig.rotate(arn);

      // WHEN retire runs one second before the grace ends
      rig.now += DAY_MS - 1000;
      const early = await rig.handler({ action: 'retire', secretId: arn });

      // THEN nothing changes
      expect(early).toMatchObject({
        outcome: 'grace-not-ended',
        graceEndsAt: new Date(rig.now + 1000).toISOString(),
      });
      expect(rig.local.versionStages(arn)[initial]).toEqual(['AWSPREVIOUS']);

      // WHEN retire runs at the grace end
      rig.now += 1000;
      const retired = await rig.handler({ action: 'retire', secretId: arn });

      // THEN
      expect(retired).toMatchObject({
        outcome: 'retired',
        retired: { versionId: initial, kid: 'initial' },
      });
      expect(rig.local.versionStages(arn)).toEqual({
        [token]: ['AWSCURRENT'],
        [standbyOf(token)]: ['JWTKEY_NEXT'],
      });
      expect(rig.local.events.at(-1)).toMatchObject({
        detailType: KEY_RETIRED,
        detail: {
          secretArn: arn,
          algorithm: 'HS256',
          retiredAt: new Date(rig.now).toISOString(),
          reason: 'grace-period-ended',
          retired: { versionId: initial, kid: 'initial' },
          current: { versionId: token, kid: token },
          graceEndsAt: new Date(rig.now).toISOString(),
        },
      });
      expect(await rig.handler({ action: 'retire', secretId: arn })).toMatchObject({
        outcome: 'nothing-to-retire',
      });
    });

    it('revoke-previous retires the previous key at once, inside its grace period', async () => {
      // GIVEN
      const initial = await rig.current(arn);
      await rig.rotate(arn);

      // WHEN
      const result = await rig.handler({
        action: 'revoke-previous',
        secretId: arn,
        kid: initial.document.kid,
      });

      // THEN
      expect(result).toMatchObject({
        outcome: 'retired',
        retired: { versionId: initial.versionId },
      });
      expect(rig.local.versionStages(arn)[initial.versionId]).toBeUndefined();
      expect(rig.local.events.at(-1)).toMatchObject({
        detailType: KEY_RETIRED,
        detail: { reason: 'revoked' },
      });
    });

    it('revoke-previous removes nothing when the named key does not hold AWSPREVIOUS', async () => {
      // GIVEN a previous key in its grace, and a revoke naming the current key (a call made
      // before the rotation away from the leaked key) or a key long gone
      const initial = await rig.current(arn);
      await rig.rotate(arn);
      const current = await rig.current(arn);
      const eventsBefore = rig.local.events.length;

      for (const kid of [current.document.kid, 'no-such-kid']) {
        // WHEN
        const result = await rig.handler({ action: 'revoke-previous', secretId: arn, kid });

        // THEN
        expect(result).toMatchObject({ outcome: 'not-previous' });
        expect(rig.local.versionStages(arn)[initial.versionId]).toEqual(['AWSPREVIOUS']);
      }
      expect(rig.local.events).toHaveLength(eventsBefore);
    });

    it('fails when revoke-previous names no kid', async () => {
      await rig.rotate(arn);
      await expect(rig.handler({ action: 'revoke-previous', secretId: arn })).rejects.toMatchObject(
        { code: 'ERR_BAD_EVENT' },
      );
    });

    it('fails when PutEvents fails after the label was removed, and the next retire finds nothing left', async () => {
      // GIVEN
      await rig.rotate(arn);
      rig.now += 2 * DAY_MS;
      rig.local.faults.inject({ operation: 'PutEvents', partial: true });

      // WHEN / THEN
      await expect(rig.handler({ action: 'retire', secretId: arn })).rejects.toMatchObject({
        code: 'ERR_EVENT_PUBLISH_FAILED',
      });
      expect(await rig.handler({ action: 'retire', secretId: arn })).toMatchObject({
        outcome: 'nothing-to-retire',
      });
    });
  });

  it('lets no key material out: logs, events, errors, rotation records', async () => {
    // GIVEN rotations (fresh keys, promoted standby keys), a failure, a retirement, a standby
    // discarded, a revoke, and a createSecret retried between its two writes
    await rig.rotate(arn);
    rig.local.faults.inject({ operation: 'PutEvents', partial: true });
    rig.now += 2 * DAY_MS;
    await rig.rotate(arn);
    rig.now += 2 * DAY_MS;
    await rig.handler({ action: 'retire', secretId: arn });
    await rig.handler({ action: 'discard-standby', secretId: arn });
    const leaked = await rig.current(arn);
    rig.local.faults.inject({
      operation: 'PutSecretValue',
      error: 'AccessDeniedException',
      when: (input) => (input.VersionStages as string[]).includes('JWTKEY_NEXT'),
    });
    await rig.rotate(arn);
    await rig.handler({ action: 'revoke-previous', secretId: arn, kid: leaked.document.kid });
    rig.now += 2 * DAY_MS;
    await rig.rotate(arn);
    await expect(
      rig.handler({ Step: 'createSecret', SecretId: arn, ClientRequestToken: 'x'.repeat(32) }),
    ).rejects.toThrow();

    // WHEN everything the function let out is gathered
    const observable = everythingObservable(rig);
    const material = await rig.allKeyMaterial(arn);

    // THEN (9 versions: the first key, 4 rotations' keys and 4 standby keys; 3 encodings each)
    expect(material.length).toBeGreaterThanOrEqual(27);
    expect(rig.logs.length).toBeGreaterThan(20);
    for (const secret of material) expect(observable).not.toContain(secret);
  });
});
