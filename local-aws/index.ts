/**
 * A local AWS endpoint for tests and the offline demo: one HTTP server on 127.0.0.1 speaking
 * Secrets Manager's and EventBridge's JSON 1.1 protocols, Lambda's REST Invoke, S3's and
 * CloudFront's REST-XML, and serving each CloudFront distribution's viewer side under its own
 * URL, so the real AWS SDK clients and plain HTTP clients run unchanged against it. Never
 * shipped in the Lambda or the client. Here the services are wired together; router.ts hands
 * each request to its protocol's adapter (protocols/), and every adapter lets faults and holds
 * reach its calls through Faults.apply.
 *
 * ```ts
 * const local = await startLocalAws({ clock: () => fakeNow });
 * const sm = new SecretsManagerClient(local.clientConfig());
 * const arn = local.registerFunction('rotation', (event) => handler(event));
 * await sm.send(new RotateSecretCommand({ SecretId, RotationLambdaARN: arn }));
 * await local.rotationsSettled();
 * const answer = await local.runCustomResource(arn, {
 *   requestType: 'Create', resourceType: 'Custom::Thing', logicalResourceId: 'Thing',
 *   resourceProperties: { SecretId },
 * });
 * const s3 = new S3Client(local.s3ClientConfig());
 * local.createBucket('jwks-bucket');
 * const distribution = local.createDistribution({ bucket: 'jwks-bucket' });
 * const cloudFront = new CloudFrontClient(local.clientConfig());
 * // PutObject, CreateInvalidation; readers fetch `${distribution.url}/.well-known/jwks.json`.
 * ```
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

import { CallLog, type CallRecord } from './call-log';
import { CloudFrontService, type Distribution, type DistributionOptions } from './cloudfront';
import { type ViewerRequest } from './cloudfront-edge';
import {
  type CustomResourceRequest,
  type CustomResourceResponse,
  CustomResourceRunner,
} from './custom-resources';
import { type EventSubscriber, EventBridgeService, type PublishedEvent } from './eventbridge';
import { Faults, type FaultSpec, type HeldCall, type HoldSpec } from './faults';
import { closeServer } from './http';
import {
  LambdaFunctions,
  type LambdaHandler,
  type RegisterFunctionOptions,
} from './lambda-functions';
import { cloudFrontRoute } from './protocols/cloudfront';
import { cloudFrontViewerRoute } from './protocols/cloudfront-viewer';
import { eventBridgeProtocol } from './protocols/eventbridge';
import { jsonRoute } from './protocols/json';
import { lambdaInvokeRoute } from './protocols/lambda';
import { responseUrlRoute } from './protocols/response-url';
import { s3Route } from './protocols/s3';
import { secretsManagerProtocol } from './protocols/secrets-manager';
import { type RotationLogEntry, type RotationResult, RotationRunner } from './rotation-runner';
import { createRouter } from './router';
import { S3Service, type StoredObject } from './s3';
import { REGION, SecretsManagerService } from './secrets-manager';

export { ServiceError } from './service-error';
export { CustomResourceError } from './custom-resources';
export type {
  CustomResourceErrorCode,
  CustomResourceRequest,
  CustomResourceRequestType,
  CustomResourceResponse,
} from './custom-resources';
export type { DeliveredEvent, EventSubscriber, PublishedEvent } from './eventbridge';
export type { FaultSpec, HeldCall, HoldSpec } from './faults';
export type { LambdaContext, LambdaHandler, RegisterFunctionOptions } from './lambda-functions';
export type { RotationLogEntry, RotationResult } from './rotation-runner';
export type { Distribution, DistributionOptions } from './cloudfront';
export type { CachePolicy, ViewerRequest } from './cloudfront-edge';
export type { StoredObject } from './s3';
export type { CallRecord } from './call-log';
export { ACCOUNT_ID, REGION } from './secrets-manager';

export interface LocalAwsOptions {
  /** The service's clock (epoch ms): version dates, rotation schedules, event times. */
  readonly clock?: () => number;
  /** How many times a failing rotation is attempted before it is marked failed. @default 3 */
  readonly rotationAttempts?: number;
}

export interface ClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly maxAttempts?: number;
}

/** S3 needs path-style addressing: `<endpoint>/<bucket>/<key>`. */
export interface S3ClientConfig extends ClientConfig {
  readonly forcePathStyle: true;
}

export interface LocalAws {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Config for any AWS SDK v3 client: this endpoint, a region and dummy credentials. */
  clientConfig(overrides?: { readonly maxAttempts?: number }): ClientConfig;
  /** Config for an S3Client: clientConfig with path-style addressing. */
  s3ClientConfig(overrides?: { readonly maxAttempts?: number }): S3ClientConfig;
  /** Creates an S3 bucket (as CreateBucket would). */
  createBucket(name: string): void;
  /** An object as S3 stores it (body, headers, ETag, checksum), or undefined. */
  readObject(bucket: string, key: string): StoredObject | undefined;
  /**
   * Creates a CloudFront distribution serving the bucket through origin access control, with
   * CachingOptimized's TTLs unless told otherwise. Its viewer side answers at `url`.
   */
  createDistribution(options: DistributionOptions): Distribution;
  /** Every request to a distribution's viewer side: served from its cache or the bucket. */
  readonly viewerRequests: readonly ViewerRequest[];
  /** How many requests for a distribution (and path) were answered by reading the bucket. */
  originFetches(distributionId: string, path?: string): number;
  /** Registers a Lambda handler; returns its ARN (for RotationLambdaARN or Invoke). */
  registerFunction(name: string, handler: LambdaHandler, options?: RegisterFunctionOptions): string;
  /** Invokes a registered function as an EventBridge rule target would; rejects on its error. */
  invokeFunction(nameOrArn: string, event: unknown): Promise<unknown>;
  /**
   * Runs a Lambda-backed custom resource operation as CloudFormation does: the request event
   * with a ResponseURL on this endpoint, the function invoked, its PUT awaited. Resolves with
   * the answer (FAILED too) once the invocation has ended; rejects with a CustomResourceError
   * when the function ends without answering or answers a malformed document.
   */
  runCustomResource(
    functionNameOrArn: string,
    request: CustomResourceRequest,
  ): Promise<CustomResourceResponse>;
  /** Resolves once every rotation started so far has succeeded or failed. */
  rotationsSettled(): Promise<void>;
  /** Starts the rotations whose schedule is due at the clock's time; returns their tokens. */
  runScheduledRotations(): string[];
  /** Every PutEvents entry accepted, in order. */
  readonly events: readonly PublishedEvent[];
  /** Delivers each accepted event, as a rule target would receive it. Returns an unsubscribe. */
  subscribe(subscriber: EventSubscriber): () => void;
  /** Every step invocation of every rotation. */
  readonly rotationLog: readonly RotationLogEntry[];
  /** How each rotation ended. */
  readonly rotationResults: readonly RotationResult[];
  /** The rotations that failed after all their attempts. */
  readonly rotationFailures: readonly RotationResult[];
  /** Every API call received (no secret values, no object bodies). */
  readonly calls: readonly CallRecord[];
  /**
   * Faults to inject; `hold` holds the next matching call until released, processing it then,
   * to force an interleaving (a read answered after a label move that began after it).
   * S3 and CloudFront operations match on `{ Bucket, Key }` and `{ DistributionId,
   * CallerReference, Paths }`; their default error is `InternalError` (500; `SlowDown` is
   * 503). Operation `ViewerRequest` (`{ DistributionId, Path, Method }`) fails a request to a
   * distribution with the error's status, as CloudFront answers when its origin fails.
   */
  readonly faults: {
    inject(spec: FaultSpec): void;
    clear(): void;
    hold(spec: HoldSpec): HeldCall;
  };
  /** VersionIdsToStages of a secret (by name or ARN). */
  versionStages(secretId: string): Record<string, string[]>;
  close(): Promise<void>;
}

export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const clock = options.clock ?? Date.now;
  const faults = new Faults();
  const log = new CallLog(clock);
  const functions = new LambdaFunctions();
  const runner = new RotationRunner(functions, faults, clock, options.rotationAttempts ?? 3);
  const secretsManager = new SecretsManagerService(clock, runner);
  const eventBridge = new EventBridgeService(clock);
  let endpoint = '';
  const customResources = new CustomResourceRunner(functions, () => endpoint);
  const s3 = new S3Service(clock);
  const viewerRequests: ViewerRequest[] = [];
  const cloudFront = new CloudFrontService(s3, clock, () => endpoint, viewerRequests);

  // In the order the router tries them: the JSON 1.1 services answer what no other route does.
  const server = createServer(
    createRouter([
      cloudFrontViewerRoute(cloudFront, faults, viewerRequests, clock),
      responseUrlRoute(customResources),
      s3Route(s3, faults, log),
      cloudFrontRoute(cloudFront, faults, log),
      lambdaInvokeRoute(functions, faults, log),
      jsonRoute([
        secretsManagerProtocol(secretsManager, faults, log),
        eventBridgeProtocol(eventBridge, faults, log),
      ]),
    ]),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  endpoint = `http://127.0.0.1:${port}`;

  function clientConfig(overrides: { readonly maxAttempts?: number } = {}): ClientConfig {
    return {
      endpoint,
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      ...overrides,
    };
  }

  return {
    endpoint,
    clientConfig,
    s3ClientConfig: (overrides = {}) => ({ ...clientConfig(overrides), forcePathStyle: true }),
    createBucket: (name) => {
      s3.createBucket(name);
    },
    readObject: (bucket, key) => s3.find(bucket, key),
    createDistribution: (distributionOptions) => cloudFront.createDistribution(distributionOptions),
    viewerRequests,
    originFetches: (distributionId, path) =>
      viewerRequests.filter(
        (entry) =>
          entry.distributionId === distributionId &&
          entry.servedFrom === 'origin' &&
          (path === undefined || entry.path === path),
      ).length,
    registerFunction: (name, handler, registerOptions) =>
      functions.register(name, handler, registerOptions),
    invokeFunction: (nameOrArn, event) => functions.invoke(nameOrArn, event),
    runCustomResource: (functionNameOrArn, request) =>
      customResources.run(functionNameOrArn, request),
    rotationsSettled: () => runner.settled(),
    runScheduledRotations: () => runScheduledRotations(secretsManager, clock),
    events: eventBridge.events,
    subscribe: (subscriber) => eventBridge.subscribe(subscriber),
    rotationLog: runner.log,
    rotationResults: runner.results,
    get rotationFailures() {
      return runner.results.filter((result) => result.outcome === 'failed');
    },
    calls: log.calls,
    faults: {
      inject: (spec) => faults.inject(spec),
      clear: () => faults.clear(),
      hold: (spec) => faults.hold(spec),
    },
    versionStages: (secretId) => secretsManager.versionIdsToStages(secretsManager.find(secretId)),
    close: () => closeServer(server),
  };
}

/** Starts the rotations whose schedule is due at the clock's time, as the service's scheduler would. */
function runScheduledRotations(
  secretsManager: SecretsManagerService,
  clock: () => number,
): string[] {
  const started: string[] = [];
  for (const secret of secretsManager.secrets.values()) {
    const due = secretsManager.nextRotationDate(secret);
    if (due === undefined || due > clock()) continue;
    const token = secretsManager.startScheduledRotation(secret);
    if (token !== undefined) started.push(token);
  }
  return started;
}
