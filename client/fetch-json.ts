/**
 * GET of a small JSON document over HTTPS with the global fetch (Node 20+), bounded in time
 * (one deadline of our own over the headers and every read of the body, see Deadline) and in
 * size (counted while the body streams, so an endless or huge response is cut off without being
 * buffered), with no redirect followed (one could lead to plain HTTP or to another host): a 3xx
 * is refused like any status but 200. Plain HTTP is allowed for loopback hosts only (127.0.0.1,
 * [::1], localhost), for tests and local development.
 */
import { isFetchableUrl } from '../key-document/issuer';

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
  if (!isFetchableUrl(url)) {
    throw new JwtKeyRingError(
      'ERR_INVALID_ARGUMENT',
      `${name} must be an https:// URL (http:// only on 127.0.0.1, [::1] or localhost), got ${url.protocol}//${url.host}`,
    );
  }
  return url;
}

/**
 * The JSON body of a 200 response. A response that cannot be had (network, timeout, status,
 * size) is ERR_KEY_STORE_UNAVAILABLE; one that is not strict UTF-8 JSON is ERR_KEY_SET_INVALID.
 */
export async function fetchJson(url: URL, policy: FetchPolicy): Promise<JsonResponse> {
  let bytes: Uint8Array;
  let headers: Headers;
  const deadline = new Deadline(policy.timeoutMs);
  try {
    const response = await deadline.race(
      policy.fetch(url.href, {
        headers: { accept: 'application/json' },
        // Not 'error': see Deadline. A redirect comes back as its 3xx response, refused below.
        redirect: 'manual',
        signal: deadline.signal,
      }),
    );
    headers = response.headers;
    if (response.status !== 200) {
      cancelQuietly(response.body);
      throw unavailable(url, `HTTP ${response.status}`);
    }
    bytes = await readLimited(response, url, policy.maxResponseBytes, deadline);
  } catch (error) {
    if (error instanceof JwtKeyRingError) throw error;
    const reason = deadline.expired ? `no answer within ${policy.timeoutMs} ms` : errorName(error);
    throw unavailable(url, reason, error);
  } finally {
    deadline.clear();
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

/**
 * The body, refused as soon as more than `limit` bytes have arrived (or are announced), or when
 * the deadline passes: every read races it, and a body given up is cancelled (which closes the
 * connection) without waiting for the cancel to finish.
 */
async function readLimited(
  response: Response,
  url: URL,
  limit: number,
  deadline: Deadline,
): Promise<Uint8Array> {
  const tooLarge = (): JwtKeyRingError =>
    unavailable(url, `the response is larger than ${limit} bytes`);
  const announced = Number(response.headers.get('content-length') ?? 0);
  const body = response.body;
  if (announced > limit) {
    cancelQuietly(body);
    throw tooLarge();
  }
  if (body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = (body as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await deadline.race(reader.read());
      if (done) break;
      received += value.byteLength;
      if (received > limit) throw tooLarge();
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel().catch(() => undefined);
    throw error;
  }
  return Buffer.concat(chunks);
}

/**
 * One timer of our own for the whole fetch: headers, then every read of the body. It does not
 * count on fetch's `signal` alone to stop a slow body: on Node 20's bundled undici (6.x, up to
 * 20.20 at least) the request's internal AbortController is held only weakly once the
 * response has arrived, so a garbage collection during the body read frees it and the signal
 * (AbortSignal.timeout or ours) no longer reaches the fetch (nodejs/undici#4627, fixed upstream
 * in January 2026). Measured on 20.20.2 against a server that sends headers and then a byte
 * every 100 ms: with redirect 'error' and a collection during the read, a 300 ms timeout let
 * the fetch run for the server's whole 10 s; with redirect 'manual' (jose's choice) the signal
 * held. We pass 'manual' too, but depend on neither: the timer below holds our controller
 * strongly, rejects the step in progress when it fires, and the body is then cancelled by us
 * (readLimited), which closes the connection whatever undici kept. test/client/fetch-timeout
 * checks it with collections forced during the read.
 */
class Deadline {
  /** Aborts the fetch when the deadline passes (while undici keeps the link, see above). */
  readonly signal: AbortSignal;
  expired = false;
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  /** Rejects the step awaited now (there is one at a time). */
  private rejectStep: ((reason: unknown) => void) | undefined;

  constructor(timeoutMs: number) {
    this.signal = this.controller.signal;
    this.timer = setTimeout(() => {
      this.expire();
    }, timeoutMs);
  }

  /** The step's outcome, or a TimeoutError if the deadline passes first. */
  race<T>(step: Promise<T>): Promise<T> {
    if (this.expired) {
      step.catch(() => undefined);
      return Promise.reject(timeoutError());
    }
    return new Promise<T>((resolve, reject) => {
      this.rejectStep = reject;
      step.then(resolve, reject);
    });
  }

  clear(): void {
    clearTimeout(this.timer);
    this.rejectStep = undefined;
  }

  private expire(): void {
    this.expired = true;
    const error = timeoutError();
    this.controller.abort(error);
    this.rejectStep?.(error);
    this.rejectStep = undefined;
  }
}

function timeoutError(): Error {
  return new DOMException('the fetch took longer than its timeout', 'TimeoutError');
}

/** Cancels a body we give up on; a cancel that fails or hangs changes nothing for the caller. */
function cancelQuietly(body: ReadableStream | null): void {
  body?.cancel().catch(() => undefined);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
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
