/**
 * The fault matrix: each of the four rotation steps (and createSecret's second write, the
 * standby key) × {throws, cut off at the Lambda deadline, access denied, throttled}, plus
 * PutEvents failing outright and partially, each followed by Secrets Manager's retry of the
 * whole rotation. After every case: AWSCURRENT held a valid key at every step boundary, the
 * rotation ended with exactly one new current version, exactly one new standby version (named
 * by the new key's nextKid) and no AWSPENDING left, every "key rotated" event was published after
 * its key became AWSCURRENT, and the next rotation goes through, promoting that standby key.
 * Failures that outlast every attempt leave AWSCURRENT untouched, publish nothing, and `repair`
 * clears the AWSPENDING they leave behind.
 */
import { standbyVersionIdFor } from '../../lambda/rotation/standby';
import { type FaultSpec } from '../../local-aws';
import { KEY_ROTATED } from '../../rotation-events';
import { hmacKey } from '../support/key-documents';
import { type RotationRig, startRotationRig } from '../support/rotation-rig';

type Step = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
/** A step, or a step's later call (createSecret's write of the standby key). */
type Target = Step | 'createSecret (standby)';

const stepOf = (target: Target): Step =>
  target === 'createSecret (standby)' ? 'createSecret' : target;

/**
 * The call each step cannot do without: the writes of createSecret (the pending key, then the
 * standby key), the guard's DescribeSecret (all setSecret does for an HMAC key), testSecret's
 * read of the pending key, and finishSecret's move of AWSCURRENT.
 */
const DECISIVE_CALL: Record<Target, Pick<FaultSpec, 'operation' | 'when'>> = {
  createSecret: {
    operation: 'PutSecretValue',
    when: (input) => (input.VersionStages as string[]).includes('AWSPENDING'),
  },
  'createSecret (standby)': {
    operation: 'PutSecretValue',
    when: (input) => (input.VersionStages as string[]).includes('JWTKEY_NEXT'),
  },
  setSecret: { operation: 'DescribeSecret' },
  testSecret: {
    operation: 'GetSecretValue',
    when: (input) => input.VersionStage === 'AWSPENDING',
  },
  finishSecret: {
    operation: 'UpdateSecretVersionStage',
    when: (input) => input.VersionStage === 'AWSCURRENT',
  },
};

const WRITES = new Set(['PutSecretValue', 'UpdateSecretVersionStage']);
/**
 * The watched function's timeout: the deadline a hung call runs into. Every step must finish
 * within it too, so it leaves room for a loaded machine (200 ms failed once with both cores busy).
 */
const FUNCTION_TIMEOUT_MS = 1000;

type FaultKind = 'throws' | 'times out' | 'access denied' | 'throttled';

function faultFor(target: Target, kind: FaultKind): FaultSpec {
  const step = stepOf(target);
  const call = { ...DECISIVE_CALL[target], step };
  switch (kind) {
    case 'throws':
      // For the standby target, createSecret throws between its two writes.
      return target === 'createSecret (standby)'
        ? { ...call, error: 'InternalServiceError', message: 'createSecret threw' }
        : { operation: `Invoke:${step}`, error: 'Error', message: `${step} threw` };
    case 'times out':
      // The function is cut off at its deadline while waiting on the call; a write has landed.
      return { ...call, hang: true, partial: WRITES.has(call.operation) };
    case 'access denied':
      return { ...call, error: 'AccessDeniedException' };
    case 'throttled':
      // The rig's SDK clients make one attempt per call, so the throttle reaches the step (a
      // deployed function's SDK retries throttling itself first).
      return { ...call, error: 'ThrottlingException' };
  }
}

const TARGETS: readonly Target[] = [
  'createSecret',
  'createSecret (standby)',
  'setSecret',
  'testSecret',
  'finishSecret',
];
const KINDS: readonly FaultKind[] = ['throws', 'times out', 'access denied', 'throttled'];
const MATRIX = TARGETS.flatMap((target) =>
  KINDS.map((kind) => [`${target} ${kind}`, faultFor(target, kind)] as const),
);

describe('fault matrix: every step × every fault, then the service retry', () => {
  /** What the cases measured, printed at the end (the README keeps a copy). */
  const summary = {
    recovered: 0,
    repaired: 0,
    failedAttempts: 0,
    rotatedEvents: 0,
    eventsBeforeCurrent: 0,
    currentInvalidSeen: 0,
  };
  let rig: RotationRig;
  let arn: string;
  let initial: string;
  /** For each "key rotated" event, the stages of the version it names when it was published. */
  let stagesAtPublish: (string[] | undefined)[];
  let currentAlwaysValid: boolean;
  let functionArn: string;

  beforeEach(async () => {
    rig = await startRotationRig();
    arn = await rig.createKeySecret();
    initial = (await rig.current(arn)).versionId;
    stagesAtPublish = [];
    rig.local.subscribe((event) => {
      if (event['detail-type'] !== KEY_ROTATED) return;
      const { versionId } = (event.detail as { current: { versionId: string } }).current;
      stagesAtPublish.push(rig.local.versionStages(arn)[versionId]);
    });
    currentAlwaysValid = true;
    functionArn = rig.local.registerFunction(
      'watched-rotation',
      async (event) => {
        await checkCurrent();
        const result = await rig.handler(event);
        await checkCurrent();
        return result;
      },
      { timeoutMs: FUNCTION_TIMEOUT_MS },
    );
  });

  afterEach(async () => {
    if (!currentAlwaysValid) summary.currentInvalidSeen += 1;
    await rig.close();
  });

  afterAll(() => {
    console.log(
      `fault matrix: ${summary.recovered} faults recovered by the service's retry, ` +
        `${summary.repaired} permanent failures repaired; ${summary.failedAttempts} failed attempts, ` +
        `${summary.rotatedEvents} "key rotated" events, ${summary.eventsBeforeCurrent} published ` +
        `before their key was AWSCURRENT; cases with AWSCURRENT invalid at a step boundary: ` +
        `${summary.currentInvalidSeen}`,
    );
  });

  /** AWSCURRENT must parse as a valid key document whenever a step starts or ends. */
  async function checkCurrent(): Promise<void> {
    try {
      await rig.current(arn);
    } catch {
      currentAlwaysValid = false;
    }
  }

  function rotate(): Promise<string> {
    return rig.rotate(arn, functionArn);
  }

  function rotatedEvents(): {
    current: { versionId: string };
    previous: { versionId: string };
    next: { versionId: string; kid: string } | null;
  }[] {
    return rig.local.events
      .filter((event) => event.detailType === KEY_ROTATED)
      .map((event) => event.detail as never);
  }

  /** The next rotation succeeds, promoting the standby key there is (same kid and key). */
  async function expectNextRotationGoesThrough(): Promise<void> {
    rig.local.faults.clear();
    const standby = await rig.standbyVersion(arn);
    const promoted = standby === undefined ? undefined : hmacKey(standby.document);
    const next = await rotate();
    expect(rig.local.rotationResults.at(-1)).toMatchObject({ token: next, outcome: 'succeeded' });
    expect(rig.local.versionStages(arn)[next]).toEqual(['AWSCURRENT']);
    expect(rig.local.versionStages(arn)[standbyVersionIdFor(next)]).toEqual(['JWTKEY_NEXT']);
    const current = await rig.current(arn);
    if (promoted !== undefined) {
      expect(current.document).toMatchObject({ kid: promoted.kid, k: promoted.k });
    } else {
      expect(current.document.kid).toBe(next);
    }
  }

  it.each([
    ...MATRIX,
    ['PutEvents fails', { operation: 'PutEvents', error: 'InternalException' }],
    ['PutEvents fails partially (FailedEntryCount 1)', { operation: 'PutEvents', partial: true }],
  ] as const)(
    '%s: one new current version and one standby, AWSCURRENT valid throughout, events only for it',
    async (_name, fault) => {
      // GIVEN
      rig.local.faults.inject(fault);

      // WHEN
      const token = await rotate();

      // THEN the fault struck and the service's retry completed the rotation
      const failed = rig.local.rotationLog.filter((entry) => entry.outcome === 'failed');
      summary.failedAttempts += failed.length;
      summary.rotatedEvents += rotatedEvents().length;
      summary.eventsBeforeCurrent += stagesAtPublish.filter(
        (stages) => stages?.includes('AWSCURRENT') !== true,
      ).length;
      expect(failed).toHaveLength(1);
      expect(rig.local.rotationResults).toEqual([
        expect.objectContaining({ token, outcome: 'succeeded', attempts: 2 }),
      ]);
      expect(currentAlwaysValid).toBe(true);
      // AND exactly two new versions: the new key, current, and the standby key the new key
      // names; the old key previous and no AWSPENDING left
      const standby = standbyVersionIdFor(token);
      expect(await rig.versionIds(arn)).toHaveLength(3);
      expect(rig.local.versionStages(arn)).toEqual({
        [initial]: ['AWSPREVIOUS'],
        [token]: ['AWSCURRENT'],
        [standby]: ['JWTKEY_NEXT'],
      });
      expect((await rig.current(arn)).document.nextKid).toBe((await rig.valueOf(arn, standby)).kid);
      // AND every event names this rotation, published once its key was AWSCURRENT
      expect(rotatedEvents().length).toBeGreaterThanOrEqual(1);
      for (const event of rotatedEvents()) {
        expect(event.current.versionId).toBe(token);
        expect(event.previous.versionId).toBe(initial);
        expect(event.next).toEqual({ versionId: standby, kid: standby });
      }
      expect(stagesAtPublish.every((stages) => stages?.includes('AWSCURRENT') === true)).toBe(true);
      // AND nothing blocks the next rotation
      await expectNextRotationGoesThrough();
      summary.recovered += 1;
    },
  );

  it.each(TARGETS)(
    '%s denied on every attempt: AWSCURRENT untouched, no event, repair clears what is left',
    async (target) => {
      // GIVEN
      rig.local.faults.inject({ ...faultFor(target, 'access denied'), times: Infinity });

      // WHEN
      const token = await rotate();

      // THEN the rotation failed after the service's attempts, with the old key still current
      expect(rig.local.rotationFailures).toEqual([
        expect.objectContaining({ token, outcome: 'failed', attempts: 3 }),
      ]);
      expect(currentAlwaysValid).toBe(true);
      expect((await rig.current(arn)).versionId).toBe(initial);
      expect(rotatedEvents()).toEqual([]);
      // AND at most a stale AWSPENDING remains, which repair removes, and the rotation's
      // standby key if it was made (the next rotation promotes it)
      const stale = rig.local.versionStages(arn)[token];
      expect(stale === undefined || stale.join() === 'AWSPENDING').toBe(true);
      await rig.handler({ action: 'repair', secretId: arn });
      const { [standbyVersionIdFor(token)]: standby, ...rest } = rig.local.versionStages(arn);
      expect(rest).toEqual({ [initial]: ['AWSCURRENT'] });
      expect(standby === undefined || standby.join() === 'JWTKEY_NEXT').toBe(true);
      await expectNextRotationGoesThrough();
      summary.repaired += 1;
    },
  );
});
