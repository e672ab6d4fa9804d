/**
 * Contract tests for the local EventBridge PutEvents and Lambda Invoke, through the real SDK
 * clients: per-entry failures, refused aws.* sources, and a function error as Lambda reports it.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

import { type DeliveredEvent, type LocalAws, startLocalAws } from '../../local-aws';

describe('local EventBridge and Lambda', () => {
  let local: LocalAws;
  let events: EventBridgeClient;
  let lambda: LambdaClient;

  beforeEach(async () => {
    local = await startLocalAws({ clock: () => Date.UTC(2026, 0, 1) });
    events = new EventBridgeClient(local.clientConfig({ maxAttempts: 1 }));
    lambda = new LambdaClient(local.clientConfig({ maxAttempts: 1 }));
  });

  afterEach(async () => {
    events.destroy();
    lambda.destroy();
    await local.close();
  });

  describe('PutEvents', () => {
    it('records accepted entries and delivers them to subscribers in the rule-target shape', async () => {
      // GIVEN
      const delivered: DeliveredEvent[] = [];
      local.subscribe((event) => delivered.push(event));

      // WHEN
      const result = await events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: 'arn:aws:events:us-east-1:123456789012:event-bus/keys',
              Source: 'rotating-jwt-keys',
              DetailType: 'Something',
              Detail: JSON.stringify({ a: 1 }),
            },
          ],
        }),
      );

      // THEN
      expect(result.FailedEntryCount).toBe(0);
      expect(result.Entries?.[0]?.EventId).toBe(local.events[0]?.id);
      expect(local.events[0]).toMatchObject({ eventBusName: 'keys', detail: { a: 1 } });
      expect(delivered[0]).toMatchObject({
        source: 'rotating-jwt-keys',
        'detail-type': 'Something',
        time: '2026-01-01T00:00:00.000Z',
        detail: { a: 1 },
      });
    });

    it('fails each bad entry on its own: aws.* source, malformed detail', async () => {
      // WHEN
      const result = await events.send(
        new PutEventsCommand({
          Entries: [
            { Source: 'aws.secretsmanager', DetailType: 'x', Detail: '{}' },
            { Source: 'mine', DetailType: 'x', Detail: 'not json' },
            { Source: 'mine', DetailType: 'x', Detail: '{}' },
          ],
        }),
      );

      // THEN
      expect(result.FailedEntryCount).toBe(2);
      expect(result.Entries?.map((entry) => entry.ErrorCode)).toEqual([
        'NotAuthorizedForSourceException',
        'MalformedDetail',
        undefined,
      ]);
      expect(local.events).toHaveLength(1);
    });

    it('a partial fault answers 200 with every entry failed and records nothing', async () => {
      // GIVEN
      local.faults.inject({ operation: 'PutEvents', partial: true });

      // WHEN
      const result = await events.send(
        new PutEventsCommand({ Entries: [{ Source: 'mine', DetailType: 'x', Detail: '{}' }] }),
      );

      // THEN
      expect(result.FailedEntryCount).toBe(1);
      expect(local.events).toHaveLength(0);
    });

    it('fails when more than 10 entries are sent, with ValidationException', async () => {
      const entries = Array.from({ length: 11 }, () => ({
        Source: 'mine',
        DetailType: 'x',
        Detail: '{}',
      }));
      await expect(events.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
        name: 'ValidationException',
      });
    });
  });

  describe('Invoke', () => {
    it('returns the handler result as the payload', async () => {
      // GIVEN
      const arn = local.registerFunction('echo', (event) => ({ got: event }));

      // WHEN
      const result = await lambda.send(
        new InvokeCommand({ FunctionName: arn, Payload: Buffer.from(JSON.stringify({ x: 1 })) }),
      );

      // THEN
      expect(result.FunctionError).toBeUndefined();
      expect(JSON.parse(Buffer.from(result.Payload!).toString())).toEqual({ got: { x: 1 } });
    });

    it('reports a thrown error as FunctionError Unhandled with errorType and errorMessage', async () => {
      // GIVEN
      local.registerFunction('broken', () => {
        throw new TypeError('bad input');
      });

      // WHEN
      const result = await lambda.send(
        new InvokeCommand({ FunctionName: 'broken', Payload: Buffer.from('{}') }),
      );

      // THEN
      expect(result.FunctionError).toBe('Unhandled');
      expect(JSON.parse(Buffer.from(result.Payload!).toString())).toEqual({
        errorType: 'TypeError',
        errorMessage: 'bad input',
      });
    });

    it('fails when the function does not exist, with ResourceNotFoundException', async () => {
      await expect(
        lambda.send(new InvokeCommand({ FunctionName: 'missing', Payload: Buffer.from('{}') })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });
  });
});
