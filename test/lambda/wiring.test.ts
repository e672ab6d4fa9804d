/** The one wiring of the rotation handler: what it refuses before any invocation. */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { type RotationConfig } from '../../lambda/rotation/config';
import { type KeySetStore } from '../../lambda/rotation/key-set-store';
import { type RotationWiring, wireRotationHandler } from '../../lambda/rotation/wiring';

const CLIENT_CONFIG = {
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
};
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const KEY_SET = {
  bucketName: 'keys',
  distributionId: 'E123',
  issuer: 'https://d111111abcdef8.cloudfront.net',
  maxAgeSeconds: 300,
};
const store: KeySetStore = { put: () => Promise.resolve(), invalidate: () => Promise.resolve('') };

describe('Function: wireRotationHandler', () => {
  const clients = {
    secretsManager: new SecretsManagerClient(CLIENT_CONFIG),
    eventBridge: new EventBridgeClient(CLIENT_CONFIG),
  };
  const keySetClients = {
    s3: new S3Client(CLIENT_CONFIG),
    cloudFront: new CloudFrontClient(CLIENT_CONFIG),
  };

  afterAll(() => {
    for (const client of [...Object.values(clients), ...Object.values(keySetClients)]) {
      client.destroy();
    }
  });

  function wiring(
    config: Partial<RotationConfig>,
    extra: Partial<RotationWiring> = {},
  ): RotationWiring {
    return {
      clients,
      config: { algorithm: 'ES256', gracePeriodSeconds: 3600, eventBusName: 'jwt', ...config },
      logger: quiet,
      ...extra,
    };
  }

  it.each<[string, RotationWiring]>([
    ['nothing published', wiring({ algorithm: 'HS256' })],
    [
      'the key set from its clients',
      wiring({ keySet: KEY_SET }, { clients: { ...clients, keySet: keySetClients } }),
    ],
    [
      'the key set from made-on-first-use clients',
      wiring(
        { keySet: KEY_SET },
        { clients: { ...clients, keySet: () => Promise.resolve(keySetClients) } },
      ),
    ],
    ['the key set through a store of its own', wiring({ keySet: KEY_SET }, { keySetStore: store })],
  ])('wires a handler: %s', (_, given) => {
    expect(typeof wireRotationHandler(given)).toBe('function');
  });

  it.each<[string, RotationWiring, RegExp]>([
    [
      'key set clients without config.keySet',
      wiring({}, { clients: { ...clients, keySet: keySetClients } }),
      /clients were given without config.keySet/,
    ],
    [
      'config.keySet without clients or store',
      wiring({ keySet: KEY_SET }),
      /without a key set store/,
    ],
    [
      'a key set for HMAC keys',
      wiring({ algorithm: 'HS256', keySet: KEY_SET }, { keySetStore: store }),
      /never published/,
    ],
  ])('refuses %s (ERR_CONFIGURATION)', (_, given, message) => {
    expect(() => wireRotationHandler(given)).toThrow(message);
    expect(() => wireRotationHandler(given)).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIGURATION' }),
    );
  });
});
