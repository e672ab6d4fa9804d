/**
 * The rotation Lambda's entry (bundled by esbuild). Wires the environment and the real AWS SDK
 * clients into wireRotationHandler (wiring.ts); everything else lives in the modules it imports.
 * Endpoints come from the SDK's own AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL_EVENTBRIDGE,
 * AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_CLOUDFRONT, which is how tests point the bundle at
 * the local endpoint.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { loadConfig } from './config';
import { type RotationLogger } from './dependencies';
import { embeddedMetricSink } from './embedded-metrics';
import { wireRotationHandler } from './wiring';

// Cold start: a wrong setting fails here, naming the variable, before any secret is touched.
const config = loadConfig(process.env);
const powertools = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'jwt-key-rotation',
});
const logger: RotationLogger = {
  info: (message, fields = {}) => {
    powertools.info(message, fields);
  },
  warn: (message, fields = {}) => {
    powertools.warn(message, fields);
  },
  error: (message, fields = {}) => {
    powertools.error(message, fields);
  },
};

export const handler = wireRotationHandler({
  clients: {
    secretsManager: new SecretsManagerClient({}),
    eventBridge: new EventBridgeClient({}),
    // Only an asymmetric key's function publishes (loadConfig requires the key set's settings);
    // its S3 and CloudFront clients are made when it first does (see key-set-store.ts).
    ...(config.keySet !== undefined && {
      keySet: async () => {
        const [{ S3Client }, { CloudFrontClient }] = await Promise.all([
          import('@aws-sdk/client-s3'),
          import('@aws-sdk/client-cloudfront'),
        ]);
        return { s3: new S3Client({}), cloudFront: new CloudFrontClient({}) };
      },
    }),
  },
  config,
  logger,
  metrics: embeddedMetricSink(),
});
