/**
 * What one rotation costs in Secrets Manager calls, step by step, through the real handler
 * against the local endpoint. Each step runs in an invocation of its own (as Lambda runs them),
 * so a version read in one step is read again in the next; within a step, a version's value
 * (immutable) is read once, while its labels come from a fresh DescribeSecret.
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';

import { makeKeyDocument, serializeKeyDocument } from '../../key-document';
import { type CallRecord } from '../../local-aws';
import { HOUR_MS, type RotationRig, startRotationRig } from '../support/rotation-rig';

/** The Secrets Manager calls of each step's invocation, counted by operation. */
type CallsByStep = Record<string, Record<string, number>>;

describe.each<{ alg: 'HS256' | 'ES256'; keySet: boolean }>([
  { alg: 'HS256', keySet: false },
  { alg: 'ES256', keySet: true },
])('Secrets Manager calls of a rotation of $alg keys', ({ alg, keySet }) => {
  let rig: RotationRig;
  let arn: string;
  /** Every invocation's calls, in order: the step and what it sent. */
  let invocations: { step: string; calls: CallRecord[] }[];
  let countedArn: string;

  beforeEach(async () => {
    rig = await startRotationRig({ algorithm: alg }, keySet ? { keySet: {} } : {});
    const first = await makeKeyDocument({ alg, kid: 'initial', now: new Date(rig.now) });
    arn = (
      await rig.sm.send(
        new CreateSecretCommand({ Name: 'app/jwt', SecretString: serializeKeyDocument(first) }),
      )
    ).ARN!;
    invocations = [];
    // The rig's function, with each invocation's share of the endpoint's call log noted.
    countedArn = rig.local.registerFunction('counted-rotation', async (event) => {
      const before = rig.local.calls.length;
      try {
        return await rig.handler(event);
      } finally {
        invocations.push({
          step: (event as { Step: string }).Step,
          calls: rig.local.calls.slice(before),
        });
      }
    });
  });

  afterEach(async () => {
    await rig.close();
  });

  /** The second rotation (a standby to promote, a previous key to displace), counted. */
  async function countSteadyRotation(): Promise<CallsByStep> {
    rig.now += HOUR_MS;
    await rig.rotate(arn, countedArn);
    invocations = [];
    rig.now += HOUR_MS;
    await rig.rotate(arn, countedArn);
    expect(rig.errors).toEqual([]);
    const byStep: CallsByStep = {};
    for (const { step, calls } of invocations) {
      for (const call of calls.filter((each) => each.service === 'secretsmanager')) {
        const counts = (byStep[step] ??= {});
        counts[call.operation] = (counts[call.operation] ?? 0) + 1;
      }
    }
    return byStep;
  }

  it('reads no version twice by its id within one invocation', async () => {
    // GIVEN a secret rotated once (so the next rotation promotes a standby)
    // WHEN the second rotation runs its four steps
    await countSteadyRotation();

    // THEN each invocation asked for each version id at most once
    expect(invocations.map(({ step }) => step)).toEqual([
      'createSecret',
      'setSecret',
      'testSecret',
      'finishSecret',
    ]);
    for (const { step, calls } of invocations) {
      const ids = calls
        .filter((call) => call.operation === 'GetSecretValue' && call.versionId !== undefined)
        .map((call) => call.versionId);
      expect({ step, repeated: ids.filter((id, index) => ids.indexOf(id) !== index) }).toEqual({
        step,
        repeated: [],
      });
    }
  });

  it('makes the counted calls per step', async () => {
    // GIVEN a secret rotated once
    // WHEN the second rotation runs
    const counts = await countSteadyRotation();

    // THEN each step makes these calls (lower is better; a rise is a regression to explain)
    expect(counts).toEqual(EXPECTED_CALLS[alg]);
  });
});

/**
 * Before each invocation kept the versions it read, finishSecret of an ES256 key read 7 values
 * (the current, pending and standby keys twice each: once for the event, once for the key set).
 */
const EXPECTED_CALLS: Record<'HS256' | 'ES256', CallsByStep> = {
  HS256: {
    createSecret: { DescribeSecret: 1, GetSecretValue: 4, PutSecretValue: 2 },
    setSecret: { DescribeSecret: 1 },
    testSecret: { DescribeSecret: 1, GetSecretValue: 2 },
    finishSecret: { DescribeSecret: 1, GetSecretValue: 4, UpdateSecretVersionStage: 2 },
  },
  ES256: {
    createSecret: { DescribeSecret: 1, GetSecretValue: 4, PutSecretValue: 2 },
    setSecret: { DescribeSecret: 1, GetSecretValue: 4 },
    testSecret: { DescribeSecret: 1, GetSecretValue: 2 },
    finishSecret: { DescribeSecret: 2, GetSecretValue: 4, UpdateSecretVersionStage: 2 },
  },
};
