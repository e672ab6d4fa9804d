/**
 * GET of a small JSON document over HTTPS with the global fetch (Node 20+), bounded in time
 * (an AbortSignal timeout that covers the body too) and in size (counted while the body streams,
 * so an endless or huge response is cut off without being buffered), with no redirect followed
 * (one could lead to plain HTTP or to another host). Plain HTTP is allowed for loopback hosts
 * only (127.0.0.1, [::1], localhost), for tests and local development.
 */
import { JwtKeyRingError } from './errors';

/** The shape of the global fetch this module uses; tests inject their own. */
export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export interface FetchPolicy {
  readonly fetch: Fetch;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

export interface JsonResponse {
  readonly body: unknown;
  /** How long the response says it stays fresh (Cache-Control max-age less Age), if it says. */
  readonly freshForSeconds?: number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Strict UTF-8, as token parts are read (see compact-jws.ts). */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The URL, or an ERR_INVALID_ARGUMENT: https, or http on a loopback host; no credentials. */
export function checkFetchableUrl(value: unknown, name: string): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined) {
    throw new JwtKeyRingError('ERR_INVALID_ARGUMENT', `${name} must be an absolute URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new JwtKeyRingError('ERR_INVALID_ARGUMENT', `${name} must not carry credentials`);
  }
  if (!isFetchable(url)) {
    throw new JwtKeyRingError(
      'ERR_INVALID_ARGUMENT',
      `${name} must be an https:// URL (http:// only on 127.0.0.1, [::1] or localhost), got ${url.protocol}//${url.host}`,
    );
  }
  return url;
}

export function isFetchable(url: URL): boolean {
  return (
    url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))
  );
}

/**
 * The JSON body of a 200 response. A response that cannot be had (network, timeout, status,
 * size) is ERR_KEY_STORE_UNAVAILABLE; one that is not strict UTF-8 JSON is ERR_KEY_SET_INVALID.
 */
export async function fetchJson(url: URL, policy: FetchPolicy): Promise<JsonResponse> {
  let bytes: Uint8Array;
  let headers: Headers;
  try {
    const response = await policy.fetch(url.href, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(policy.timeoutMs),
    });
    headers = response.headers;
    if (response.status !== 200) {
      await response.body?.cancel();
      throw unavailable(url, `HTTP ${response.status}`);
    }
    bytes = await readLimited(response, url, policy.maxResponseBytes);
  } catch (error) {
    if (error instanceof JwtKeyRingError) throw error;
    const name = (error as Error).name;
    const reason = name === 'TimeoutError' ? `no answer within ${policy.timeoutMs} ms` : name;
    throw unavailable(url, reason, error);
  }
  let body: unknown;
  try {
    body = JSON.parse(UTF8.decode(bytes));
  } catch {
    throw new JwtKeyRingError('ERR_KEY_SET_INVALID', `${url.href} did not answer UTF-8 JSON`);
  }
  const freshForSeconds = freshnessOf(headers);
  return { body, ...(freshForSeconds !== undefined && { freshForSeconds }) };
}

/** The body, refused as soon as more than `limit` bytes have arrived (or are announced). */
async function readLimited(response: Response, url: URL, limit: number): Promise<Uint8Array> {
  const tooLarge = (): JwtKeyRingError =>
    unavailable(url, `the response is larger than ${limit} bytes`);
  const announced = Number(response.headers.get('content-length') ?? 0);
  const body = response.body;
  if (announced > limit) {
    await body?.cancel();
    throw tooLarge();
  }
  if (body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * Seconds the response stays fresh (RFC 9111 4.2): max-age less the Age a shared cache (the
 * CDN) reports; 0 for no-store or no-cache; undefined when Cache-Control names no lifetime.
 */
export function freshnessOf(headers: Headers): number | undefined {
  const directives = (headers.get('cache-control') ?? '')
    .split(',')
    .map((directive) => directive.trim().toLowerCase());
  if (directives.includes('no-store') || directives.includes('no-cache')) return 0;
  const maxAge = directives
    .map((directive) => /^max-age\s*=\s*"?(\d+)"?$/.exec(directive)?.[1])
    .find((value) => value !== undefined);
  if (maxAge === undefined) return undefined;
  const age = /^\d+$/.exec(headers.get('age')?.trim() ?? '')?.[0];
  return Math.max(0, Number(maxAge) - Number(age ?? 0));
}

function unavailable(url: URL, reason: string, cause?: unknown): JwtKeyRingError {
  return new JwtKeyRingError(
    'ERR_KEY_STORE_UNAVAILABLE',
    `could not fetch ${url.href}: ${reason}`,
    cause === undefined ? undefined : { cause },
  );
}
