/**
 * Contract tests for the local CloudFormation custom resource runner: the request event it
 * builds, the answer it reads from the ResponseURL (PUT as AWS's cfn-response sends it, through
 * the rotation function's own responder), a FAILED answer, a function that fails or returns
 * without answering, and malformed answers, refused as CloudFormation refuses them.
 */
import { putCustomResourceResponse } from '../../lambda/rotation/custom-resource';
import {
  type CustomResourceError,
  type CustomResourceRequest,
  type LocalAws,
  startLocalAws,
} from '../../local-aws';

type Event = Record<string, unknown> & { ResponseURL: string };

const REQUEST: CustomResourceRequest = {
  requestType: 'Create',
  resourceType: 'Custom::Thing',
  logicalResourceId: 'Thing',
  resourceProperties: { SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x' },
};

function answerOf(event: Event, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Status: 'SUCCESS',
    PhysicalResourceId: 'thing-1',
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    ...fields,
  };
}

/** A raw PUT, for bodies the Lambda's responder would never send. */
async function put(url: string, body: string): Promise<number> {
  const response = await fetch(url, { method: 'PUT', body });
  await response.text();
  return response.status;
}

describe('local CloudFormation custom resources', () => {
  let local: LocalAws;

  beforeEach(async () => {
    local = await startLocalAws({ clock: () => Date.UTC(2026, 0, 1) });
  });

  afterEach(async () => {
    await local.close();
  });

  it('sends the documented request and resolves with a SUCCESS answer PUT to the ResponseURL', async () => {
    // GIVEN a function answering as cfn-response does (empty content type)
    const events: Event[] = [];
    const arn = local.registerFunction('provider', async (raw) => {
      const event = raw as Event;
      events.push(event);
      await putCustomResourceResponse(
        event.ResponseURL,
        answerOf(event, { Reason: 'made it', Data: { Kid: 'k1' } }) as never,
      );
      return 'ignored';
    });

    // WHEN
    const answer = await local.runCustomResource('provider', REQUEST);

    // THEN the event is CloudFormation's
    const event = events[0]!;
    expect(event).toEqual({
      RequestType: 'Create',
      ServiceToken: arn,
      ResponseURL: expect.stringMatching(
        new RegExp(
          `^${local.endpoint}/cloudformation-response/[0-9a-f-]{36}\\?.*X-Amz-Signature=[0-9a-f]{64}`,
        ),
      ),
      StackId: expect.stringMatching(
        /^arn:aws:cloudformation:us-east-1:123456789012:stack\/local-stack\/[0-9a-f-]{36}$/,
      ),
      RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      LogicalResourceId: 'Thing',
      ResourceType: 'Custom::Thing',
      ResourceProperties: { ServiceToken: arn, SecretId: REQUEST.resourceProperties!.SecretId },
    });
    // AND the answer is what the function PUT
    expect(answer).toEqual({
      Status: 'SUCCESS',
      Reason: 'made it',
      PhysicalResourceId: 'thing-1',
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: 'Thing',
      Data: { Kid: 'k1' },
    });
  });

  it('sends Update with the PhysicalResourceId, the old properties and the same StackId', async () => {
    // GIVEN
    const events: Event[] = [];
    local.registerFunction('provider', async (raw) => {
      const event = raw as Event;
      events.push(event);
      await putCustomResourceResponse(event.ResponseURL, answerOf(event) as never);
    });
    await local.runCustomResource('provider', REQUEST);

    // WHEN
    await local.runCustomResource('provider', {
      ...REQUEST,
      requestType: 'Update',
      physicalResourceId: 'thing-1',
      oldResourceProperties: { SecretId: 'old' },
    });

    // THEN
    expect(events[1]).toMatchObject({
      RequestType: 'Update',
      PhysicalResourceId: 'thing-1',
      StackId: events[0]!.StackId,
      OldResourceProperties: { SecretId: 'old' },
    });
    expect(events[1]!.RequestId).not.toBe(events[0]!.RequestId);
  });

  it('resolves with a FAILED answer, even when the function then fails', async () => {
    // GIVEN a function that answers FAILED, then throws (as the first-key resource does)
    local.registerFunction('provider', async (raw) => {
      const event = raw as Event;
      await putCustomResourceResponse(
        event.ResponseURL,
        answerOf(event, { Status: 'FAILED', Reason: 'secret x: no access' }) as never,
      );
      throw new Error('no access');
    });

    // WHEN / THEN
    await expect(local.runCustomResource('provider', REQUEST)).resolves.toMatchObject({
      Status: 'FAILED',
      Reason: 'secret x: no access',
    });
  });

  it('fails when the function throws without answering, once its invocation has ended', async () => {
    // GIVEN
    let ended = false;
    local.registerFunction('provider', async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ended = true;
      throw new Error('boom');
    });

    // WHEN
    const failure = (await local
      .runCustomResource('provider', REQUEST)
      .catch((error: unknown) => error)) as CustomResourceError;

    // THEN
    expect(ended).toBe(true);
    expect(failure.code).toBe('ERR_NO_RESPONSE');
    expect(failure.message).toContain('boom');
  });

  it('fails when the function returns without answering', async () => {
    local.registerFunction('provider', () => 'done');
    await expect(local.runCustomResource('provider', REQUEST)).rejects.toMatchObject({
      code: 'ERR_NO_RESPONSE',
    });
  });

  it.each([
    ['not JSON', () => 'SUCCESS'],
    ['not an object', () => '[]'],
    ['a Status other than SUCCESS or FAILED', (e: Event) => answerOf(e, { Status: 'OK' })],
    ['FAILED without a Reason', (e: Event) => answerOf(e, { Status: 'FAILED' })],
    ['an empty PhysicalResourceId', (e: Event) => answerOf(e, { PhysicalResourceId: '' })],
    [
      'a PhysicalResourceId over 1 KB',
      (e: Event) => answerOf(e, { PhysicalResourceId: 'p'.repeat(1025) }),
    ],
    ['another RequestId', (e: Event) => answerOf(e, { RequestId: 'other' })],
    ['no StackId', (e: Event) => answerOf(e, { StackId: undefined })],
    ['another LogicalResourceId', (e: Event) => answerOf(e, { LogicalResourceId: 'Other' })],
    ['Data that is not an object', (e: Event) => answerOf(e, { Data: 'k1' })],
    ['a body over 4096 bytes', (e: Event) => answerOf(e, { Data: { big: 'x'.repeat(4100) } })],
  ])('fails when the answer has %s', async (_name, body) => {
    // GIVEN a function that PUTs a malformed answer
    const statuses: number[] = [];
    local.registerFunction('provider', async (raw) => {
      const event = raw as Event;
      const answer = body(event);
      statuses.push(
        await put(event.ResponseURL, typeof answer === 'string' ? answer : JSON.stringify(answer)),
      );
    });

    // WHEN / THEN the upload is stored (S3 checks nothing), CloudFormation refuses the answer
    await expect(local.runCustomResource('provider', REQUEST)).rejects.toMatchObject({
      code: 'ERR_MALFORMED_RESPONSE',
    });
    expect(statuses).toEqual([200]);
  });

  it('refuses a PUT whose signature is not the presigned one, and an unknown request', async () => {
    // GIVEN
    const statuses: number[] = [];
    local.registerFunction('provider', async (raw) => {
      const event = raw as Event;
      const body = JSON.stringify(answerOf(event));
      const forged = new URL(event.ResponseURL);
      forged.searchParams.set('X-Amz-Signature', '0'.repeat(64));
      statuses.push(await put(forged.toString(), body));
      statuses.push(await put(`${local.endpoint}/cloudformation-response/unknown`, body));
    });

    // WHEN / THEN no answer arrived
    await expect(local.runCustomResource('provider', REQUEST)).rejects.toMatchObject({
      code: 'ERR_NO_RESPONSE',
    });
    expect(statuses).toEqual([403, 404]);
  });

  it.each([
    ['an unknown function', 'nobody', REQUEST, 'ERR_FUNCTION_NOT_FOUND'],
    [
      'an Update without a PhysicalResourceId',
      'provider',
      { ...REQUEST, requestType: 'Update' },
      'ERR_BAD_REQUEST',
    ],
    [
      'a resource type that is not Custom::',
      'provider',
      { ...REQUEST, resourceType: 'Thing' },
      'ERR_BAD_REQUEST',
    ],
  ] as const)('fails for %s, invoking nothing', async (_name, target, request, code) => {
    // GIVEN
    const invoked: unknown[] = [];
    local.registerFunction('provider', (event) => invoked.push(event));

    // WHEN / THEN
    await expect(
      local.runCustomResource(target, request as CustomResourceRequest),
    ).rejects.toMatchObject({ code });
    expect(invoked).toEqual([]);
  });
});
