/**
 * What the REST services here (S3, CloudFront, the distribution's viewer side) answer, and the
 * HTTP rules they share: dates and conditional requests (RFC 9110 section 13, as S3 and
 * CloudFront apply them to GET and HEAD).
 */
import { type IncomingHttpHeaders } from 'node:http';

export interface RestResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
}

/** An HTTP date (IMF-fixdate), as Last-Modified carries it. */
export function httpDate(epochMs: number): string {
  return new Date(epochMs).toUTCString();
}

/** The first value of a request header. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The answer a conditional GET or HEAD gets for a representation: 412 when If-Match (or, without
 * it, If-Unmodified-Since) fails, 304 when If-None-Match (or, without it, If-Modified-Since)
 * says the client's copy is current, otherwise 200.
 */
export function evaluatePreconditions(
  headers: IncomingHttpHeaders,
  etag: string,
  lastModifiedMs: number,
): 200 | 304 | 412 {
  const ifMatch = header(headers, 'if-match');
  const ifUnmodifiedSince = parseHttpDate(header(headers, 'if-unmodified-since'));
  if (ifMatch !== undefined) {
    if (!etagListMatches(ifMatch, etag)) return 412;
  } else if (ifUnmodifiedSince !== undefined && lastModifiedMs > ifUnmodifiedSince) {
    return 412;
  }
  const ifNoneMatch = header(headers, 'if-none-match');
  const ifModifiedSince = parseHttpDate(header(headers, 'if-modified-since'));
  if (ifNoneMatch !== undefined) {
    if (etagListMatches(ifNoneMatch, etag)) return 304;
  } else if (ifModifiedSince !== undefined && lastModifiedMs <= ifModifiedSince) {
    return 304;
  }
  return 200;
}

/** `*` or a comma-separated list of entity tags; quotes and the weak prefix are not compared. */
function etagListMatches(list: string, etag: string): boolean {
  if (list.trim() === '*') return true;
  const bare = (tag: string): string => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  return list.split(',').some((tag) => bare(tag) === bare(etag));
}

function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}
