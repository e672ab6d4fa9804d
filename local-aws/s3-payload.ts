/**
 * What a PutObject carries, checked as S3 does: the body itself or its decoded aws-chunked
 * form (x-amz-content-sha256, x-amz-decoded-content-length, declared trailers), Content-MD5,
 * and at most one x-amz-checksum-* value.
 */
import { createHash } from 'node:crypto';
import { type IncomingHttpHeaders } from 'node:http';

import { ChunkEncodingError, decodeAwsChunked } from './aws-chunked';
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  checksumHeader,
  checksumLength,
} from './checksums';
import { header } from './rest';
import { s3Error } from './s3-errors';

const STREAMING_PAYLOAD =
  /^STREAMING-(UNSIGNED-PAYLOAD-TRAILER|AWS4-(HMAC-SHA256|ECDSA-P256-SHA256)-PAYLOAD(-TRAILER)?)$/;

export interface Payload {
  readonly payload: Buffer;
  readonly trailers: ReadonlyMap<string, string>;
  /** Content-Encoding to store: the request's, without aws-chunked. */
  readonly contentEncoding: string | undefined;
}

/** The object bytes: the body itself, or the decoded aws-chunked body, checked as S3 does. */
export function readPayload(headers: IncomingHttpHeaders, body: Buffer): Payload {
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

export function verifyContentMd5(headers: IncomingHttpHeaders, payload: Buffer): void {
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
export function suppliedChecksum(
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
