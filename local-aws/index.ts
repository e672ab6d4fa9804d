/**
 * A local AWS endpoint for tests and the offline demo: one HTTP server on 127.0.0.1 speaking
 * Secrets Manager's and EventBridge's JSON 1.1 protocols, Lambda's REST Invoke, S3's and
 * CloudFront's REST-XML, and serving each CloudFront distribution's viewer side under its own
 * URL, so the real AWS SDK clients and plain HTTP clients run unchanged against it. Never
 * shipped in the Lambda or the client.
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
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

import {
  CloudFrontService,
  cloudFrontErrorXml,
  cloudFrontTarget,
  type Distribution,
  DISTRIBUTION_PATH_PREFIX,
  type DistributionOptions,
} from './cloudfront';
import { type ViewerRequest } from './cloudfront-edge';
import {
  type CustomResourceRequest,
  type CustomResourceResponse,
  CustomResourceRunner,
} from './custom-resources';
import { type EventSubscriber, EventBridgeService, type PublishedEvent } from './eventbridge';
import { Faults, type FaultSpec, type HeldCall, type HoldSpec } from './faults';
import {
  FunctionError,
  LambdaFunctions,
  type LambdaHandler,
  type RegisterFunctionOptions,
} from './lambda-functions';
import { type RestResponse } from './rest';
import { type RotationLogEntry, type RotationResult, RotationRunner } from './rotation-runner';
import { S3Service, s3ErrorXml, s3Operation, s3Target, type StoredObject } from './s3';
import { REGION, SecretsManagerService } from './secrets-manager';
import { ServiceError } from './service-error';

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
export { ACCOUNT_ID, REGION } from './secrets-manager';

export interface LocalAwsOptions {
  /** The service's clock (epoch ms): version dates, rotation schedules, event times. */
  readonly clock?: () => number;
  /** How many times a failing rotation is attempted before it is marked failed. @default 3 */
  readonly rotationAttempts?: number;
}

export interface CallRecord {
  readonly service: 'secretsmanager' | 'events' | 'lambda' | 's3' | 'cloudfront';
  readonly operation: string;
  readonly secretId?: string;
  readonly versionStage?: string;
  readonly versionId?: string;
  /** S3 calls: the bucket and key. */
  readonly bucket?: string;
  readonly key?: string;
  /** CloudFront calls: the distribution. */
  readonly distributionId?: string;
  readonly at: number;
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

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const MAX_BODY_BYTES = 1024 * 1024;
/** A call a `hang` fault leaves unanswered. */
const UNANSWERED = Symbol('unanswered');

export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const clock = options.clock ?? Date.now;
  const faults = new Faults();
  const functions = new LambdaFunctions();
  const secretsManager = new SecretsManagerService(clock);
  const eventBridge = new EventBridgeService(clock);
  const runner = new RotationRunner(functions, faults, clock, options.rotationAttempts ?? 3);
  secretsManager.rotations = runner;
  const calls: CallRecord[] = [];
  let endpoint = '';
  const customResources = new CustomResourceRunner(functions, () => endpoint);
  const s3 = new S3Service(clock);
  const viewerRequests: ViewerRequest[] = [];
  const cloudFront = new CloudFrontService(s3, clock, () => endpoint, viewerRequests);

  const server = createServer((request, response) => {
    void handleRequest(request, response).catch((error: unknown) => {
      sendError(response, new ServiceError('InternalServiceError', errorMessage(error)));
    });
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith(DISTRIBUTION_PATH_PREFIX)) {
      await handleViewerRequest(request, url, response);
      return;
    }
    // A ResponseURL is presigned for S3, like CloudFormation's: it is served before S3 is.
    const responseUrl =
      request.method === 'PUT' && CustomResourceRunner.isResponsePath(url.pathname);
    const signingService = responseUrl ? undefined : signingServiceOf(request, url);
    if (signingService === 's3') {
      await handleS3(request, url, response);
      return;
    }
    if (signingService === 'cloudfront') {
      await handleCloudFront(request, url, response);
      return;
    }
    const body = await readBody(request);
    if (responseUrl) {
      const stored = customResources.upload(url, body.toString('utf8'));
      response
        .writeHead(stored.status, stored.body === '' ? {} : { 'content-type': 'application/xml' })
        .end(stored.body);
      return;
    }
    const invoke = INVOKE_PATH.exec(request.url ?? '');
    if (request.method === 'POST' && invoke !== null) {
      await handleInvoke(decodeURIComponent(invoke[1]!), request, body, response);
      return;
    }
    const target = request.headers['x-amz-target'];
    const [prefix, operation] = typeof target === 'string' ? target.split('.') : [];
    if (request.method !== 'POST' || operation === undefined) {
      sendError(
        response,
        new ServiceError('UnknownOperationException', `No such operation: ${String(target)}`),
      );
      return;
    }
    let input: Record<string, unknown>;
    try {
      input =
        body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
    } catch {
      sendError(
        response,
        new ServiceError('SerializationException', 'The request body is not valid JSON.'),
      );
      return;
    }
    try {
      let output: Record<string, unknown> | typeof UNANSWERED;
      if (prefix === 'secretsmanager') {
        output = await callSecretsManager(operation, input);
      } else if (prefix === 'AWSEvents') {
        output = callEventBridge(operation, input);
      } else {
        throw new ServiceError('UnknownOperationException', `No such service: ${prefix}`);
      }
      // An unanswered call keeps its connection open until close() drops it.
      if (output !== UNANSWERED) sendJson(response, output);
    } catch (error) {
      sendError(
        response,
        error instanceof ServiceError
          ? error
          : new ServiceError('InternalServiceError', errorMessage(error)),
      );
    }
  }

  async function callSecretsManager(
    operation: string,
    input: Record<string, unknown>,
  ): Promise<Record<string, unknown> | typeof UNANSWERED> {
    calls.push({
      service: 'secretsmanager',
      operation,
      secretId: stringOrUndefined(input.SecretId) ?? stringOrUndefined(input.Name),
      versionStage: stringOrUndefined(input.VersionStage),
      versionId: stringOrUndefined(input.VersionId),
      at: clock(),
    });
    return faults.run(operation, input, () => secretsManager.handle(operation, input), UNANSWERED);
  }

  function callEventBridge(
    operation: string,
    input: Record<string, unknown>,
  ): Record<string, unknown> | typeof UNANSWERED {
    calls.push({ service: 'events', operation, at: clock() });
    const fault = faults.take(operation, input);
    if (fault?.hang === true) return UNANSWERED;
    if (fault !== undefined && !fault.partial) throw fault.error;
    return eventBridge.handle(operation, input, fault?.partial === true);
  }

  async function handleS3(
    request: IncomingMessage,
    url: URL,
    response: ServerResponse,
  ): Promise<void> {
    const requestId = randomRequestId();
    const headOnly = request.method === 'HEAD';
    try {
      const target = s3Target(url.pathname);
      const operation =
        target === undefined
          ? undefined
          : s3Operation(request.method ?? '', target, url.searchParams, request.headers);
      if (target === undefined || operation === undefined) {
        throw new ServiceError(
          'NotImplemented',
          `local-aws does not implement ${request.method ?? ''} ${url.pathname}${url.search}`,
          501,
        );
      }
      calls.push({ service: 's3', operation, bucket: target.bucket, key: target.key, at: clock() });
      const body = await readBody(request).catch((error: unknown) => {
        if (!(error instanceof ServiceError)) throw error;
        throw new ServiceError(
          'EntityTooLarge',
          'Your proposed upload exceeds the maximum allowed size',
          400,
        );
      });
      const input = { Bucket: target.bucket, Key: target.key };
      const s3Request = { ...target, operation, headers: request.headers, body };
      const answer = await faults.run(
        operation,
        input,
        () => s3.handle(s3Request),
        UNANSWERED,
        'InternalError',
      );
      if (answer !== UNANSWERED) sendRest(response, answer, requestId);
    } catch (error) {
      const failure =
        error instanceof ServiceError
          ? error
          : new ServiceError('InternalError', errorMessage(error), 500);
      sendRest(
        response,
        {
          status: failure.statusCode,
          headers: headOnly ? {} : { 'content-type': 'application/xml' },
          body: headOnly ? undefined : s3ErrorXml(failure, requestId),
        },
        requestId,
      );
    }
  }

  async function handleCloudFront(
    request: IncomingMessage,
    url: URL,
    response: ServerResponse,
  ): Promise<void> {
    const requestId = crypto.randomUUID();
    try {
      const target = cloudFrontTarget(request.method ?? '', url.pathname);
      if (target === undefined) {
        throw new ServiceError(
          'NotImplemented',
          `local-aws does not implement ${request.method ?? ''} ${url.pathname}`,
          501,
        );
      }
      calls.push({
        service: 'cloudfront',
        operation: target.operation,
        distributionId: target.distributionId,
        at: clock(),
      });
      const body = await readBody(request);
      const cloudFrontRequest = { ...target, query: url.searchParams, body };
      const input = { DistributionId: target.distributionId, ...invalidationInput(body) };
      const answer = await faults.run(
        target.operation,
        input,
        () => cloudFront.handle(cloudFrontRequest),
        UNANSWERED,
        'InternalError',
      );
      if (answer !== UNANSWERED) sendRest(response, answer, requestId);
    } catch (error) {
      const failure =
        error instanceof ServiceError
          ? error
          : new ServiceError('InternalError', errorMessage(error), 500);
      sendRest(
        response,
        {
          status: failure.statusCode,
          headers: { 'content-type': 'text/xml' },
          body: cloudFrontErrorXml(failure, requestId),
        },
        requestId,
      );
    }
  }

  async function handleViewerRequest(
    request: IncomingMessage,
    url: URL,
    response: ServerResponse,
  ): Promise<void> {
    const rest = url.pathname.slice(DISTRIBUTION_PATH_PREFIX.length);
    const slash = rest.indexOf('/');
    const distributionId = slash < 0 ? rest : rest.slice(0, slash);
    const path = slash < 0 ? '/' : rest.slice(slash);
    const method = request.method ?? 'GET';
    const edge = cloudFront.edge(distributionId);
    if (edge === undefined) {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end(`local-aws has no distribution ${distributionId}`);
      return;
    }
    // The body of a viewer request is never used; drain it so the connection can be reused.
    request.resume();
    const input = { DistributionId: distributionId, Path: path, Method: method };
    const held = faults.takeHold('ViewerRequest', input);
    if (held !== undefined) await held;
    const fault = faults.take('ViewerRequest', input);
    if (fault?.hang === true) return;
    if (fault !== undefined) {
      viewerRequests.push({
        distributionId,
        path,
        method,
        status: fault.error.statusCode,
        servedFrom: 'origin',
        at: clock(),
      });
      response
        .writeHead(fault.error.statusCode, {
          'content-type': 'text/html',
          'x-cache': 'Error from cloudfront',
        })
        .end(
          method === 'HEAD'
            ? undefined
            : `<HTML><BODY><H1>${fault.error.statusCode} ERROR</H1></BODY></HTML>`,
        );
      return;
    }
    const answer = edge.serve(method, path, request.headers);
    response.writeHead(answer.status, answer.headers).end(answer.body);
  }

  async function handleInvoke(
    functionName: string,
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
  ): Promise<void> {
    calls.push({ service: 'lambda', operation: 'Invoke', at: clock() });
    const fault = faults.take('Invoke', { FunctionName: functionName });
    if (fault !== undefined) {
      sendError(response, fault.error);
      return;
    }
    if (!functions.exists(functionName)) {
      sendError(
        response,
        new ServiceError('ResourceNotFoundException', `Function not found: ${functionName}`, 404),
      );
      return;
    }
    let event: unknown;
    try {
      event = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      sendError(
        response,
        new ServiceError(
          'InvalidRequestContentException',
          'Could not parse request body into json',
        ),
      );
      return;
    }
    const invocationType = request.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (invocationType === 'Event') {
      void functions.invoke(functionName, event).catch(() => undefined);
      response.writeHead(202).end();
      return;
    }
    try {
      const result = await functions.invoke(functionName, event);
      response
        .writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' })
        .end(JSON.stringify(result ?? null));
    } catch (error) {
      const failure =
        error instanceof FunctionError ? error : new FunctionError('Error', errorMessage(error));
      response
        .writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' })
        .end(JSON.stringify({ errorType: failure.errorType, errorMessage: failure.errorMessage }));
    }
  }

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
    runScheduledRotations: () => {
      const started: string[] = [];
      for (const secret of secretsManager.secrets.values()) {
        const due = secretsManager.nextRotationDate(secret);
        if (due === undefined || due > clock()) continue;
        const token = secretsManager.startScheduledRotation(secret);
        if (token !== undefined) started.push(token);
      }
      return started;
    },
    events: eventBridge.events,
    subscribe: (subscriber) => eventBridge.subscribe(subscriber),
    rotationLog: runner.log,
    rotationResults: runner.results,
    get rotationFailures() {
      return runner.results.filter((result) => result.outcome === 'failed');
    },
    calls,
    faults: {
      inject: (spec) => faults.inject(spec),
      clear: () => faults.clear(),
      hold: (spec) => faults.hold(spec),
    },
    versionStages: (secretId) => secretsManager.versionIdsToStages(secretsManager.find(secretId)),
    close: () => closeServer(server),
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new ServiceError('ValidationException', 'Request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The service a SigV4 request was signed for (`s3`, `cloudfront`, …), from the credential
 * scope of its Authorization header or presigned query.
 */
function signingServiceOf(request: IncomingMessage, url: URL): string | undefined {
  const authorization = request.headers.authorization ?? '';
  const credential =
    /Credential=([^,\s]+)/.exec(authorization)?.[1] ?? url.searchParams.get('X-Amz-Credential');
  return credential?.split('/')[3];
}

/** What a fault's `when` sees of a CreateInvalidation body. */
function invalidationInput(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  const callerReference = /<CallerReference>([^<]*)<\/CallerReference>/.exec(text)?.[1];
  const paths = [...text.matchAll(/<Path>([^<]*)<\/Path>/g)].map((match) => match[1]);
  return callerReference === undefined ? {} : { CallerReference: callerReference, Paths: paths };
}

function randomRequestId(): string {
  return crypto.randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
}

function sendRest(response: ServerResponse, answer: RestResponse, requestId: string): void {
  if (response.headersSent) return;
  response
    .writeHead(answer.status, {
      ...answer.headers,
      'x-amz-request-id': requestId,
      'x-amzn-requestid': requestId,
    })
    .end(answer.body);
}

function sendJson(response: ServerResponse, output: Record<string, unknown>): void {
  response
    .writeHead(200, { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': crypto.randomUUID() })
    .end(JSON.stringify(output));
}

function sendError(response: ServerResponse, error: ServiceError): void {
  if (response.headersSent) return;
  response
    .writeHead(error.statusCode, {
      'content-type': JSON_CONTENT_TYPE,
      'x-amzn-errortype': error.type,
      'x-amzn-requestid': crypto.randomUUID(),
    })
    .end(JSON.stringify({ __type: error.type, message: error.message }));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
