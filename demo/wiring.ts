/**
 * The real parts, wired to the local endpoint and a simulated clock: the rotation handler (as
 * Secrets Manager would invoke it) and application instances built on JwtKeyRing, each with its
 * own SecretsManagerClient whose calls are counted.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { JwtKeyRing, JwtKeyRingError } from '../client';
import { createRotationHandler } from '../lambda/rotation/create-rotation-handler';
import { EventBridgePublisher } from '../lambda/rotation/event-publisher';
import { SdkSecretsStore } from '../lambda/rotation/secrets-store';
import { type LambdaHandler, type LocalAws } from '../local-aws';

export interface RotationFunctionSettings {
  readonly clock: () => number;
  readonly gracePeriodSeconds: number;
  readonly eventBusName: string;
}

/** The rotation Lambda's logic with the real SDK clients pointed at the local endpoint. */
export function createRotationFunction(
  local: LocalAws,
  settings: RotationFunctionSettings,
): LambdaHandler {
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const handler = createRotationHandler({
    secrets: new SdkSecretsStore(new SecretsManagerClient(local.clientConfig())),
    events: new EventBridgePublisher(
      new EventBridgeClient(local.clientConfig()),
      settings.eventBusName,
    ),
    config: {
      algorithm: 'HS256',
      gracePeriodSeconds: settings.gracePeriodSeconds,
      eventBusName: settings.eventBusName,
    },
    clock: settings.clock,
    logger: quiet,
  });
  return (event) => handler(event);
}

export interface FleetInstanceSettings {
  readonly secretId: string;
  readonly clock: () => number;
  readonly cacheTtlMs: number;
  readonly clockToleranceSeconds: number;
}

export interface FleetInstance {
  sign(lifetimeSeconds: number): Promise<{ token: string; kid: string }>;
  verify(
    token: string,
  ): Promise<{ accepted: true; stage: string } | { accepted: false; code: string }>;
  /** Loads the keys now: called at a different time for each instance, so caches are out of phase. */
  warmUp(): Promise<void>;
  handleRotationEvent(event: unknown): void;
  secretsManagerCalls(): number;
  close(): void;
}

export function createFleetInstance(
  local: LocalAws,
  settings: FleetInstanceSettings,
): FleetInstance {
  const client = new SecretsManagerClient(local.clientConfig());
  let calls = 0;
  client.middlewareStack.add(
    (next) => (args) => {
      calls += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  const ring = new JwtKeyRing({
    secretId: settings.secretId,
    client,
    clock: settings.clock,
    cacheTtlMs: settings.cacheTtlMs,
    clockToleranceSeconds: settings.clockToleranceSeconds,
    issuer: 'https://demo.example',
    audience: 'demo-api',
  });
  return {
    async sign(lifetimeSeconds) {
      const token = await ring.sign({ sub: 'user' }, { expiresIn: lifetimeSeconds });
      const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as {
        kid: string;
      };
      return { token, kid: header.kid };
    },
    async verify(token) {
      try {
        const { stage } = await ring.verify(token);
        return { accepted: true, stage };
      } catch (error) {
        if (error instanceof JwtKeyRingError) return { accepted: false, code: error.code };
        throw error;
      }
    },
    warmUp: () => ring.refresh(),
    handleRotationEvent(event) {
      ring.handleRotationEvent(event).catch(() => undefined);
    },
    secretsManagerCalls: () => calls,
    close: () => client.destroy(),
  };
}
