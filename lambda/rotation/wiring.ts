/**
 * The rotation handler wired to AWS SDK clients: the one wiring the deployed function
 * (handler.ts), the demo and the tests share, so all three run the same stores and publisher
 * and differ only in the clients, clock and logger they hand in.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { createRotationHandler, type RotationHandler } from './create-rotation-handler';
import { type RotationDependencies } from './dependencies';
import { ConfigurationError } from './errors';
import { EventBridgePublisher } from './event-publisher';
import { type KeySetClients, type KeySetStore, SdkKeySetStore } from './key-set-store';
import { SdkSecretsStore, type SecretsStore } from './secrets-store';

export interface RotationClients {
  readonly secretsManager: SecretsManagerClient;
  readonly eventBridge: EventBridgeClient;
  /**
   * S3 and CloudFront, where `config.keySet` says the key set is published; or how to make them
   * when the set is first written (the deployed function: an HMAC key's never loads them).
   * @default none: nothing is published
   */
  readonly keySet?: KeySetClients | (() => Promise<KeySetClients>);
}

export interface RotationWiring extends Omit<
  RotationDependencies,
  'secrets' | 'events' | 'keySetStore'
> {
  readonly clients: RotationClients;
  /** Wraps the Secrets Manager access, e.g. to hold a call at a chosen moment. @default none */
  readonly wrapSecrets?: (store: SecretsStore) => SecretsStore;
  /** Where the key set is written, in place of `clients.keySet`. @default from `clients.keySet` */
  readonly keySetStore?: KeySetStore;
}

/**
 * @example
 * export const handler = wireRotationHandler({
 *   clients: { secretsManager: new SecretsManagerClient({}), eventBridge: new EventBridgeClient({}) },
 *   config: loadConfig(process.env),
 *   logger,
 * });
 */
export function wireRotationHandler(wiring: RotationWiring): RotationHandler {
  const { clients, wrapSecrets, keySetStore, ...dependencies } = wiring;
  const secrets = new SdkSecretsStore(clients.secretsManager);
  return createRotationHandler({
    ...dependencies,
    secrets: wrapSecrets === undefined ? secrets : wrapSecrets(secrets),
    events: new EventBridgePublisher(clients.eventBridge, dependencies.config.eventBusName),
    ...(keySetStore !== undefined && { keySetStore }),
    ...(keySetStore === undefined &&
      clients.keySet !== undefined && {
        keySetStore: new SdkKeySetStore(clients.keySet, keySetTarget(wiring)),
      }),
  });
}

function keySetTarget(wiring: RotationWiring): {
  readonly bucketName: string;
  readonly distributionId: string;
} {
  const target = wiring.config.keySet;
  if (target === undefined) {
    throw new ConfigurationError(
      'S3 and CloudFront clients were given without config.keySet (where the key set is published)',
    );
  }
  return target;
}
