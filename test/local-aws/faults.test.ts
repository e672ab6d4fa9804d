/**
 * Faults reach every protocol one way (Faults.apply): a hold holds any operation's call until
 * it is released, and a fault answers as its protocol fails. Lambda's Invoke and EventBridge's
 * PutEvents, which once took faults their own way, honour holds and the documented partial
 * fault like every other operation.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { type LocalAws, startLocalAws } from '../../local-aws';

describe('local-aws faults', () => {
  let local: LocalAws;
  let events: EventBridgeClient;
  let lambda: LambdaClient;
  let secretsManager: SecretsManagerClient;
  let invocations: number;

  beforeEach(async () => {
    local = await startLocalAws({ clock: () => Date.UTC(2026, 0, 1) });
    events = new EventBridgeClient(local.clientConfig({ maxAttempts: 1 }));
    lambda = new LambdaClient(local.clientConfig({ maxAttempts: 1 }));
    secretsManager = new SecretsManagerClient(local.clientConfig({ maxAttempts: 1 }));
    invocations = 0;
    local.registerFunction('echo', (event) => {
      invocations += 1;
      return event;
    });
  });

  afterEach(async () => {
    events.destroy();
    lambda.destroy();
    secretsManager.destroy();
    await local.close();
  });

  const calls: Record<string, () => Promise<unknown>> = {
    CreateSecret: () => secretsManager.send(new CreateSecretCommand({ Name: 'app/jwt' })),
    PutEvents: () =>
      events.send(
        new PutEventsCommand({
          Entries: [{ Source: 'rotating-jwt-keys', DetailType: 'Held', Detail: '{}' }],
        }),
      ),
    Invoke: () => lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{}' })),
  };

  it.each(Object.keys(calls))(
    'holds a %s call until it is released, then answers it',
    async (operation) => {
      // GIVEN a hold on the operation
      const held = local.faults.hold({ operation });
      let answered = false;

      // WHEN the call arrives
      const call = calls[operation]!().then(() => (answered = true));
      await held.arrived;

      // THEN it waits for the release, and is answered after it
      expect(answered).toBe(false);
      held.release();
      await call;
      expect(answered).toBe(true);
    },
  );

  it('a partial Invoke fault runs the function, then fails the call (its answer was lost)', async () => {
    // GIVEN
    local.faults.inject({ operation: 'Invoke', error: 'ServiceException', partial: true });

    // WHEN
    const failure = await calls.Invoke!().catch((error: unknown) => error);

    // THEN the function ran once, and the caller saw the service's error
    expect(invocations).toBe(1);
    expect(failure).toMatchObject({ name: 'ServiceException' });
  });

  it('a plain Invoke fault fails the call without running the function', async () => {
    // GIVEN
    local.faults.inject({ operation: 'Invoke', error: 'TooManyRequestsException' });

    // WHEN
    const failure = await calls.Invoke!().catch((error: unknown) => error);

    // THEN
    expect(invocations).toBe(0);
    expect(failure).toMatchObject({ name: 'TooManyRequestsException' });
  });
});
