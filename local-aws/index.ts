/**
 * A local AWS endpoint for tests and the offline demo: one HTTP server on 127.0.0.1 speaking
 * Secrets Manager's and EventBridge's JSON 1.1 protocols and Lambda's REST Invoke, so the real
 * AWS SDK clients run unchanged against it. Never shipped in the Lambda or the client.
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
 * ```
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

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
import { type RotationLogEntry, type RotationResult, RotationRunner } from './rotation-runner';
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
export { ACCOUNT_ID, REGION } from './secrets-manager';

export interface LocalAwsOptions {
  /** The service's clock (epoch ms): version dates, rotation schedules, event times. */
  readonly clock?: () => number;
  /** How many times a failing rotation is attempted before it is marked failed. @default 3 */
  readonly rotationAttempts?: number;
}

export interface CallRecord {
  readonly service: 'secretsmanager' | 'events' | 'lambda';
  readonly operation: string;
  readonly secretId?: string;
  readonly versionStage?: string;
  readonly versionId?: string;
  readonly at: number;
}

export interface ClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly maxAttempts?: number;
}

export interface LocalAws {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Config for any AWS SDK v3 client: this endpoint, a region and dummy credentials. */
  clientConfig(overrides?: { readonly maxAttempts?: number }): ClientConfig;
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
  /** Every API call received (no secret values). */
  readonly calls: readonly CallRecord[];
  /**
   * Faults to inject; `hold` holds the next matching call until released, processing it then,
   * to force an interleaving (a read answered after a label move that began after it).
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

  const server = createServer((request, response) => {
    void handleRequest(request, response).catch((error: unknown) => {
      sendError(response, new ServiceError('InternalServiceError', errorMessage(error)));
    });
  });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'PUT' && CustomResourceRunner.isResponsePath(url.pathname)) {
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
    const held = faults.takeHold(operation, input);
    if (held !== undefined) await held;
    const fault = faults.take(operation, input);
    if (fault === undefined) return secretsManager.handle(operation, input);
    if (fault.partial) secretsManager.handle(operation, input);
    if (fault.hang) return UNANSWERED;
    throw fault.error;
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

  return {
    endpoint,
    clientConfig: (overrides = {}) => ({
      endpoint,
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      ...overrides,
    }),
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
