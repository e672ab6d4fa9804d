/**
 * The fetch timeout against a key set server that sends its headers at once and then drips a
 * byte every 100 ms for 10 s, with garbage collections forced during the body read. On Node
 * 20's bundled undici a collection there can free the request's abort controller
 * (nodejs/undici#4627), after which AbortSignal.timeout no longer stops the fetch: every
 * verification then waited for the server (10 s), not for timeoutMs.
 *
 * Elapsed time is measured with the real clock: how long a verification waits for a slow
 * server is the behaviour under test here. The margin is generous (1.5 s over a 300 ms
 * timeout, against a server that would drip for 10 s). The cache's own time is the injected
 * clock, as everywhere else.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { JwksVerifier, type JwksVerifierOptions, JwtKeyRing } from '../../client';
import { type AsymmetricKeyDocument, publicJwk } from '../../key-document';
import {
  CONFIGURATION_PATH,
  JWKS_PATH,
  type KeySetServer,
  type Route,
  startKeySetServer,
} from '../support/key-set-server';

import { asymmetricKey, fakeSecrets, SECRET_ID } from './support';

setFlagsFromString('--expose-gc');
/** A full collection, from a context made after the flag was set. */
const collectGarbage = runInNewContext('gc') as () => void;

const NOW = Date.UTC(2026, 0, 1);
const TIMEOUT_MS = 300;
/**
 * Generous: a loaded 2-core machine (CI beside other suites) took 2 s to see a closed socket.
 * The bug this guards against held the fetch for the whole drip, five times this bound.
 */
const MARGIN_MS = 3_500;
const DRIP_FOR_MS = 20_000;
/** Long enough for the code under test to fail the bound (a 20 s drip) without jest's timeout. */
const TEST_TIMEOUT_MS = 60_000;

let server: KeySetServer;
let now = NOW;
let document: AsymmetricKeyDocument;
let token: string;

beforeAll(async () => {
  document = await asymmetricKey('ES256', 'k1', NOW);
  const secrets = fakeSecrets();
  secrets.setKey('AWSCURRENT', document);
  token = await new JwtKeyRing({
    secretId: SECRET_ID,
    client: secrets.client,
    clock: () => NOW,
  }).sign({ sub: 'user' }, { expiresIn: '1d' });
});

beforeEach(async () => {
  now = NOW;
  server = await startKeySetServer();
  server.publish([document], 'max-age=60');
});

afterEach(async () => {
  await server.close();
});

/** Whether the test running forces a collection after each byte the server drips. */
let collecting = true;
/** Resolves when the dripping response closes: the client gave up and closed the connection. */
let dripClosed: Promise<void> = Promise.resolve();
let dripClosedNow: () => void = () => undefined;

/** The key set (or the configuration naming it), its headers at once, then a byte per 100 ms. */
function dripping(body: string): Route {
  return {
    body,
    drip: {
      everyMs: 100,
      forMs: DRIP_FOR_MS,
      onDrip: () => {
        if (collecting) collectGarbage();
      },
      onClose: () => dripClosedNow(),
    },
  };
}

function verifier(options: Partial<JwksVerifierOptions> = {}): JwksVerifier {
  return new JwksVerifier({
    jwksUri: server.jwksUri,
    timeoutMs: TIMEOUT_MS,
    clock: () => now,
    ...options,
  });
}

interface Scenario {
  /** A verifier in the state the scenario starts from, its URL now dripping. */
  prepare(): Promise<JwksVerifier>;
  /** 'accepted', or the code every verification is refused with. */
  readonly outcome: string;
}

const keySetBody = (): string => JSON.stringify({ keys: [publicJwk(document)] });

const SCENARIOS: Record<string, Scenario> = {
  'cold (no set fetched yet)': {
    prepare() {
      server.routes.set(JWKS_PATH, dripping(keySetBody()));
      return Promise.resolve(verifier());
    },
    outcome: 'ERR_KEY_STORE_UNAVAILABLE',
  },
  'past its cache period, within maxStalenessMs (the stale set serves)': {
    async prepare() {
      const keys = verifier();
      await keys.refresh();
      server.routes.set(JWKS_PATH, dripping(keySetBody()));
      now = NOW + 61_000;
      return keys;
    },
    outcome: 'accepted',
  },
  'past its cache period and maxStalenessMs (fails closed)': {
    async prepare() {
      const keys = verifier({ maxStalenessMs: 60_000 });
      await keys.refresh();
      server.routes.set(JWKS_PATH, dripping(keySetBody()));
      now = NOW + 121_000;
      return keys;
    },
    outcome: 'ERR_KEY_STORE_UNAVAILABLE',
  },
  'cold, its OpenID configuration dripping (discovery)': {
    prepare() {
      const configuration = JSON.stringify({ issuer: server.issuer, jwks_uri: server.jwksUri });
      server.routes.set(CONFIGURATION_PATH, dripping(configuration));
      return Promise.resolve(
        new JwksVerifier({ issuer: server.issuer, timeoutMs: TIMEOUT_MS, clock: () => now }),
      );
    },
    outcome: 'ERR_KEY_STORE_UNAVAILABLE',
  },
};

describe('JwksVerifier: a key set server that drips its body', () => {
  it.each(
    Object.keys(SCENARIOS).flatMap((name) =>
      [1, 50].flatMap((calls) => [
        [name, calls, 'a collection after each byte'],
        [name, calls, 'no forced collection'],
      ]),
    ) as [string, number, string][],
  )(
    '%s: %i verifications settle within timeoutMs (%s)',
    async (name, calls, collections) => {
      // GIVEN the verifier in this state, its URL dripping
      collecting = collections === 'a collection after each byte';
      dripClosed = new Promise((resolve) => {
        dripClosedNow = resolve;
      });
      const scenario = SCENARIOS[name]!;
      const keys = await scenario.prepare();

      // WHEN the verifications arrive at once
      const started = performance.now();
      const outcomes = await Promise.all(
        Array.from({ length: calls }, () =>
          keys.verify(token).then(
            () => 'accepted',
            (error: { code?: string }) => error.code ?? String(error),
          ),
        ),
      );
      const elapsedMs = performance.now() - started;
      await dripClosed;
      const closedAfterMs = performance.now() - started;

      // THEN each has its outcome, and none waited for the server
      expect(new Set(outcomes)).toEqual(new Set([scenario.outcome]));
      expect(elapsedMs).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      // AND the client closed the connection then, not the server at the end of its drip
      expect(closedAfterMs).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    },
    TEST_TIMEOUT_MS,
  );
});
