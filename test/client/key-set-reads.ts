/**
 * JwksVerifier's fetches of a key set on a real server on 127.0.0.1, as its observer must hear
 * them: one read per cause there is (initial, ttl, unknown_kid, manual, then a failing one),
 * and a first read that fails in each way a URL can (HTTP 500, connection refused, not JSON).
 * The recording observer, both adapters and their tests share these scenarios and counts.
 */
import { JwksVerifier, type VerificationObserver } from '../../client';
import { type AsymmetricKeyDocument } from '../../key-document';
import { JWKS_PATH, type KeySetServer, startKeySetServer } from '../support/key-set-server';

import { asymmetricKey, asymmetricToken } from './support';

export const NOW = Date.UTC(2026, 5, 1);
const SECOND = 1000;

let signing: Promise<AsymmetricKeyDocument> | undefined;
/** One ES256 key for every scenario (made once: key generation is the slow part). */
function signingKey(): Promise<AsymmetricKeyDocument> {
  signing ??= asymmetricKey('ES256', 'set-key', NOW);
  return signing;
}

function tokenFor(document: AsymmetricKeyDocument, kid = document.kid): string {
  return asymmetricToken({ alg: 'ES256', kid }, { sub: 'user', exp: NOW / 1000 + 3600 }, document);
}

/** What a read of the scenario reports: cause, outcome and, when failed, the code. */
export interface ExpectedRead {
  readonly cause: string;
  readonly outcome: 'ok' | 'failed';
  readonly code?: string;
}

/** The reads `readForEachCause` makes, in order. */
export const READS_OF_EACH_CAUSE: readonly ExpectedRead[] = [
  { cause: 'initial', outcome: 'ok' },
  { cause: 'ttl', outcome: 'ok' },
  { cause: 'unknown_kid', outcome: 'ok' },
  { cause: 'manual', outcome: 'ok' },
  { cause: 'ttl', outcome: 'failed', code: 'ERR_KEY_STORE_UNAVAILABLE' },
];

/**
 * A verifier over a set served with max-age=60: a first token (initial), one after the minute
 * (ttl), one naming a kid the set lacks 31 s later (unknown_kid), refresh() (manual), then the
 * URL answering HTTP 500 past the next expiry (ttl, failed; the stale set still verifies).
 */
export async function readForEachCause(
  observer: VerificationObserver,
  clock: { now: number },
): Promise<void> {
  const document = await signingKey();
  const server = await startKeySetServer();
  try {
    server.publish([document], 'max-age=60');
    const verifier = new JwksVerifier({
      jwksUri: server.jwksUri,
      clock: () => clock.now,
      observer,
    });
    const token = tokenFor(document);
    clock.now = NOW;
    await verifier.verify(token);
    clock.now = NOW + 61 * SECOND;
    await verifier.verify(token);
    clock.now = NOW + 92 * SECOND;
    await verifier.verify(tokenFor(document, 'not-in-the-set')).catch(() => undefined);
    await verifier.refresh();
    server.routes.set(JWKS_PATH, { status: 500, body: 'error' });
    clock.now = NOW + 200 * SECOND;
    await verifier.verify(token);
    if (server.requests() !== READS_OF_EACH_CAUSE.length) {
      throw new Error(`expected ${READS_OF_EACH_CAUSE.length} fetches, saw ${server.requests()}`);
    }
  } finally {
    await server.close();
  }
}

/** A URL failing before anything was loaded, and the code its read fails with. */
export const FAILING_URLS: readonly (readonly [
  string,
  (server: KeySetServer) => Promise<string>,
  string,
])[] = [
  [
    'HTTP 500',
    (server) => {
      server.routes.set(JWKS_PATH, { status: 500, body: 'error' });
      return Promise.resolve(server.jwksUri);
    },
    'ERR_KEY_STORE_UNAVAILABLE',
  ],
  [
    'connection refused',
    async () => {
      // A port that was just listened on and closed: nothing answers there now.
      const closed = await startKeySetServer();
      await closed.close();
      return closed.jwksUri;
    },
    'ERR_KEY_STORE_UNAVAILABLE',
  ],
  [
    'a body that is not JSON',
    (server) => {
      server.routes.set(JWKS_PATH, { body: '<html>' });
      return Promise.resolve(server.jwksUri);
    },
    'ERR_KEY_SET_INVALID',
  ],
];

/** One token verified against a URL failing as `fail` makes it: one failed initial read. */
export async function readFailing(
  observer: VerificationObserver,
  fail: (server: KeySetServer) => Promise<string>,
): Promise<string | undefined> {
  const document = await signingKey();
  const server = await startKeySetServer();
  try {
    const jwksUri = await fail(server);
    const verifier = new JwksVerifier({ jwksUri, clock: () => NOW, observer });
    return await verifier.verify(tokenFor(document)).then(
      () => undefined,
      (error: { code?: string }) => error.code,
    );
  } finally {
    await server.close();
  }
}
