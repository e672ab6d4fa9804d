/**
 * S3's REST API for the calls the key set needs, path-style (`/<bucket>/<key>`), as S3
 * documents it:
 * - PutObject stores the bytes with Content-Type (binary/octet-stream when none), Cache-Control
 *   and the other representation headers, an ETag (the quoted MD5 hex) and Last-Modified, and
 *   verifies what the request claims of its body: Content-MD5, x-amz-content-sha256, one
 *   x-amz-checksum-* value (in a header or, for an aws-chunked body, a trailer). Without a
 *   checksum S3 computes CRC64NVME; the checksum comes back when the reader asks for it
 *   (x-amz-checksum-mode: ENABLED), so the SDK validates what it downloads.
 * - GetObject / HeadObject answer the stored representation, with conditional requests;
 *   a missing key is NoSuchKey (404; HEAD answers 404 with no body).
 * - DeleteObject answers 204, whether or not the key existed.
 * - PutObject's conditional writes: If-None-Match `*` (only a new key) and If-Match (only over
 *   that ETag); 412 PreconditionFailed otherwise.
 * - CreateBucket: in us-east-1, creating a bucket you own again answers 200.
 * - x-amz-expected-bucket-owner other than the local account: 403 AccessDenied.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders } from 'node:http';

import { ChunkEncodingError, decodeAwsChunked } from './aws-chunked';
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  checksumHeader,
  checksumLength,
  computeChecksum,
} from './checksums';
import { evaluatePreconditions, header, httpDate, type RestResponse } from './rest';
import { ACCOUNT_ID } from './secrets-manager';
import { ServiceError } from './service-error';
import { escapeXml, parseXml, XmlSyntaxError } from './xml';

export interface StoredObject {
  readonly body: Buffer;
  /** The quoted MD5 hex of the body. */
  readonly etag: string;
  /** Epoch ms, whole seconds (HTTP dates carry no more). */
  readonly lastModified: number;
  /** Content-Type, Cache-Control, Content-Encoding, … and x-amz-meta-*, as stored. */
  readonly headers: Readonly<Record<string, string>>;
  readonly checksum: { readonly algorithm: ChecksumAlgorithm; readonly value: string };
}

export type S3Operation =
  | 'CreateBucket'
  | 'HeadBucket'
  | 'DeleteBucket'
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject';

export interface S3Target {
  readonly bucket: string;
  /** Undefined for a bucket-level request. */
  readonly key: string | undefined;
}

export interface S3Request extends S3Target {
  readonly operation: S3Operation;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** The representation headers PutObject stores and GetObject answers. */
const STORED_HEADERS = [
  'content-type',
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
];
const BUCKET_NAME = /^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;
const STREAMING_PAYLOAD =
  /^STREAMING-(UNSIGNED-PAYLOAD-TRAILER|AWS4-(HMAC-SHA256|ECDSA-P256-SHA256)-PAYLOAD(-TRAILER)?)$/;

/** The bucket and key of a path-style request; undefined for the service root. */
export function s3Target(pathname: string): S3Target | undefined {
  const slash = pathname.indexOf('/', 1);
  const rawKey = slash < 0 || slash === pathname.length - 1 ? undefined : pathname.slice(slash + 1);
  try {
    const bucket = decodeURIComponent(slash < 0 ? pathname.slice(1) : pathname.slice(1, slash));
    if (bucket === '') return undefined;
    return { bucket, key: rawKey === undefined ? undefined : decodeURIComponent(rawKey) };
  } catch {
    throw s3Error('InvalidURI', "Couldn't parse the specified URI.", 400);
  }
}

const BUCKET_OPERATIONS: Partial<Record<string, S3Operation>> = {
  PUT: 'CreateBucket',
  HEAD: 'HeadBucket',
  DELETE: 'DeleteBucket',
};
const OBJECT_OPERATIONS: Partial<Record<string, S3Operation>> = {
  PUT: 'PutObject',
  GET: 'GetObject',
  HEAD: 'HeadObject',
  DELETE: 'DeleteObject',
};

/** Which operation a request is; undefined for those local-aws does not implement. */
export function s3Operation(
  method: string,
  target: S3Target,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
): S3Operation | undefined {
  // Subresources (?acl, ?tagging, ?list-type=2, …) and CopyObject are other operations.
  if ([...query.keys()].some((name) => name !== 'x-id')) return undefined;
  if (headers['x-amz-copy-source'] !== undefined) return undefined;
  return (target.key === undefined ? BUCKET_OPERATIONS : OBJECT_OPERATIONS)[method];
}

export class S3Service {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();

  constructor(private readonly clock: () => number) {}

  handle(request: S3Request): RestResponse {
    const expectedOwner = header(request.headers, 'x-amz-expected-bucket-owner');
    if (expectedOwner !== undefined && expectedOwner !== ACCOUNT_ID) {
      // Every bucket here belongs to the local account.
      throw s3Error('AccessDenied', 'Access Denied', 403);
    }
    switch (request.operation) {
      case 'CreateBucket':
        return this.createBucket(request.bucket, request.body);
      case 'HeadBucket':
        this.objects(request.bucket);
        return { status: 200, headers: { 'x-amz-bucket-region': 'us-east-1' } };
      case 'DeleteBucket':
        if (this.objects(request.bucket).size > 0) {
          throw s3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, {
            BucketName: request.bucket,
          });
        }
        this.buckets.delete(request.bucket);
        return { status: 204, headers: {} };
      case 'PutObject':
        return this.putObject(request);
      case 'GetObject':
      case 'HeadObject':
        return this.getObject(request);
      case 'DeleteObject':
        this.objects(request.bucket).delete(request.key!);
        return { status: 204, headers: {} };
    }
  }

  /** A stored object, for the distribution's origin requests; throws NoSuchBucket. */
  find(bucket: string, key: string): StoredObject | undefined {
    return this.objects(bucket).get(key);
  }

  createBucket(name: string, body: Buffer = Buffer.alloc(0)): RestResponse {
    if (!BUCKET_NAME.test(name) || name.includes('..')) {
      throw s3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, {
        BucketName: name,
      });
    }
    if (body.length > 0) {
      try {
        parseXml(body.toString('utf8'));
      } catch (error) {
        if (!(error instanceof XmlSyntaxError)) throw error;
        throw s3Error(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema',
          400,
        );
      }
    }
    // In us-east-1 S3 answers 200 to a CreateBucket of a bucket you own (legacy behaviour).
    if (!this.buckets.has(name)) this.buckets.set(name, new Map());
    return { status: 200, headers: { location: `/${name}` } };
  }

  private objects(bucket: string): Map<string, StoredObject> {
    const objects = this.buckets.get(bucket);
    if (objects === undefined) {
      throw s3Error('NoSuchBucket', 'The specified bucket does not exist', 404, {
        BucketName: bucket,
      });
    }
    return objects;
  }

  private putObject(request: S3Request): RestResponse {
    const objects = this.objects(request.bucket);
    const key = request.key!;
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
      throw s3Error('KeyTooLongError', 'Your key is too long', 400);
    }
    const { payload, trailers, contentEncoding } = readPayload(request.headers, request.body);
    checkWriteConditions(request, objects.get(key));
    verifyContentMd5(request.headers, payload);
    const supplied = suppliedChecksum(request.headers, trailers);
    if (supplied !== undefined && computeChecksum(supplied.algorithm, payload) !== supplied.value) {
      throw s3Error(
        'BadDigest',
        `The ${supplied.algorithm} you specified did not match the calculated checksum.`,
        400,
      );
    }
    const headers: Record<string, string> = { 'content-type': 'binary/octet-stream' };
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value !== 'string') continue;
      if (STORED_HEADERS.includes(name) || name.startsWith('x-amz-meta-')) headers[name] = value;
    }
    if (contentEncoding === undefined) delete headers['content-encoding'];
    else headers['content-encoding'] = contentEncoding;
    const checksum = supplied ?? {
      algorithm: 'CRC64NVME' as const,
      value: computeChecksum('CRC64NVME', payload),
    };
    const object: StoredObject = {
      body: payload,
      etag: `"${createHash('md5').update(payload).digest('hex')}"`,
      lastModified: Math.floor(this.clock() / 1000) * 1000,
      headers,
      checksum,
    };
    objects.set(key, object);
    return {
      status: 200,
      headers: {
        etag: object.etag,
        'x-amz-server-side-encryption': 'AES256',
        [checksumHeader(checksum.algorithm)]: checksum.value,
        'x-amz-checksum-type': 'FULL_OBJECT',
      },
    };
  }

  private getObject(request: S3Request): RestResponse {
    const object = this.objects(request.bucket).get(request.key!);
    if (object === undefined) {
      throw s3Error('NoSuchKey', 'The specified key does not exist.', 404, {
        Key: request.key!,
      });
    }
    const headers = objectHeaders(object);
    const condition = evaluatePreconditions(request.headers, object.etag, object.lastModified);
    if (condition === 412) {
      throw s3Error(
        'PreconditionFailed',
        'At least one of the pre-conditions you specified did not hold',
        412,
        {
          Condition:
            header(request.headers, 'if-match') === undefined ? 'If-Unmodified-Since' : 'If-Match',
        },
      );
    }
    if (condition === 304) {
      return {
        status: 304,
        headers: { etag: object.etag, 'last-modified': headers['last-modified']! },
      };
    }
    if (header(request.headers, 'x-amz-checksum-mode') === 'ENABLED') {
      headers[checksumHeader(object.checksum.algorithm)] = object.checksum.value;
      headers['x-amz-checksum-type'] = 'FULL_OBJECT';
    }
    return {
      status: 200,
      headers,
      body: request.operation === 'GetObject' ? object.body : undefined,
    };
  }
}

/** The headers GetObject and HeadObject answer for an object. */
export function objectHeaders(object: StoredObject): Record<string, string> {
  return {
    ...object.headers,
    'content-length': String(object.body.length),
    etag: object.etag,
    'last-modified': httpDate(object.lastModified),
    'accept-ranges': 'bytes',
    'x-amz-server-side-encryption': 'AES256',
  };
}

/** An S3 error: the XML document's Code, the status, and S3's extra elements. */
export function s3Error(
  code: string,
  message: string,
  status: number,
  fields: Record<string, string> = {},
): ServiceError {
  return new ServiceError(code, message, status, fields);
}

/** S3's XML error document. */
export function s3ErrorXml(error: ServiceError, requestId: string): string {
  const fields = Object.entries(error.fields)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<Error><Code>${escapeXml(error.type)}</Code><Message>${escapeXml(error.message)}</Message>` +
    `${fields}<RequestId>${requestId}</RequestId><HostId>${randomBytes(24).toString('base64')}</HostId></Error>`
  );
}

interface Payload {
  readonly payload: Buffer;
  readonly trailers: ReadonlyMap<string, string>;
  /** Content-Encoding to store: the request's, without aws-chunked. */
  readonly contentEncoding: string | undefined;
}

/** The object bytes: the body itself, or the decoded aws-chunked body, checked as S3 does. */
function readPayload(headers: IncomingHttpHeaders, body: Buffer): Payload {
  const contentSha256 = header(headers, 'x-amz-content-sha256');
  const encodings = (header(headers, 'content-encoding') ?? '')
    .split(',')
    .map((encoding) => encoding.trim())
    .filter((encoding) => encoding !== '');
  const stored = encodings.filter((encoding) => encoding !== 'aws-chunked');
  const contentEncoding = stored.length > 0 ? stored.join(',') : undefined;
  if (contentSha256 === undefined && header(headers, 'authorization') !== undefined) {
    throw s3Error(
      'InvalidRequest',
      'Missing required header for this request: x-amz-content-sha256',
      400,
    );
  }
  const streaming = contentSha256 !== undefined && STREAMING_PAYLOAD.test(contentSha256);
  if (!streaming && !encodings.includes('aws-chunked')) {
    if (contentSha256 !== undefined && contentSha256 !== 'UNSIGNED-PAYLOAD') {
      if (!/^[0-9a-f]{64}$/.test(contentSha256)) {
        throw s3Error(
          'InvalidArgument',
          'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD or a valid sha256 value.',
          400,
          { ArgumentName: 'x-amz-content-sha256', ArgumentValue: contentSha256 },
        );
      }
      if (createHash('sha256').update(body).digest('hex') !== contentSha256) {
        throw s3Error(
          'XAmzContentSHA256Mismatch',
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          400,
          { ClientComputedContentSHA256: contentSha256 },
        );
      }
    }
    if (header(headers, 'x-amz-trailer') !== undefined) {
      throw s3Error(
        'InvalidRequest',
        'x-amz-trailer is only allowed with an aws-chunked body.',
        400,
      );
    }
    return { payload: body, trailers: new Map(), contentEncoding };
  }
  const decodedLength = Number(header(headers, 'x-amz-decoded-content-length'));
  if (!Number.isSafeInteger(decodedLength) || decodedLength < 0) {
    throw s3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.', 411);
  }
  let decoded;
  try {
    decoded = decodeAwsChunked(body);
  } catch (error) {
    if (!(error instanceof ChunkEncodingError)) throw error;
    throw s3Error(
      'IncompleteBody',
      `The request body is not valid aws-chunked encoding: ${error.message}.`,
      400,
    );
  }
  if (decoded.payload.length !== decodedLength) {
    throw s3Error(
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header',
      400,
    );
  }
  const declared = (header(headers, 'x-amz-trailer') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const undeclared = [...decoded.trailers.keys()].filter(
    (name) => !declared.includes(name) && name !== 'x-amz-trailer-signature',
  );
  if (declared.some((name) => !decoded.trailers.has(name)) || undeclared.length > 0) {
    throw s3Error(
      'MalformedTrailerError',
      'The request contained trailing data that was not well-formed or did not conform to our published schema.',
      400,
    );
  }
  return { payload: decoded.payload, trailers: decoded.trailers, contentEncoding };
}

/**
 * Conditional writes: If-None-Match `*` writes only a new key, If-Match only over the object
 * with that ETag (412 PreconditionFailed; If-Match on a missing key is NoSuchKey).
 */
function checkWriteConditions(request: S3Request, existing: StoredObject | undefined): void {
  const ifNoneMatch = header(request.headers, 'if-none-match');
  const ifMatch = header(request.headers, 'if-match');
  const failed = (condition: string): ServiceError =>
    s3Error(
      'PreconditionFailed',
      'At least one of the pre-conditions you specified did not hold',
      412,
      {
        Condition: condition,
      },
    );
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') {
      throw s3Error(
        'NotImplemented',
        'A header you provided implies functionality that is not implemented',
        501,
        {
          Header: 'If-None-Match',
        },
      );
    }
    if (existing !== undefined) throw failed('If-None-Match');
  }
  if (ifMatch !== undefined) {
    if (existing === undefined) {
      throw s3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: request.key! });
    }
    if (ifMatch.trim().replace(/^"|"$/g, '') !== existing.etag.replace(/^"|"$/g, '')) {
      throw failed('If-Match');
    }
  }
}

function verifyContentMd5(headers: IncomingHttpHeaders, payload: Buffer): void {
  const contentMd5 = header(headers, 'content-md5');
  if (contentMd5 === undefined) return;
  const digest = Buffer.from(contentMd5, 'base64');
  if (digest.length !== 16 || digest.toString('base64') !== contentMd5) {
    throw s3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400, {
      'Content-MD5': contentMd5,
    });
  }
  if (!digest.equals(createHash('md5').update(payload).digest())) {
    throw s3Error(
      'BadDigest',
      'The Content-MD5 you specified did not match what we received.',
      400,
      {
        ExpectedDigest: contentMd5,
      },
    );
  }
}

/** The one x-amz-checksum-* the request carries (header or trailer), checked for form. */
function suppliedChecksum(
  headers: IncomingHttpHeaders,
  trailers: ReadonlyMap<string, string>,
): { algorithm: ChecksumAlgorithm; value: string } | undefined {
  const supplied = CHECKSUM_ALGORITHMS.flatMap((algorithm) => {
    const value =
      header(headers, checksumHeader(algorithm)) ?? trailers.get(checksumHeader(algorithm));
    return value === undefined ? [] : [{ algorithm, value }];
  });
  if (supplied.length > 1) {
    throw s3Error(
      'InvalidRequest',
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
      400,
    );
  }
  const sdkAlgorithm = header(headers, 'x-amz-sdk-checksum-algorithm')?.toUpperCase();
  if (sdkAlgorithm !== undefined) {
    if (!(CHECKSUM_ALGORITHMS as readonly string[]).includes(sdkAlgorithm)) {
      throw s3Error(
        'InvalidRequest',
        `Checksum algorithm provided is unsupported. Please try again with any of the valid types: [${CHECKSUM_ALGORITHMS.join(', ')}]`,
        400,
      );
    }
    if (supplied.length === 0) {
      throw s3Error(
        'InvalidRequest',
        'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
        400,
      );
    }
    if (supplied[0]!.algorithm !== sdkAlgorithm) {
      throw s3Error(
        'InvalidRequest',
        'Value for x-amz-sdk-checksum-algorithm header is invalid.',
        400,
      );
    }
  }
  const [checksum] = supplied;
  if (checksum === undefined) return undefined;
  const digest = Buffer.from(checksum.value, 'base64');
  if (
    digest.length !== checksumLength(checksum.algorithm) ||
    digest.toString('base64') !== checksum.value
  ) {
    throw s3Error(
      'InvalidRequest',
      `Value for ${checksumHeader(checksum.algorithm)} header is invalid.`,
      400,
    );
  }
  return checksum;
}
