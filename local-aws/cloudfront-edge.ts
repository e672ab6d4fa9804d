/**
 * A distribution's viewer side, as CloudFront serves an S3 origin reached through origin access
 * control (the bucket policy grants s3:GetObject only):
 * - GET and HEAD of `/<key>` answer the object with its Content-Type, Cache-Control, ETag and
 *   Last-Modified; a missing key is S3's 403 AccessDenied (without s3:ListBucket S3 does not
 *   say whether a key exists), passed on; `/` is a listing request, also 403. Other methods:
 *   403, the distribution allows GET and HEAD only.
 * - Responses are cached per path (the query string is not part of the key, as with the
 *   CachingOptimized policy) for the TTL CloudFront derives from the origin's headers:
 *   s-maxage, else max-age, else Expires, clamped to the policy's minimum and maximum TTL;
 *   the default TTL without any of them; no-store / no-cache / private cache for the minimum
 *   TTL only (not at all when it is 0). Error responses are cached for the error caching
 *   minimum TTL (10 s by default). A hit carries `Age`; `X-Cache` says Hit or Miss.
 * - An invalidation removes the matching cached paths at once (a trailing `*` matches a prefix).
 */
import { randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders } from 'node:http';

import { evaluatePreconditions, type RestResponse } from './rest';
import { objectHeaders, type S3Service, s3Error, s3ErrorXml } from './s3';
import { ServiceError } from './service-error';

/** A distribution's cache settings, in seconds (CloudFront's cache policy and error caching). */
export interface CachePolicy {
  /** @default 1 (CachingOptimized) */
  readonly minTtlSeconds?: number;
  /** Used when the origin sends no Cache-Control max-age/s-maxage or Expires. @default 86400 */
  readonly defaultTtlSeconds?: number;
  /** @default 31536000 */
  readonly maxTtlSeconds?: number;
  /** How long 4xx/5xx answers from the origin are cached. @default 10 */
  readonly errorCachingMinTtlSeconds?: number;
}

/** One viewer request, and whether the bucket was read to answer it. */
export interface ViewerRequest {
  readonly distributionId: string;
  /** The request path relative to the distribution, without the query string. */
  readonly path: string;
  readonly method: string;
  readonly status: number;
  /** `origin` when the answer was fetched from the bucket (a miss), `cache` on a hit. */
  readonly servedFrom: 'cache' | 'origin';
  readonly at: number;
}

interface CachedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly storedAt: number;
  readonly expiresAt: number;
}

/** Every header CloudFront adds to what it passes on. */
function edgeHeaders(hit: boolean): Record<string, string> {
  return {
    'x-cache': hit ? 'Hit from cloudfront' : 'Miss from cloudfront',
    via: `1.1 ${randomBytes(16).toString('hex')}.cloudfront.net (CloudFront)`,
    'x-amz-cf-pop': 'LOCAL1-C1',
    'x-amz-cf-id': randomBytes(42).toString('base64url'),
  };
}

export class DistributionEdge {
  private readonly cache = new Map<string, CachedResponse>();
  private readonly policy: Required<CachePolicy>;

  constructor(
    readonly distributionId: string,
    private readonly bucket: string,
    policy: CachePolicy,
    private readonly s3: S3Service,
    private readonly clock: () => number,
    private readonly log: ViewerRequest[],
  ) {
    this.policy = validatePolicy(policy);
  }

  /** Answers a viewer request for `path` (`/…`, relative to the distribution). */
  serve(method: string, path: string, requestHeaders: IncomingHttpHeaders): RestResponse {
    const now = this.clock();
    const record = (status: number, servedFrom: ViewerRequest['servedFrom']): void => {
      this.log.push({
        distributionId: this.distributionId,
        path,
        method,
        status,
        servedFrom,
        at: now,
      });
    };
    if (method !== 'GET' && method !== 'HEAD') {
      record(403, 'cache');
      return {
        status: 403,
        headers: { 'content-type': 'text/html', ...edgeHeaders(false) },
        body: 'This distribution is not configured to allow the HTTP request method that was used for this request.',
      };
    }
    const cached = this.cache.get(path);
    let answer: CachedResponse;
    let hit = cached !== undefined && now < cached.expiresAt;
    if (hit) {
      answer = cached!;
    } else {
      answer = this.fetchFromOrigin(path, now);
      // A HEAD is forwarded as a HEAD: it brings no body to cache.
      if (method === 'GET' && answer.expiresAt > now) this.cache.set(path, answer);
      else if (method === 'GET') this.cache.delete(path);
      hit = false;
    }
    record(answer.status, hit ? 'cache' : 'origin');
    const headers: Record<string, string> = { ...answer.headers, ...edgeHeaders(hit) };
    if (hit) headers.age = String(Math.floor((now - answer.storedAt) / 1000));
    if (answer.status === 200) {
      const condition = evaluatePreconditions(
        requestHeaders,
        answer.headers.etag!,
        Date.parse(answer.headers['last-modified']!),
      );
      if (condition !== 200) {
        return {
          status: condition,
          headers: pick(headers, ['etag', 'last-modified', 'cache-control', 'age', 'x-cache']),
        };
      }
    }
    return { status: answer.status, headers, body: method === 'HEAD' ? undefined : answer.body };
  }

  /** Drops the cached paths an invalidation names; a trailing `*` matches every path it prefixes. */
  invalidate(paths: readonly string[]): void {
    for (const cachedPath of [...this.cache.keys()]) {
      if (paths.some((path) => invalidationMatches(path, cachedPath)))
        this.cache.delete(cachedPath);
    }
  }

  private fetchFromOrigin(path: string, now: number): CachedResponse {
    let status: number;
    let headers: Record<string, string>;
    let body: Buffer;
    try {
      const key = decodeURIComponent(path.slice(1));
      // `/` asks S3 for a listing, which origin access control does not grant.
      const object = key === '' ? undefined : this.s3.find(this.bucket, key);
      if (object === undefined) throw s3Error('AccessDenied', 'Access Denied', 403);
      status = 200;
      headers = objectHeaders(object);
      body = object.body;
    } catch (error) {
      const failure =
        error instanceof ServiceError
          ? error
          : s3Error('InternalError', 'We encountered an internal error. Please try again.', 500);
      status = failure.statusCode;
      headers = { 'content-type': 'application/xml' };
      body = Buffer.from(s3ErrorXml(failure, randomBytes(8).toString('hex').toUpperCase()));
    }
    const ttlSeconds = cacheTtlSeconds(status, headers, this.policy, now);
    return { status, headers, body, storedAt: now, expiresAt: now + ttlSeconds * 1000 };
  }
}

function pick(headers: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    names.flatMap((name) => (headers[name] === undefined ? [] : [[name, headers[name]]])),
  );
}

/** How long CloudFront keeps an origin response, in seconds (0: not cached). */
export function cacheTtlSeconds(
  status: number,
  headers: Readonly<Record<string, string>>,
  policy: Required<CachePolicy>,
  now: number,
): number {
  if (status >= 400) return policy.errorCachingMinTtlSeconds;
  const clamp = (seconds: number): number =>
    Math.min(policy.maxTtlSeconds, Math.max(policy.minTtlSeconds, seconds));
  const directives = new Map(
    (headers['cache-control'] ?? '')
      .split(',')
      .map((directive) => directive.trim().toLowerCase().split('='))
      .filter(([name]) => name !== '')
      .map(([name, value]) => [name!, value?.replace(/^"|"$/g, '')]),
  );
  if (['no-store', 'no-cache', 'private'].some((name) => directives.has(name))) {
    return policy.minTtlSeconds;
  }
  for (const name of ['s-maxage', 'max-age']) {
    const seconds = Number(directives.get(name));
    if (directives.has(name) && Number.isInteger(seconds) && seconds >= 0) return clamp(seconds);
  }
  const expires = headers.expires === undefined ? NaN : Date.parse(headers.expires);
  if (!Number.isNaN(expires)) return clamp(Math.max(0, Math.floor((expires - now) / 1000)));
  return policy.defaultTtlSeconds;
}

function invalidationMatches(invalidationPath: string, cachedPath: string): boolean {
  const decode = (path: string): string => {
    try {
      return decodeURIComponent(path);
    } catch {
      return path;
    }
  };
  const pattern = decode(invalidationPath);
  const path = decode(cachedPath);
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
}

function validatePolicy(policy: CachePolicy): Required<CachePolicy> {
  const resolved = {
    minTtlSeconds: policy.minTtlSeconds ?? 1,
    defaultTtlSeconds: policy.defaultTtlSeconds ?? 86_400,
    maxTtlSeconds: policy.maxTtlSeconds ?? 31_536_000,
    errorCachingMinTtlSeconds: policy.errorCachingMinTtlSeconds ?? 10,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`${name} must be a whole number of seconds >= 0, got ${value}`);
    }
  }
  if (
    resolved.minTtlSeconds > resolved.defaultTtlSeconds ||
    resolved.defaultTtlSeconds > resolved.maxTtlSeconds
  ) {
    throw new Error(
      `TTLs must satisfy min <= default <= max, got ${resolved.minTtlSeconds} / ${resolved.defaultTtlSeconds} / ${resolved.maxTtlSeconds}`,
    );
  }
  return resolved;
}
