/**
 * The published key set end to end: the real handler, with the real S3 and CloudFront SDK
 * clients, against the local endpoint's Secrets Manager, S3 and CloudFront, for each asymmetric
 * algorithm. After every step the stored JWKS holds exactly the keys the secret's labels say
 * (AWSCURRENT, AWSPENDING, JWTKEY_NEXT, AWSPREVIOUS in its grace); the pending key is published
 * before it signs; every key that leaves is invalidated in CloudFront, once, on both paths, and
 * before its label goes; a failed write fails the step and the service's retry repairs it.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
} from '@aws-sdk/client-secrets-manager';

import {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  FIRST_KEY_RESOURCE_TYPE,
  type FirstKeyResourceProperties,
  KEY_SET_PATHS,
  type MaintenanceEvent,
  STANDBY_STAGE,
} from '../../contract';
import {
  ASYMMETRIC_ALGORITHMS,
  generateKeyDocument,
  parseKeyDocument,
  PRIVATE_MEMBERS,
  serializeKeyDocument,
} from '../../key-document';
import { type FaultSpec } from '../../local-aws';
import {
  everythingObservable,
  HOUR_MS,
  type KeySetRig,
  type RotationRig,
  startRotationRig,
} from '../support/rotation-rig';

const DAY_MS = 24 * HOUR_MS;

// RSA key generation takes seconds on a loaded machine, and a test makes up to 7 keys: the
// default 5 s is a deadline, not a measure of anything here.
jest.setTimeout(120_000);

describe.each(ASYMMETRIC_ALGORITHMS)('the published key set of %s keys, end to end', (alg) => {
  let rig: RotationRig;
  let keySet: KeySetRig;
  let arn: string;

  beforeEach(async () => {
    rig = await startRotationRig({ algorithm: alg }, { keySet: {} });
    keySet = rig.keySet!;
    // As the stack deploys it: the secret with no value, then FirstKey.
    arn = (await rig.sm.send(new CreateSecretCommand({ Name: 'api/jwt' }))).ARN!;
    const answer = await rig.local.runCustomResource(rig.functionArn, {
      requestType: 'Create',
      resourceType: FIRST_KEY_RESOURCE_TYPE,
      logicalResourceId: 'JwtKeyFirstKey',
      resourceProperties: { SecretId: arn } satisfies FirstKeyResourceProperties,
    });
    expect(answer.Status).toBe('SUCCESS');
  });

  afterEach(async () => {
    await rig.close();
  });

  /** The version holding a label, and its key's kid. */
  async function labelled(stage: string): Promise<{ versionId: string; kid: string } | undefined> {
    const stages = rig.local.versionStages(arn);
    const versionId = Object.keys(stages).find((id) => stages[id]!.includes(stage));
    if (versionId === undefined) return undefined;
    try {
      const value = await rig.sm.send(
        new GetSecretValueCommand({ SecretId: arn, VersionId: versionId }),
      );
      return { versionId, kid: parseKeyDocument(value.SecretString!).kid };
    } catch {
      return undefined; // the value-less version RotateSecret makes
    }
  }

  /** What the set must hold: the labels' keys, AWSPREVIOUS only while in its grace. */
  async function expectedKids(options: { previousInGrace: boolean }): Promise<string[]> {
    const stages = [
      AWSCURRENT,
      AWSPENDING,
      STANDBY_STAGE,
      ...(options.previousInGrace ? [AWSPREVIOUS] : []),
    ];
    const kids: string[] = [];
    for (const stage of stages) {
      const key = await labelled(stage);
      if (key !== undefined && !kids.includes(key.kid)) kids.push(key.kid);
    }
    return kids;
  }

  async function maintain(event: MaintenanceEvent): Promise<unknown> {
    return rig.local.invokeFunction(rig.functionArn, event);
  }

  it('FirstKey publishes the first key and its standby, with the discovery document, before the deploy returns', async () => {
    // THEN the set holds exactly the current key and its standby
    const current = await rig.current(arn);
    expect(keySet.kids()).toEqual([current.document.kid, current.document.nextKid]);
    // AND each entry is the public half with kid, alg and use
    for (const entry of keySet.jwks()!.keys) {
      expect(entry).toMatchObject({ alg, use: 'sig' });
      for (const member of PRIVATE_MEMBERS) expect(entry).not.toHaveProperty(member);
    }
    // AND discovery names the issuer, the JWKS on its host and the algorithm
    expect(keySet.discovery()).toEqual({
      issuer: keySet.issuer,
      jwks_uri: `${keySet.issuer}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: [alg],
    });
    // AND both are JSON with the configured max-age, as CloudFront and verifiers read them
    for (const objectKey of ['.well-known/jwks.json', '.well-known/openid-configuration']) {
      expect(keySet.headers(objectKey)).toMatchObject({
        'content-type': 'application/json',
        'cache-control': 'public, max-age=300',
      });
    }
    // AND a new set removes nothing: no invalidation
    await expect(keySet.invalidations()).resolves.toEqual([]);
  });

  it('holds exactly the expected keys after every step of three rotations, the pending key before it signs', async () => {
    // GIVEN a function that records the stored set and the labels after each step
    const seen: { step: string; token: string; kids: string[]; expected: string[] }[] = [];
    const observed = rig.local.registerFunction('observed', async (event) => {
      const result = await rig.handler(event);
      const { Step: step, ClientRequestToken: token } = event as {
        Step: string;
        ClientRequestToken: string;
      };
      seen.push({
        step,
        token,
        kids: keySet.kids(),
        expected: await expectedKids({ previousInGrace: true }),
      });
      return result;
    });

    for (let rotation = 1; rotation <= 3; rotation += 1) {
      // WHEN a rotation runs, a day apart (each previous key retired before the next)
      rig.now += DAY_MS + HOUR_MS;
      await maintain({ action: 'retire', secretId: arn });
      const standbyBefore = (await labelled(STANDBY_STAGE))?.kid;
      const token = await rig.rotate(arn, observed);

      // THEN it finished, through every step (a step the service retried is seen again)
      const failures = rig.local.rotationLog.filter(
        (entry) => entry.token === token && entry.outcome === 'failed',
      );
      expect({ ...rig.local.rotationResults.at(-1), failures }).toMatchObject({
        outcome: 'succeeded',
      });
      const steps = seen.filter((entry) => entry.token === token);
      expect([...new Set(steps.map((entry) => entry.step))]).toEqual([
        'createSecret',
        'setSecret',
        'testSecret',
        'finishSecret',
      ]);
      // AND after each step the stored set is exactly what the labels say (createSecret makes
      // the new standby; setSecret, the next step, publishes it with the pending key: neither
      // can sign before finishSecret)
      for (const entry of steps.filter((each) => each.step !== 'createSecret')) {
        expect(entry.kids).toEqual(entry.expected);
      }
      // AND the key that signs next (the standby promoted) is in the set before finishSecret
      const promoted = (await rig.current(arn)).document.kid;
      expect(promoted).toBe(standbyBefore);
      expect(steps.find((entry) => entry.step === 'setSecret')!.kids).toContain(promoted);
      // AND at the end: the new key, its predecessor in its grace, the new standby
      expect(new Set(keySet.kids())).toEqual(
        new Set([
          promoted,
          (await labelled(AWSPREVIOUS))!.kid,
          (await labelled(STANDBY_STAGE))!.kid,
        ]),
      );
    }
    // AND no key was dropped early, so nothing was invalidated but the retirements
    const retirements = (await keySet.invalidations()).map((each) => each.callerReference);
    expect(retirements.every((reference) => reference.startsWith('retire-'))).toBe(true);
    // AND nothing the function let out holds key material
    const observable = everythingObservable(rig);
    const material = await rig.allKeyMaterial(arn);
    expect(material.filter((secret) => observable.includes(secret))).toEqual([]);
  });

  it('retirement removes the previous key, invalidates both paths, and only then drops its label; then writes the set again', async () => {
    // GIVEN a rotation, its previous key in its grace
    rig.now += HOUR_MS;
    await rig.rotate(arn);
    const previous = (await labelled(AWSPREVIOUS))!;
    expect(keySet.kids()).toContain(previous.kid);

    // WHEN the check runs in the grace, then after it
    await maintain({ action: 'retire', secretId: arn });
    expect(keySet.kids()).toContain(previous.kid);
    rig.now += DAY_MS;
    const callsBefore = rig.local.calls.length;
    await expect(maintain({ action: 'retire', secretId: arn })).resolves.toMatchObject({
      outcome: 'retired',
    });

    // THEN the set no longer holds it, and holds the rest
    expect(keySet.kids()).not.toContain(previous.kid);
    expect(keySet.kids()).toEqual(await expectedKids({ previousInGrace: false }));
    // AND both paths were invalidated for the retired version before its label went, and once
    // more after, with the set written again from the labels as they then stood
    expect(await keySet.invalidations()).toEqual([
      { callerReference: `retire-${previous.versionId}`, paths: [...KEY_SET_PATHS] },
      { callerReference: `retire-${previous.versionId}-removed`, paths: [...KEY_SET_PATHS] },
    ]);
    const calls = rig.local.calls
      .slice(callsBefore)
      .map((call) => `${call.service}:${call.operation}:${call.versionStage ?? ''}`);
    const labelRemoved = calls.indexOf(`secretsmanager:UpdateSecretVersionStage:${AWSPREVIOUS}`);
    const before = calls.slice(0, labelRemoved);
    const after = calls.slice(labelRemoved + 1);
    expect(before.lastIndexOf('s3:PutObject:')).toBeGreaterThanOrEqual(0);
    expect(before.lastIndexOf('s3:PutObject:')).toBeLessThan(
      before.indexOf('cloudfront:CreateInvalidation:'),
    );
    expect(after.indexOf('secretsmanager:DescribeSecret:')).toBeGreaterThanOrEqual(0);
    expect(after.indexOf('secretsmanager:DescribeSecret:')).toBeLessThan(
      after.indexOf('s3:PutObject:'),
    );
    expect(after.lastIndexOf('s3:PutObject:')).toBeLessThan(
      after.indexOf('cloudfront:CreateInvalidation:'),
    );

    // WHEN the check runs again: nothing to retire
    await maintain({ action: 'retire', secretId: arn });

    // THEN it rewrites the same set, with no new invalidation
    expect(keySet.kids()).toEqual(await expectedKids({ previousInGrace: false }));
    await expect(keySet.invalidations()).resolves.toHaveLength(2);
  });

  it('revoke-previous removes the leaked key at once; the edge serves the new set before max-age ends', async () => {
    // GIVEN the leaked key rotated away (standby discarded, fresh key), a verifier's edge cache warm
    const leaked = (await rig.current(arn)).document.kid;
    await maintain({ action: 'discard-standby', secretId: arn });
    rig.now += HOUR_MS;
    await rig.rotate(arn);
    const url = `${keySet.distribution.url}/.well-known/jwks.json`;
    const cached = (await (await fetch(url)).json()) as { keys: { kid: string }[] };
    expect(cached.keys.map((key) => key.kid)).toContain(leaked);
    expect((await fetch(url)).headers.get('x-cache')).toBe('Hit from cloudfront');

    // WHEN it is revoked, a minute later (well inside max-age)
    rig.now += 60_000;
    await expect(
      maintain({ action: 'revoke-previous', secretId: arn, kid: leaked }),
    ).resolves.toMatchObject({
      outcome: 'retired',
    });

    // THEN the stored set lacks it, and so does what the distribution serves
    expect(keySet.kids()).not.toContain(leaked);
    const served = (await (await fetch(url)).json()) as { keys: { kid: string }[] };
    expect(served.keys.map((key) => key.kid)).toEqual(keySet.kids());
    // AND the discard and the revoke each invalidated both paths, before and after the label went,
    // and the rotation between them when it published its fresh (never announced) key
    const invalidations = await keySet.invalidations();
    expect(invalidations.map((each) => each.callerReference)).toEqual([
      expect.stringMatching(/^discard-standby-(?!.*-removed$)/),
      expect.stringMatching(/^discard-standby-.*-removed$/),
      expect.stringMatching(/^setSecret-/),
      expect.stringMatching(/^revoke-previous-(?!.*-removed$)/),
      expect.stringMatching(/^revoke-previous-.*-removed$/),
    ]);
    for (const each of invalidations) expect(each.paths).toEqual([...KEY_SET_PATHS]);

    // WHEN the revoke is sent again
    await expect(
      maintain({ action: 'revoke-previous', secretId: arn, kid: leaked }),
    ).resolves.toMatchObject({
      outcome: 'nothing-to-retire',
    });
    // THEN nothing new is invalidated
    await expect(keySet.invalidations()).resolves.toHaveLength(5);
  });

  it('a fresh key (its standby discarded) is invalidated into the edge before it signs; a promoted one needs no invalidation', async () => {
    // GIVEN the standby discarded, and a verifier's edge caching the set without a standby
    await maintain({ action: 'discard-standby', secretId: arn });
    const url = `${keySet.distribution.url}/.well-known/jwks.json`;
    const kidsServed = async (): Promise<string[]> =>
      ((await (await fetch(url)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    const before = await kidsServed();
    expect((await fetch(url)).headers.get('x-cache')).toBe('Hit from cloudfront');
    const invalidationsBefore = (await keySet.invalidations()).length;

    // WHEN a rotation makes a fresh key, a minute later (well inside max-age)
    rig.now += 60_000;
    const token = await rig.rotate(arn);

    // THEN setSecret invalidated the set, so the edge serves the key that now signs
    const fresh = (await rig.current(arn)).document.kid;
    expect(before).not.toContain(fresh);
    expect(await kidsServed()).toContain(fresh);
    const invalidations = await keySet.invalidations();
    expect(invalidations.slice(invalidationsBefore)).toEqual([
      { callerReference: `setSecret-${token}`, paths: [...KEY_SET_PATHS] },
    ]);

    // WHEN the next rotation promotes the standby that rotation announced
    rig.now += DAY_MS;
    const next = await rig.rotate(arn);

    // THEN setSecret invalidates nothing (finishSecret still does, for the key it drops)
    expect((await keySet.invalidations()).map((each) => each.callerReference)).not.toContain(
      `setSecret-${next}`,
    );
  });

  describe('a retirement check racing a revoke (writes take no lock)', () => {
    /** The leaked key rotated away, in its grace; the kids the set must end with. */
    async function leakedKeyInGrace(): Promise<string> {
      const leaked = (await rig.current(arn)).document.kid;
      await maintain({ action: 'discard-standby', secretId: arn });
      rig.now += HOUR_MS;
      await rig.rotate(arn);
      return leaked;
    }

    /** The check's write of jwks.json, held: the check read the labels before the revoke. */
    async function checkWithHeldWrite(): Promise<{ release(): void; done: Promise<unknown> }> {
      const held = rig.local.faults.hold({
        operation: 'PutObject',
        when: (input) => input.Key === KEY_SET_PATHS[0].slice(1),
      });
      const done = maintain({ action: 'retire', secretId: arn });
      await held.arrived;
      return { release: () => held.release(), done };
    }

    async function served(): Promise<string[]> {
      const response = await fetch(`${keySet.distribution.url}/.well-known/jwks.json`);
      return ((await response.json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    }

    it("a stale write landing between the revoke's write and its label removal is replaced", async () => {
      // GIVEN a leaked key in its grace, and a check holding a write made from the old labels
      const leaked = await leakedKeyInGrace();
      const check = await checkWithHeldWrite();
      // AND a revoke that has written the set without the key, its label removal held
      const removal = rig.local.faults.hold({ operation: 'UpdateSecretVersionStage' });
      const revoke = maintain({ action: 'revoke-previous', secretId: arn, kid: leaked });
      await removal.arrived;
      expect(keySet.kids()).not.toContain(leaked);

      // WHEN the check's stale write lands (the label is still on: its second read sees no move)
      check.release();
      await check.done;
      expect(keySet.kids()).toContain(leaked);
      // AND the revoke removes the label
      removal.release();
      await expect(revoke).resolves.toMatchObject({ outcome: 'retired' });

      // THEN the set is written again without the leaked key, and the edge serves that
      expect(keySet.kids()).not.toContain(leaked);
      expect(keySet.kids()).toEqual(await expectedKids({ previousInGrace: false }));
      expect(await served()).toEqual(keySet.kids());
    });

    it('a stale write landing after the whole revoke is rewritten by the check that made it', async () => {
      // GIVEN a leaked key in its grace, and a check holding a write made from the old labels
      const leaked = await leakedKeyInGrace();
      const check = await checkWithHeldWrite();
      // AND the revoke done meanwhile, and the edge caching its set
      await expect(
        maintain({ action: 'revoke-previous', secretId: arn, kid: leaked }),
      ).resolves.toMatchObject({ outcome: 'retired' });
      expect(await served()).not.toContain(leaked);
      const invalidationsBefore = (await keySet.invalidations()).length;

      // WHEN the check's stale write lands
      check.release();
      await check.done;

      // THEN the check saw the labels move, wrote the set again and invalidated it
      expect(keySet.kids()).not.toContain(leaked);
      expect(keySet.kids()).toEqual(await expectedKids({ previousInGrace: false }));
      expect(await served()).toEqual(keySet.kids());
      const invalidations = await keySet.invalidations();
      expect(invalidations).toHaveLength(invalidationsBefore + 1);
      expect(invalidations.at(-1)!.callerReference).toMatch(/^retire-labels-[0-9a-f]{16}$/);
    });
  });

  it('a rotation inside the grace drops the previous key early and invalidates it', async () => {
    // GIVEN a rotation, then another an hour later (a manual one, inside the grace)
    rig.now += HOUR_MS;
    await rig.rotate(arn);
    const dropped = (await labelled(AWSPREVIOUS))!;
    rig.now += HOUR_MS;

    // WHEN
    const token = await rig.rotate(arn);

    // THEN the dropped key is out of the set, which finishSecret invalidated
    expect(keySet.kids()).not.toContain(dropped.kid);
    expect(keySet.kids()).toEqual(await expectedKids({ previousInGrace: true }));
    expect(await keySet.invalidations()).toEqual([
      { callerReference: `finishSecret-${token}`, paths: [...KEY_SET_PATHS] },
    ]);
  });

  it('FirstKey repeated (an Update) rewrites the same set', async () => {
    // GIVEN the set FirstKey wrote
    const before = keySet.kids();

    // WHEN CloudFormation sends an Update
    const answer = await rig.local.runCustomResource(rig.functionArn, {
      requestType: 'Update',
      resourceType: FIRST_KEY_RESOURCE_TYPE,
      logicalResourceId: 'JwtKeyFirstKey',
      physicalResourceId: arn,
      resourceProperties: { SecretId: arn } satisfies FirstKeyResourceProperties,
      oldResourceProperties: { SecretId: arn },
    });

    // THEN
    expect(answer.Status).toBe('SUCCESS');
    expect(keySet.kids()).toEqual(before);
    await expect(keySet.invalidations()).resolves.toEqual([]);
  });

  it('FirstKey answers FAILED when the set cannot be written, and a retry publishes it', async () => {
    // GIVEN a fresh secret, and S3 refusing the first write
    const fresh = (await rig.sm.send(new CreateSecretCommand({ Name: 'api/jwt-2' }))).ARN!;
    rig.local.faults.inject({ operation: 'PutObject', error: 'AccessDenied' });
    const request = {
      requestType: 'Create' as const,
      resourceType: FIRST_KEY_RESOURCE_TYPE,
      logicalResourceId: 'JwtKeyFirstKey',
      resourceProperties: { SecretId: fresh } satisfies FirstKeyResourceProperties,
    };

    // WHEN / THEN the answer names the failed write, and no key material
    const failed = await rig.local.runCustomResource(rig.functionArn, request);
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(
      /writing \.well-known\/jwks\.json to bucket jwt-keys-keyset failed .*AccessDenied.*ERR_KEY_SET_WRITE_FAILED/,
    );
    // AND a new attempt publishes the new secret's keys
    await expect(rig.local.runCustomResource(rig.functionArn, request)).resolves.toMatchObject({
      Status: 'SUCCESS',
    });
    const current = await rig.current(fresh);
    expect(keySet.kids()).toEqual([current.document.kid, current.document.nextKid]);
  });

  it('a rotation whose secret holds an HMAC key from before publishes only the asymmetric keys', async () => {
    // GIVEN the set, and an HMAC value put as AWSPREVIOUS would be after a change of algorithm
    const hmac = generateKeyDocument({ alg: 'HS256', kid: 'shared', now: new Date(rig.now) });
    await rig.sm.send(
      new PutSecretValueCommand({
        SecretId: arn,
        SecretString: serializeKeyDocument(hmac),
        VersionStages: [AWSPREVIOUS],
      }),
    );

    // WHEN the retirement check rewrites the set (the HMAC previous names no grace: kept by label)
    await maintain({ action: 'retire', secretId: arn });

    // THEN it is not in the set, and its key is nowhere in what was written or logged
    expect(keySet.kids()).not.toContain('shared');
    expect(JSON.stringify(keySet.jwks())).not.toContain(hmac.k);
    expect(everythingObservable(rig)).not.toContain(hmac.k);
  });
});

/**
 * The key set writes in the fault matrix: each write or invalidation × {fails, hangs until the
 * deadline, access denied, throttled}, then Secrets Manager's retry of the whole rotation. The
 * rotation ends with one new current key, the set exactly as the labels say, and no key signing
 * before the set holds it.
 */
describe('fault matrix: the key set writes of a rotation (ES256)', () => {
  type Target =
    | 'setSecret PutObject'
    | 'setSecret CreateInvalidation'
    | 'finishSecret PutObject'
    | 'finishSecret CreateInvalidation';
  const CALLS: Record<Target, Pick<FaultSpec, 'operation' | 'step' | 'when'>> = {
    'setSecret PutObject': { operation: 'PutObject', step: 'setSecret' },
    // Only a fresh key is invalidated at setSecret: that case discards the standby first.
    'setSecret CreateInvalidation': { operation: 'CreateInvalidation', step: 'setSecret' },
    'finishSecret PutObject': {
      operation: 'PutObject',
      step: 'finishSecret',
      when: (input) => input.Key === '.well-known/openid-configuration',
    },
    'finishSecret CreateInvalidation': { operation: 'CreateInvalidation', step: 'finishSecret' },
  };
  const KINDS: Record<string, Omit<FaultSpec, 'operation'>> = {
    fails: { error: 'InternalError' },
    'hangs (written, unanswered)': { hang: true, partial: true },
    'access denied': { error: 'AccessDenied' },
    throttled: { error: 'SlowDown' },
  };
  const MATRIX = (Object.keys(CALLS) as Target[]).flatMap((target) =>
    Object.entries(KINDS).map(([kind, fault]) => [`${target} ${kind}`, target, fault] as const),
  );

  it.each(MATRIX)(
    '%s: the retry finishes the rotation with the set the labels say',
    async (_, target, fault) => {
      // GIVEN an ES256 key whose previous key is in its grace (so finishSecret drops one early),
      // and a function that notes the stored set whenever finishSecret starts
      const rig = await startRotationRig({ algorithm: 'ES256' }, { keySet: {} });
      try {
        const keySet = rig.keySet!;
        const arn = (await rig.sm.send(new CreateSecretCommand({ Name: 'api/jwt' }))).ARN!;
        await rig.local.runCustomResource(rig.functionArn, {
          requestType: 'Create',
          resourceType: FIRST_KEY_RESOURCE_TYPE,
          logicalResourceId: 'JwtKeyFirstKey',
          resourceProperties: { SecretId: arn } satisfies FirstKeyResourceProperties,
        });
        const atFinish: string[][] = [];
        const watched = rig.local.registerFunction(
          'watched',
          (event) => {
            if ((event as { Step?: string }).Step === 'finishSecret') atFinish.push(keySet.kids());
            return rig.handler(event);
          },
          // A deadline only where the fault hangs a call: a step on a loaded machine can take
          // a second or more, and the service makes 3 attempts in all.
          fault.hang === true ? { timeoutMs: 5000 } : {},
        );
        rig.now += HOUR_MS;
        await rig.rotate(arn, watched);
        rig.now += HOUR_MS;
        atFinish.length = 0;
        const freshKey = target === 'setSecret CreateInvalidation';
        if (freshKey) {
          await rig.local.invokeFunction(rig.functionArn, {
            action: 'discard-standby',
            secretId: arn,
          } satisfies MaintenanceEvent);
        }

        // WHEN the next rotation meets the fault once
        rig.local.faults.inject({ ...CALLS[target], ...fault });
        await rig.sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: watched }));
        await rig.local.rotationsSettled();

        // THEN an attempt failed, and the service's retry finished the rotation
        const result = rig.local.rotationResults.at(-1)!;
        const failures = rig.local.rotationLog.filter(
          (entry) => entry.token === result.token && entry.outcome === 'failed',
        );
        expect({ ...result, failures }).toMatchObject({ outcome: 'succeeded' });
        expect(failures).not.toEqual([]);
        // AND the set holds exactly the current key, its predecessor and the standby
        const current = (await rig.current(arn)).document;
        expect(new Set(keySet.kids())).toEqual(
          new Set([current.kid, current.previousKid, current.nextKid]),
        );
        // AND every finishSecret attempt began with the key it promotes already published
        expect(atFinish).not.toEqual([]);
        for (const kids of atFinish) expect(kids).toContain(current.kid);
        // AND the key dropped early was invalidated, once, and a fresh key, once, at setSecret
        const invalidations = await keySet.invalidations();
        expect(
          invalidations.filter((each) => each.callerReference === `finishSecret-${result.token}`),
        ).toHaveLength(1);
        expect(
          invalidations.filter((each) => each.callerReference === `setSecret-${result.token}`),
        ).toHaveLength(freshKey ? 1 : 0);
      } finally {
        await rig.close();
      }
    },
  );
});
