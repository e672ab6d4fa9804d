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
 *
 * The request body's checks are in s3-payload.ts, the error document in s3-errors.ts.
 */
import { createHash } from 'node:crypto';
import { type IncomingHttpHeaders } from 'node:http';

import { type ChecksumAlgorithm, checksumHeader, computeChecksum } from './checksums';
import { evaluatePreconditions, header, httpDate, type RestResponse } from './rest';
import { s3Error } from './s3-errors';
import { readPayload, suppliedChecksum, verifyContentMd5 } from './s3-payload';
import { ACCOUNT_ID } from './secrets-manager';
import { type ServiceError } from './service-error';
import { parseXml, XmlSyntaxError } from './xml';

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

export { s3Error, s3ErrorXml } from './s3-errors';
