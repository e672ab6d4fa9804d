/**
 * CloudFront's invalidation API (REST-XML, version 2020-05-31), as AWS documents it:
 * - CreateInvalidation answers 201 with a Location header and the Invalidation (Id, Status
 *   InProgress, CreateTime, the batch). Quantity must equal the number of paths
 *   (InconsistentQuantities); each path starts with `/` and has `*` only at its end
 *   (InvalidArgument); more than 3000 paths is BatchTooLarge (413); an unknown distribution is
 *   NoSuchDistribution (404). The same CallerReference with the same paths returns the earlier
 *   invalidation instead of creating one; with other paths it is InvalidationBatchAlreadyExists.
 * - GetInvalidation (NoSuchInvalidation, 404) and ListInvalidations (newest first, Marker and
 *   MaxItems). Here an invalidation takes effect at once, so it reads back Completed.
 * Distributions are registered by tests (`createDistribution`); each serves one bucket.
 */
import { randomBytes } from 'node:crypto';

import { type CachePolicy, DistributionEdge, type ViewerRequest } from './cloudfront-edge';
import { type RestResponse } from './rest';
import { type S3Service } from './s3';
import { ACCOUNT_ID } from './secrets-manager';
import { ServiceError } from './service-error';
import { child, parseXml, type XmlElement, XmlSyntaxError, xmlDocument } from './xml';

export const CLOUDFRONT_API_VERSION = '2020-05-31';
const XMLNS = `http://cloudfront.amazonaws.com/doc/${CLOUDFRONT_API_VERSION}/`;
const MAX_PATHS_PER_BATCH = 3000;
const API_PATH = new RegExp(
  `^/${CLOUDFRONT_API_VERSION}/distribution/([^/]+)/invalidation(?:/([^/]+))?$`,
);

export type CloudFrontOperation = 'CreateInvalidation' | 'GetInvalidation' | 'ListInvalidations';

export interface CloudFrontRequest {
  readonly operation: CloudFrontOperation;
  readonly distributionId: string;
  readonly invalidationId?: string;
  readonly query: URLSearchParams;
  readonly body: Buffer;
}

export interface InvalidationBatch {
  readonly callerReference: string;
  readonly paths: readonly string[];
}

export interface Invalidation {
  readonly id: string;
  readonly createTime: number;
  readonly batch: InvalidationBatch;
}

export interface DistributionOptions extends CachePolicy {
  /** The S3 bucket the distribution serves (its origin, through origin access control). */
  readonly bucket: string;
}

export interface Distribution {
  readonly id: string;
  readonly arn: string;
  /** The name CloudFront would give it (`d….cloudfront.net`). */
  readonly domainName: string;
  /** Where it serves here: `http://127.0.0.1:<port>/cf/<id>`, no trailing slash. */
  readonly url: string;
}

interface DistributionRecord {
  readonly distribution: Distribution;
  readonly edge: DistributionEdge;
  /** Newest first. */
  readonly invalidations: Invalidation[];
}

/** The path prefix under which each distribution's viewer side is served. */
export const DISTRIBUTION_PATH_PREFIX = '/cf/';

/** Which API operation a request is; undefined when local-aws does not implement it. */
export function cloudFrontTarget(
  method: string,
  pathname: string,
): { operation: CloudFrontOperation; distributionId: string; invalidationId?: string } | undefined {
  const match = API_PATH.exec(pathname);
  if (match === null) return undefined;
  const distributionId = decodeURIComponent(match[1]!);
  const invalidationId = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
  if (invalidationId === undefined) {
    if (method === 'POST') return { operation: 'CreateInvalidation', distributionId };
    if (method === 'GET') return { operation: 'ListInvalidations', distributionId };
    return undefined;
  }
  return method === 'GET'
    ? { operation: 'GetInvalidation', distributionId, invalidationId }
    : undefined;
}

export class CloudFrontService {
  private readonly distributions = new Map<string, DistributionRecord>();

  constructor(
    private readonly s3: S3Service,
    private readonly clock: () => number,
    private readonly endpoint: () => string,
    private readonly viewerLog: ViewerRequest[],
  ) {}

  createDistribution(options: DistributionOptions): Distribution {
    const id = `E${randomId(13)}`;
    const distribution: Distribution = {
      id,
      arn: `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/${id}`,
      domainName: `d${randomId(13).toLowerCase()}.cloudfront.net`,
      url: `${this.endpoint()}${DISTRIBUTION_PATH_PREFIX}${id}`,
    };
    const edge = new DistributionEdge(
      id,
      options.bucket,
      options,
      this.s3,
      this.clock,
      this.viewerLog,
    );
    this.distributions.set(id, { distribution, edge, invalidations: [] });
    return distribution;
  }

  /** The viewer side of a distribution, if it exists. */
  edge(distributionId: string): DistributionEdge | undefined {
    return this.distributions.get(distributionId)?.edge;
  }

  handle(request: CloudFrontRequest): RestResponse {
    const record = this.distributions.get(request.distributionId);
    if (record === undefined) {
      throw new ServiceError(
        'NoSuchDistribution',
        'The specified distribution does not exist.',
        404,
      );
    }
    switch (request.operation) {
      case 'CreateInvalidation':
        return this.createInvalidation(record, request.body);
      case 'GetInvalidation': {
        const invalidation = record.invalidations.find(
          (candidate) => candidate.id === request.invalidationId,
        );
        if (invalidation === undefined) {
          throw new ServiceError(
            'NoSuchInvalidation',
            'The specified invalidation does not exist.',
            404,
          );
        }
        return xmlResponse(200, invalidationXml(invalidation, 'Completed'));
      }
      case 'ListInvalidations':
        return xmlResponse(200, listXml(record.invalidations, request.query));
    }
  }

  private createInvalidation(record: DistributionRecord, body: Buffer): RestResponse {
    const batch = parseBatch(body);
    const existing = record.invalidations.find(
      (invalidation) => invalidation.batch.callerReference === batch.callerReference,
    );
    if (existing !== undefined) {
      if (!samePaths(existing.batch.paths, batch.paths)) {
        throw new ServiceError(
          'InvalidationBatchAlreadyExists',
          'The CallerReference you attempted to use was already used in another invalidation batch.',
          400,
        );
      }
      return this.created(record, existing, 'Completed');
    }
    const invalidation: Invalidation = {
      id: `I${randomId(13)}`,
      createTime: this.clock(),
      batch,
    };
    record.invalidations.unshift(invalidation);
    record.edge.invalidate(batch.paths);
    return this.created(record, invalidation, 'InProgress');
  }

  private created(
    record: DistributionRecord,
    invalidation: Invalidation,
    status: 'InProgress' | 'Completed',
  ): RestResponse {
    const location = `https://cloudfront.amazonaws.com/${CLOUDFRONT_API_VERSION}/distribution/${record.distribution.id}/invalidation/${invalidation.id}`;
    return {
      ...xmlResponse(201, invalidationXml(invalidation, status)),
      headers: { 'content-type': 'text/xml', location },
    };
  }
}

/** CloudFront's XML error document. */
export function cloudFrontErrorXml(error: ServiceError, requestId: string): string {
  return xmlDocument(
    'ErrorResponse',
    {
      Error: {
        Type: error.statusCode >= 500 ? 'Receiver' : 'Sender',
        Code: error.type,
        Message: error.message,
      },
      RequestId: requestId,
    },
    XMLNS,
  );
}

function parseBatch(body: Buffer): InvalidationBatch {
  if (body.length === 0) {
    throw new ServiceError(
      'MissingBody',
      'This operation requires a body. Ensure that the body is present and the Content-Type header is set.',
      400,
    );
  }
  let root: XmlElement;
  try {
    root = parseXml(body.toString('utf8'));
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    throw invalidArgument(`The request body is not well-formed XML: ${error.message}.`);
  }
  const paths = child(root, 'Paths');
  const callerReference = child(root, 'CallerReference')?.text;
  if (root.name !== 'InvalidationBatch' || paths === undefined || !callerReference) {
    throw invalidArgument('InvalidationBatch needs Paths and a non-empty CallerReference.');
  }
  const quantityText = child(paths, 'Quantity')?.text ?? '';
  const quantity = /^\d+$/.test(quantityText) ? Number(quantityText) : NaN;
  const items = (child(paths, 'Items')?.children ?? [])
    .filter((item) => item.name === 'Path')
    .map((item) => item.text);
  if (Number.isNaN(quantity)) throw invalidArgument('Paths.Quantity must be a number.');
  if (quantity !== items.length) {
    throw new ServiceError(
      'InconsistentQuantities',
      "The value of Quantity and the size of Items don't match.",
      400,
    );
  }
  if (items.length === 0) throw invalidArgument('Your request contains no invalidation paths.');
  if (items.length > MAX_PATHS_PER_BATCH) {
    throw new ServiceError('BatchTooLarge', 'Invalidation batch specified is too large.', 413);
  }
  if (items.some((path) => !path.startsWith('/') || path.slice(0, -1).includes('*'))) {
    throw invalidArgument('Your request contains one or more invalid invalidation paths.');
  }
  return { callerReference, paths: items };
}

function invalidArgument(message: string): ServiceError {
  return new ServiceError('InvalidArgument', message, 400);
}

function samePaths(a: readonly string[], b: readonly string[]): boolean {
  const sorted = (paths: readonly string[]): string => JSON.stringify([...paths].sort());
  return sorted(a) === sorted(b);
}

function invalidationXml(invalidation: Invalidation, status: string): string {
  return xmlDocument(
    'Invalidation',
    {
      Id: invalidation.id,
      Status: status,
      CreateTime: new Date(invalidation.createTime).toISOString(),
      InvalidationBatch: {
        Paths: {
          Quantity: invalidation.batch.paths.length,
          Items: { Path: invalidation.batch.paths },
        },
        CallerReference: invalidation.batch.callerReference,
      },
    },
    XMLNS,
  );
}

function listXml(invalidations: readonly Invalidation[], query: URLSearchParams): string {
  const marker = query.get('Marker') ?? '';
  const maxItemsText = query.get('MaxItems') ?? '100';
  const maxItems = /^\d+$/.test(maxItemsText) ? Number(maxItemsText) : NaN;
  if (Number.isNaN(maxItems)) throw invalidArgument('MaxItems must be a number.');
  const start =
    marker === '' ? 0 : invalidations.findIndex((invalidation) => invalidation.id === marker) + 1;
  const page = invalidations.slice(start, start + maxItems);
  const truncated = start + page.length < invalidations.length;
  return xmlDocument(
    'InvalidationList',
    {
      Marker: marker,
      NextMarker: truncated ? page.at(-1)?.id : undefined,
      MaxItems: maxItems,
      IsTruncated: truncated,
      Quantity: page.length,
      Items:
        page.length === 0
          ? undefined
          : {
              InvalidationSummary: page.map((invalidation) => ({
                Id: invalidation.id,
                CreateTime: new Date(invalidation.createTime).toISOString(),
                Status: 'Completed',
              })),
            },
    },
    XMLNS,
  );
}

function xmlResponse(status: number, body: string): RestResponse {
  return { status, headers: { 'content-type': 'text/xml' }, body };
}

function randomId(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
}
