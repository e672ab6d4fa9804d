/**
 * What CloudFormation does for a Lambda-backed custom resource, on the local endpoint: it builds
 * the request event (StackId, RequestId, a presigned ResponseURL, ResourceType,
 * LogicalResourceId, ResourceProperties with the ServiceToken), invokes the function, and waits
 * for the function's answer, a PUT of a JSON document to the ResponseURL, not for the function's
 * return value. The ResponseURL points at this endpoint (`PUT /cloudformation-response/<id>`),
 * standing in for the presigned S3 URL; a PUT with another signature is refused, as S3 refuses it.
 *
 * The answer is checked as CloudFormation checks it: Status SUCCESS or FAILED, a Reason with
 * FAILED, a non-empty PhysicalResourceId of at most 1 KB, StackId, RequestId and
 * LogicalResourceId copied from the request, Data an object, the whole at most 4096 bytes.
 *
 * Differences from AWS, on purpose: one invocation (Lambda's retries of a failed asynchronous
 * invocation are not simulated); and the runner settles once the invocation has ended too, so
 * that nothing the function still does races what a test does next. A function that ends
 * without answering would hold a real stack until its ServiceTimeout: here the run rejects.
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { type LambdaFunctions } from './lambda-functions';
import { ACCOUNT_ID, REGION } from './secrets-manager';

export const CUSTOM_RESOURCE_REQUEST_TYPES = ['Create', 'Update', 'Delete'] as const;
export type CustomResourceRequestType = (typeof CUSTOM_RESOURCE_REQUEST_TYPES)[number];

/** What the template and the stack operation decide; the runner fills in the rest. */
export interface CustomResourceRequest {
  readonly requestType: CustomResourceRequestType;
  /** `Custom::<Name>` (or `AWS::CloudFormation::CustomResource`). */
  readonly resourceType: string;
  readonly logicalResourceId: string;
  /** The resource's Properties, without ServiceToken (the runner adds it). @default {} */
  readonly resourceProperties?: Readonly<Record<string, unknown>>;
  /** Update only: the properties before the update. */
  readonly oldResourceProperties?: Readonly<Record<string, unknown>>;
  /** Required on Update and Delete: what the function answered before. */
  readonly physicalResourceId?: string;
  /** Requests for the same stack name share one StackId. @default 'local-stack' */
  readonly stackName?: string;
}

/** The function's answer, as CloudFormation reads it from the ResponseURL. */
export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Readonly<Record<string, unknown>>;
}

export type CustomResourceErrorCode =
  'ERR_BAD_REQUEST' | 'ERR_FUNCTION_NOT_FOUND' | 'ERR_NO_RESPONSE' | 'ERR_MALFORMED_RESPONSE';

/** Why a custom resource operation failed without a valid answer (a FAILED answer resolves). */
export class CustomResourceError extends Error {
  constructor(
    readonly code: CustomResourceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CustomResourceError';
  }
}

/** The PUT an answer arrives in: what the server needs to reply as S3 would. */
export interface ResponseUpload {
  readonly status: number;
  readonly body: string;
}

export const RESPONSE_PATH_PREFIX = '/cloudformation-response/';
/** CloudFormation's limits on the answer. */
const MAX_RESPONSE_BYTES = 4096;
const MAX_PHYSICAL_ID_BYTES = 1024;
/** An answer sent without being awaited may arrive just after the invocation ends. */
const LATE_ANSWER_MS = 200;

interface PendingRequest {
  readonly signature: string;
  readonly event: Readonly<Record<string, unknown>>;
  /** Each PUT body, in order (S3 keeps the last; CloudFormation goes on with the first). */
  readonly uploads: string[];
  answered: (() => void) | undefined;
}

export class CustomResourceRunner {
  private readonly pending = new Map<string, PendingRequest>();
  private readonly stackIds = new Map<string, string>();

  constructor(
    private readonly functions: LambdaFunctions,
    private readonly endpoint: () => string,
  ) {}

  async run(
    functionNameOrArn: string,
    request: CustomResourceRequest,
  ): Promise<CustomResourceResponse> {
    checkRequest(request);
    const serviceToken = this.functions.arnOf(functionNameOrArn);
    if (serviceToken === undefined) {
      throw new CustomResourceError(
        'ERR_FUNCTION_NOT_FOUND',
        `ServiceToken names no function: ${functionNameOrArn}`,
      );
    }
    const requestId = randomUUID();
    const signature = randomBytes(32).toString('hex');
    const event = {
      RequestType: request.requestType,
      ServiceToken: serviceToken,
      ResponseURL: this.responseUrl(requestId, signature),
      StackId: this.stackId(request.stackName ?? 'local-stack'),
      RequestId: requestId,
      LogicalResourceId: request.logicalResourceId,
      ResourceType: request.resourceType,
      ...(request.physicalResourceId !== undefined && {
        PhysicalResourceId: request.physicalResourceId,
      }),
      ResourceProperties: { ServiceToken: serviceToken, ...request.resourceProperties },
      ...(request.requestType === 'Update' && {
        OldResourceProperties: { ServiceToken: serviceToken, ...request.oldResourceProperties },
      }),
    };
    const entry: PendingRequest = { signature, event, uploads: [], answered: undefined };
    const answered = new Promise<void>((resolve) => (entry.answered = resolve));
    this.pending.set(requestId, entry);
    try {
      let invocationError: unknown;
      try {
        await this.functions.invoke(serviceToken, event);
      } catch (error) {
        invocationError = error;
      }
      if (entry.uploads.length === 0) await Promise.race([answered, delay(LATE_ANSWER_MS)]);
      const body = entry.uploads[0];
      if (body === undefined) {
        const how =
          invocationError === undefined
            ? 'returned'
            : `failed (${invocationError instanceof Error ? invocationError.message : String(invocationError)})`;
        throw new CustomResourceError(
          'ERR_NO_RESPONSE',
          `${request.resourceType} ${request.logicalResourceId}: the function ${how} without ` +
            'answering on the ResponseURL; CloudFormation would fail the resource at its ServiceTimeout',
          { cause: invocationError },
        );
      }
      return parseResponse(body, event);
    } finally {
      this.pending.delete(requestId);
    }
  }

  /** Whether a request path is a ResponseURL of this runner. */
  static isResponsePath(path: string): boolean {
    return path.startsWith(RESPONSE_PATH_PREFIX);
  }

  /** A PUT to a ResponseURL: stored as S3 stores an object, if the signature is the one issued. */
  upload(url: URL, body: string): ResponseUpload {
    const requestId = decodeURIComponent(url.pathname.slice(RESPONSE_PATH_PREFIX.length));
    const entry = this.pending.get(requestId);
    if (entry === undefined) return s3Error(404, 'NoSuchUpload', 'No request awaits this answer.');
    if (url.searchParams.get('X-Amz-Signature') !== entry.signature) {
      return s3Error(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    }
    entry.uploads.push(body);
    entry.answered?.();
    return { status: 200, body: '' };
  }

  private responseUrl(requestId: string, signature: string): string {
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `LOCAL/20260101/${REGION}/s3/aws4_request`,
      'X-Amz-Date': '20260101T000000Z',
      'X-Amz-Expires': '7200',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': signature,
    });
    return `${this.endpoint()}${RESPONSE_PATH_PREFIX}${encodeURIComponent(requestId)}?${query}`;
  }

  private stackId(stackName: string): string {
    let id = this.stackIds.get(stackName);
    if (id === undefined) {
      id = `arn:aws:cloudformation:${REGION}:${ACCOUNT_ID}:stack/${stackName}/${randomUUID()}`;
      this.stackIds.set(stackName, id);
    }
    return id;
  }
}

function checkRequest(request: CustomResourceRequest): void {
  const bad = (message: string): CustomResourceError =>
    new CustomResourceError('ERR_BAD_REQUEST', message);
  if (!(CUSTOM_RESOURCE_REQUEST_TYPES as readonly string[]).includes(request.requestType)) {
    throw bad(`requestType must be Create, Update or Delete, got ${String(request.requestType)}`);
  }
  if (
    !/^(Custom::[A-Za-z0-9_@-]{1,52}|AWS::CloudFormation::CustomResource)$/.test(
      request.resourceType,
    )
  ) {
    throw bad(
      `resourceType must be Custom::<name> (up to 60 characters of A-Z a-z 0-9 _ @ -), got ${request.resourceType}`,
    );
  }
  if (request.logicalResourceId === '') throw bad('logicalResourceId is required');
  if (request.requestType !== 'Create' && request.physicalResourceId === undefined) {
    throw bad(`${request.requestType} needs the physicalResourceId the function answered before`);
  }
}

/** Reads an answer as CloudFormation does; throws ERR_MALFORMED_RESPONSE naming the fault. */
export function parseResponse(
  body: string,
  event: Readonly<Record<string, unknown>>,
): CustomResourceResponse {
  const malformed = (why: string): CustomResourceError =>
    new CustomResourceError(
      'ERR_MALFORMED_RESPONSE',
      `${String(event.ResourceType)} ${String(event.LogicalResourceId)}: invalid response object: ${why}`,
    );
  if (Buffer.byteLength(body) > MAX_RESPONSE_BYTES) {
    throw malformed(`the body is ${Buffer.byteLength(body)} bytes, over ${MAX_RESPONSE_BYTES}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw malformed('the body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed('the body is not a JSON object');
  }
  const answer = value as Record<string, unknown>;
  if (answer.Status !== 'SUCCESS' && answer.Status !== 'FAILED') {
    throw malformed(`Status must be SUCCESS or FAILED, got ${JSON.stringify(answer.Status)}`);
  }
  if (answer.Status === 'FAILED' && (typeof answer.Reason !== 'string' || answer.Reason === '')) {
    throw malformed('a FAILED response needs a Reason');
  }
  if (answer.Reason !== undefined && typeof answer.Reason !== 'string') {
    throw malformed('Reason must be a string');
  }
  const physicalId = answer.PhysicalResourceId;
  if (typeof physicalId !== 'string' || physicalId === '') {
    throw malformed('PhysicalResourceId must be a non-empty string');
  }
  if (Buffer.byteLength(physicalId) > MAX_PHYSICAL_ID_BYTES) {
    throw malformed(`PhysicalResourceId is over ${MAX_PHYSICAL_ID_BYTES} bytes`);
  }
  for (const copied of ['StackId', 'RequestId', 'LogicalResourceId'] as const) {
    if (answer[copied] !== event[copied]) {
      throw malformed(`${copied} must be the request's, got ${JSON.stringify(answer[copied])}`);
    }
  }
  if (answer.NoEcho !== undefined && typeof answer.NoEcho !== 'boolean') {
    throw malformed('NoEcho must be a boolean');
  }
  if (
    answer.Data !== undefined &&
    (typeof answer.Data !== 'object' || answer.Data === null || Array.isArray(answer.Data))
  ) {
    throw malformed('Data must be a JSON object');
  }
  return answer as unknown as CustomResourceResponse;
}

function s3Error(status: number, code: string, message: string): ResponseUpload {
  return {
    status,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
