/**
 * CloudFormation's custom resource protocol, as the rotation function speaks it: the request
 * event, and the answer, an HTTPS PUT of a JSON document to the request's ResponseURL (a
 * presigned S3 URL) with an empty content type, as AWS's cfn-response module sends it.
 * CloudFormation waits for that answer, not for the function's return value.
 *
 * The ResponseURL's query string is a credential: it is never logged, nor put in an error.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export const CUSTOM_RESOURCE_REQUEST_TYPES = ['Create', 'Update', 'Delete'] as const;
export type CustomResourceRequestType = (typeof CUSTOM_RESOURCE_REQUEST_TYPES)[number];

export interface CustomResourceEvent {
  readonly RequestType: CustomResourceRequestType;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  /** On Update and Delete: what the function answered on Create (or the last Update). */
  readonly PhysicalResourceId?: string;
  /** Every value is a string (CloudFormation's ServiceToken among them). */
  readonly ResourceProperties?: Readonly<Record<string, unknown>>;
  readonly OldResourceProperties?: Readonly<Record<string, unknown>>;
}

export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  /** Values a template reads with Fn::GetAtt; never secret. */
  readonly Data?: Readonly<Record<string, string>>;
}

/** Sends the answer to CloudFormation; rejects when it was not delivered. */
export type CustomResourceResponder = (
  responseUrl: string,
  response: CustomResourceResponse,
) => Promise<void>;

/** A CloudFormation custom resource request: it carries RequestType and ResponseURL. */
export function isCustomResourceEvent(event: unknown): event is Record<string, unknown> & {
  readonly RequestType: unknown;
  readonly ResponseURL: unknown;
} {
  return (
    typeof event === 'object' && event !== null && 'RequestType' in event && 'ResponseURL' in event
  );
}

/** Where an answer goes, for logs and errors: the host only, never the presigned query. */
export function responseHost(responseUrl: string): string {
  try {
    return new URL(responseUrl).host;
  } catch {
    return 'an invalid URL';
  }
}

/** The whole response document must stay under CloudFormation's 4096 bytes. */
const MAX_REASON_LENGTH = 1000;

export function truncateReason(reason: string): string {
  return reason.length <= MAX_REASON_LENGTH ? reason : `${reason.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

/**
 * PUTs the response as cfn-response does: `content-type` empty (the presigned URL was signed
 * without one), `content-length` set. https only, except http for a local test endpoint.
 */
export function putCustomResourceResponse(
  responseUrl: string,
  response: CustomResourceResponse,
  timeoutMs = 20_000,
): Promise<void> {
  const body = JSON.stringify(response);
  const host = responseHost(responseUrl);
  let url: URL;
  try {
    url = new URL(responseUrl);
  } catch {
    return Promise.reject(new Error('the ResponseURL of the request is not a URL'));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return Promise.reject(new Error(`the ResponseURL of the request is not https (${host})`));
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<void>((resolve, reject) => {
    const outgoing = send(
      url,
      {
        method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (answer) => {
        answer.resume();
        answer.on('error', () => {
          reject(new Error(`reading the answer of ${host} failed`));
        });
        answer.on('end', () => {
          const status = answer.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`${host} refused the custom resource response: HTTP ${status}`));
        });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${host} did not answer in time`)));
    // Node's own messages name the host and port, never the path or query.
    outgoing.on('error', (error) => {
      reject(new Error(`sending the custom resource response to ${host} failed: ${error.message}`));
    });
    outgoing.end(body);
  });
}
