/**
 * The fault matrix: each of the four rotation steps × {throws, cut off at the Lambda deadline,
 * access denied, throttled}, plus PutEvents failing outright and partially, each followed by
 * Secrets Manager's retry of the whole rotation. After every case: AWSCURRENT held a valid key
 * at every step boundary, the rotation ended with exactly one new version and no AWSPENDING
 * left, every "key rotated" event was published after its key became AWSCURRENT, and the next
 * rotation goes through. Failures that outlast every attempt leave AWSCURRENT untouched, publish
 * nothing, and `repair` clears the AWSPENDING they leave behind.
 */
import { ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';

import { type FaultSpec } from '../../local-aws';
import { KEY_ROTATED } from '../../rotation-events';

import { type RotationRig, startRotationRig } from './support';

type Step = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

/**
 * The call each step cannot do without: the write of createSecret, the guard's DescribeSecret
 * (all setSecret does for an HMAC key), testSecret's read of the pending key, and
 * finishSecret's move of AWSCURRENT.
 */
const DECISIVE_CALL: Record<Step, Pick<FaultSpec, 'operation' | 'when'>> = {
  createSecret: { operation: 'PutSecretValue' },
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
/** The watched function's timeout: the deadline a hung call runs into. */
const FUNCTION_TIMEOUT_MS = 200;

type FaultKind = 'throws' | 'times out' | 'access denied' | 'throttled';

function faultFor(step: Step, kind: FaultKind): FaultSpec {
  const call = { ...DECISIVE_CALL[step], step };
  switch (kind) {
    case 'throws':
      return { operation: `Invoke:${step}`, error: 'Error', message: `${step} threw` };
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

const STEPS: readonly Step[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];
const KINDS: readonly FaultKind[] = ['throws', 'times out', 'access denied', 'throttled'];
const MATRIX = STEPS.flatMap((step) =>
  KINDS.map((kind) => [`${step} ${kind}`, faultFor(step, kind)] as const),
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

  async function versionIds(): Promise<string[]> {
    const listed = await rig.sm.send(
      new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true }),
    );
    return (listed.Versions ?? []).map((version) => version.VersionId!);
  }

  function rotatedEvents(): { current: { versionId: string }; previous: { versionId: string } }[] {
    return rig.local.events
      .filter((event) => event.detailType === KEY_ROTATED)
      .map((event) => event.detail as never);
  }

  async function expectNextRotationGoesThrough(): Promise<void> {
    rig.local.faults.clear();
    const next = await rotate();
    expect(rig.local.rotationResults.at(-1)).toMatchObject({ token: next, outcome: 'succeeded' });
    expect(rig.local.versionStages(arn)[next]).toEqual(['AWSCURRENT']);
  }

  it.each([
    ...MATRIX,
    ['PutEvents fails', { operation: 'PutEvents', error: 'InternalException' }],
    ['PutEvents fails partially (FailedEntryCount 1)', { operation: 'PutEvents', partial: true }],
  ] as const)(
    '%s: one new version, AWSCURRENT valid throughout, events only for it',
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
      // AND exactly one new version, current, with the old key previous and no AWSPENDING left
      expect(await versionIds()).toHaveLength(2);
      expect(rig.local.versionStages(arn)).toEqual({
        [initial]: ['AWSPREVIOUS'],
        [token]: ['AWSCURRENT'],
      });
      // AND every event names this rotation, published once its key was AWSCURRENT
      expect(rotatedEvents().length).toBeGreaterThanOrEqual(1);
      for (const event of rotatedEvents()) {
        expect(event.current.versionId).toBe(token);
        expect(event.previous.versionId).toBe(initial);
      }
      expect(stagesAtPublish.every((stages) => stages?.includes('AWSCURRENT') === true)).toBe(true);
      // AND nothing blocks the next rotation
      await expectNextRotationGoesThrough();
      summary.recovered += 1;
    },
  );

  it.each(STEPS)(
    '%s denied on every attempt: AWSCURRENT untouched, no event, repair clears what is left',
    async (step) => {
      // GIVEN
      rig.local.faults.inject({ ...faultFor(step, 'access denied'), times: Infinity });

      // WHEN
      const token = await rotate();

      // THEN the rotation failed after the service's attempts, with the old key still current
      expect(rig.local.rotationFailures).toEqual([
        expect.objectContaining({ token, outcome: 'failed', attempts: 3 }),
      ]);
      expect(currentAlwaysValid).toBe(true);
      expect((await rig.current(arn)).versionId).toBe(initial);
      expect(rotatedEvents()).toEqual([]);
      // AND at most a stale AWSPENDING remains, which repair removes
      const stale = rig.local.versionStages(arn)[token];
      expect(stale === undefined || stale.join() === 'AWSPENDING').toBe(true);
      await rig.handler({ action: 'repair', secretId: arn });
      expect(rig.local.versionStages(arn)).toEqual({ [initial]: ['AWSCURRENT'] });
      await expectNextRotationGoesThrough();
      summary.repaired += 1;
    },
  );
});
