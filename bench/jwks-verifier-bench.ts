/**
 * The verify-only client (issue 16): JwksVerifier against the node:crypto floor, jose's remote
 * JWKS verifier (createRemoteJWKSet + jwtVerify) and fast-jwt, per algorithm, sequential and in
 * flight, all verifying the same token with the same checks, the key set served over real HTTP
 * by a node:http server on 127.0.0.1 (Cache-Control: max-age=300). fast-jwt has no JWKS client
 * of its own (its documentation points to get-jwks, not installed here), so it gets the fairest
 * setup it supports: an async key fetcher that picks the PEM by the token's kid from a key set
 * fetched once over the same HTTP, as a cache in front of a JWKS client would.
 *
 * Then HTTP fetches, counted at the server: per verification during the timed run (after
 * warm-up, must be 0); over an hour of injected time at max-age 300 (at most 1 per max-age,
 * + the first); and for a flood of tokens with random unknown kids, at most 1 per
 * unknownKidRefreshIntervalMs of injected time (+ 1). Those counts are deterministic: the
 * verifiers under count run on an injected clock. JwksVerifier fetches again when a period
 * ends, so at max-age=300 an hour takes 13 fetches (12 periods + the first).
 */
import { createPublicKey, type JsonWebKey, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

import { createVerifier } from 'fast-jwt';
import { createRemoteJWKSet, jwtVerify } from 'jose';

// The package's compiled code, as an application loads it (npm run bench builds it first).
import { JwksVerifier } from 'rotating-jwt-keys/client/jwks';

import {
  type AsymmetricKeyDocument,
  type JwtAlgorithm,
  makeKeyDocument,
  publicJwk,
} from '../key-document';

import { type CaseGroup, type HarnessOptions, measure, type Measurement } from './harness';
import { type JwksFetchCounts } from './jwks-fetch-counts';
import {
  AUDIENCE,
  type Claims,
  floorScheme,
  floorSigner,
  floorVerifier,
  ISSUER,
  SUBJECT,
  TOLERANCE_SECONDS,
} from './jwt-floor';
import { jwksVerifierTargets, type Target } from './targets';

// The counts live in their own module so that targets.ts can judge them without importing
// this bench (which imports targets.ts).
export type { FetchCount, JwksFetchCounts } from './jwks-fetch-counts';

/** What the server's Cache-Control says. */
export const MAX_AGE_SECONDS = 300;
/** JwksVerifier's default: the least time between two fetches for unknown kids. */
export const UNKNOWN_KID_REFRESH_INTERVAL_MS = 30_000;

export type JwksAlgorithm = Extract<JwtAlgorithm, 'ES256' | 'EdDSA' | 'RS256'>;

const JWKS_ALGORITHMS: readonly string[] = ['ES256', 'EdDSA', 'RS256'] satisfies JwksAlgorithm[];

export function isJwksAlgorithm(alg: string): alg is JwksAlgorithm {
  return JWKS_ALGORITHMS.includes(alg);
}

export interface JwksBenchSettings extends HarnessOptions {
  readonly algorithms: readonly JwksAlgorithm[];
  /** Injected time the max-age count runs over, one verification per simulated second. */
  readonly simulatedMs: number;
  /** Tokens with random unknown kids in the flood. */
  readonly floodTokens: number;
  /** Flood tokens started together at one instant; the clock moves 1 s between bursts. */
  readonly floodBurst: number;
}

export interface JwksBenchResults {
  readonly cases: readonly Measurement[];
  /** What fast-jwt was given, since it has no JWKS client. */
  readonly fastJwtSetup: string;
  readonly fetches: JwksFetchCounts;
  readonly targets: readonly Target[];
}

const FAST_JWT_SETUP =
  'async key fetcher: PEM by kid from the key set fetched once over HTTP (fast-jwt has no JWKS client)';

interface KeySetHost {
  readonly jwksUri: string;
  requests(): number;
  close(): Promise<void>;
}

/** The documents' public halves as a JWKS, with Cache-Control: max-age; requests counted. */
async function serveKeySet(documents: readonly AsymmetricKeyDocument[]): Promise<KeySetHost> {
  const body = JSON.stringify({ keys: documents.map((document) => publicJwk(document)) });
  let requests = 0;
  const server = createServer((_request, response) => {
    requests += 1;
    response.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': `public, max-age=${MAX_AGE_SECONDS}`,
    });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUri: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    requests: () => requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface SignedKey {
  readonly document: AsymmetricKeyDocument;
  readonly token: string;
  /** A fresh token: the counts run minutes after setup, on a clock that starts then. */
  readonly sign: () => string;
}

async function signedKey(alg: JwksAlgorithm): Promise<SignedKey> {
  const document = (await makeKeyDocument({
    alg,
    kid: `bench-jwks-${alg}`,
    now: new Date(),
  })) as AsymmetricKeyDocument;
  const sign = floorSigner(alg, document.kid, floorScheme(document));
  return { document, token: sign(), sign };
}

const subjectOf = (result: unknown): unknown => {
  const { payload } = result as { payload?: Claims };
  return (payload ?? (result as Claims)).sub;
};

async function casesOf(
  { document, token }: SignedKey,
  jwksUri: string,
  countVerification: () => void,
): Promise<CaseGroup[]> {
  const alg = document.alg as JwksAlgorithm;
  const floorVerify = floorVerifier(alg, floorScheme(document));
  const verifier = new JwksVerifier({
    jwksUri,
    issuer: ISSUER,
    audience: AUDIENCE,
    clockToleranceSeconds: TOLERANCE_SECONDS,
  });
  const joseKeys = createRemoteJWKSet(new URL(jwksUri));
  const joseOptions = {
    algorithms: [alg],
    issuer: ISSUER,
    audience: AUDIENCE,
    requiredClaims: ['exp'],
    clockTolerance: TOLERANCE_SECONDS,
  };
  const published = (await (await fetch(jwksUri)).json()) as {
    keys: (JsonWebKey & { kid: string })[];
  };
  const pemByKid = new Map(
    published.keys.map((jwk) => [
      jwk.kid,
      createPublicKey({ key: jwk, format: 'jwk' }).export({
        type: 'spki',
        format: 'pem',
      }) as string,
    ]),
  );
  // fast-jwt's token cache is left off, as in the other cases (it would time a lookup).
  const fastVerify = createVerifier({
    key: (decoded: { header: { kid?: string } }) => {
      const pem = pemByKid.get(decoded.header.kid ?? '');
      return pem === undefined ? Promise.reject(new Error('unknown kid')) : Promise.resolve(pem);
    },
    algorithms: [alg],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    requiredClaims: ['exp'],
    clockTolerance: TOLERANCE_SECONDS * 1000,
  }) as (token: string) => Promise<Claims>;
  const verifiers: Record<string, () => unknown> = {
    floor: () => floorVerify(token),
    JwksVerifier: () => {
      countVerification();
      return verifier.verify(token);
    },
    'jose (remote JWKS)': () => jwtVerify(token, joseKeys, joseOptions),
    'fast-jwt (key fetcher)': () => fastVerify(token),
  };
  // Right answers first (this also fetches each remote set once: the warm-up).
  for (const [name, verify] of Object.entries(verifiers)) {
    if (subjectOf(await verify()) !== SUBJECT) {
      throw new Error(`${alg} verify "${name}" returned the wrong subject`);
    }
  }
  return (['sequential', 'in-flight'] as const).map((mode) => ({
    mode,
    cases: Object.entries(verifiers).map(([name, operation]) => ({
      name: `${alg} JWKS ${name}`,
      operation,
    })),
  }));
}

/** A JwksVerifier of the host's key set on a simulated clock, the bench's claims checked. */
function verifierOnClock(host: KeySetHost, clock: () => number): JwksVerifier {
  return new JwksVerifier({
    jwksUri: host.jwksUri,
    issuer: ISSUER,
    audience: AUDIENCE,
    clockToleranceSeconds: TOLERANCE_SECONDS,
    unknownKidRefreshIntervalMs: UNKNOWN_KID_REFRESH_INTERVAL_MS,
    clock,
  });
}

/** One verification per simulated second over `simulatedMs`, on an injected clock. */
async function countOverTime(
  { sign }: SignedKey,
  host: KeySetHost,
  simulatedMs: number,
): Promise<JwksFetchCounts['overTime']> {
  const token = sign();
  const start = Date.now();
  let now = start;
  const verifier = verifierOnClock(host, () => now);
  const before = host.requests();
  let verifications = 0;
  for (; now <= start + simulatedMs; now += 1000) {
    await verifier.verify(token);
    verifications += 1;
  }
  return {
    fetches: host.requests() - before,
    limit: Math.floor(simulatedMs / (MAX_AGE_SECONDS * 1000)) + 1,
    simulatedMs,
    maxAgeSeconds: MAX_AGE_SECONDS,
    verifications,
  };
}

/** The token's header with a random kid: the signature is never reached. */
function withKid(token: string, kid: string): string {
  const [header, rest] = [token.slice(0, token.indexOf('.')), token.slice(token.indexOf('.'))];
  const fields = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as object;
  return `${Buffer.from(JSON.stringify({ ...fields, kid })).toString('base64url')}${rest}`;
}

async function countUnknownKidFlood(
  { sign }: SignedKey,
  host: KeySetHost,
  settings: JwksBenchSettings,
): Promise<JwksFetchCounts['unknownKidFlood']> {
  const token = sign();
  const start = Date.now();
  let now = start;
  const verifier = verifierOnClock(host, () => now);
  await verifier.verify(token);
  const before = host.requests();
  let refused = 0;
  for (let sent = 0; sent < settings.floodTokens; now += 1000) {
    const burst = Math.min(settings.floodBurst, settings.floodTokens - sent);
    const outcomes = await Promise.allSettled(
      Array.from({ length: burst }, () => verifier.verify(withKid(token, randomUUID()))),
    );
    refused += outcomes.filter(
      (outcome) =>
        outcome.status === 'rejected' &&
        (outcome.reason as { code?: unknown }).code === 'ERR_JWT_UNKNOWN_KID',
    ).length;
    sent += burst;
  }
  const simulatedMs = now - 1000 - start;
  return {
    fetches: host.requests() - before,
    limit: Math.floor(simulatedMs / UNKNOWN_KID_REFRESH_INTERVAL_MS) + 1,
    simulatedMs,
    tokens: settings.floodTokens,
    refused,
    refreshIntervalMs: UNKNOWN_KID_REFRESH_INTERVAL_MS,
  };
}

export async function runJwksVerifierBench(settings: JwksBenchSettings): Promise<JwksBenchResults> {
  const keys: SignedKey[] = [];
  for (const alg of settings.algorithms) keys.push(await signedKey(alg));
  const host = await serveKeySet(keys.map((key) => key.document));
  try {
    let verifications = 0;
    const groups: CaseGroup[] = [];
    for (const key of keys) {
      groups.push(
        ...(await casesOf(key, host.jwksUri, () => {
          verifications += 1;
        })),
      );
    }
    const requestsBefore = host.requests();
    const verificationsBefore = verifications;
    const cases = await measure(groups, settings);
    const timedVerifications = verifications - verificationsBefore;
    // jose's and fast-jwt's sets were fetched in the warm-up too; every request during the run
    // is charged to JwksVerifier, so the count errs against it.
    const timedFetches = host.requests() - requestsBefore;
    const first = keys[0];
    if (first === undefined) throw new Error('no algorithm to measure');
    const fetches: JwksFetchCounts = {
      perVerification: timedFetches / timedVerifications,
      timedVerifications,
      overTime: await countOverTime(first, host, settings.simulatedMs),
      unknownKidFlood: await countUnknownKidFlood(first, host, settings),
    };
    return {
      cases,
      fastJwtSetup: FAST_JWT_SETUP,
      fetches,
      targets: jwksVerifierTargets(cases, fetches),
    };
  } finally {
    await host.close();
  }
}

export function formatJwksVerifierBench(results: JwksBenchResults): string {
  const lines = [
    '',
    `JWKS verifiers (key set over HTTP on 127.0.0.1, max-age=${MAX_AGE_SECONDS}; × floor as above)`,
    `fast-jwt: ${results.fastJwtSetup}`,
    `${'case'.padEnd(36)} ${'mode'.padEnd(10)} ${'median µs'.padStart(10)} ${'× floor'.padStart(8)} (min–max)`,
  ];
  for (const result of results.cases) {
    lines.push(
      `${result.name.padEnd(36)} ${result.mode.padEnd(10)} ` +
        `${(result.medianNs / 1000).toFixed(2).padStart(10)} ${result.ratioToBaseline.toFixed(2).padStart(8)} ` +
        `(${result.ratioRange[0].toFixed(2)}–${result.ratioRange[1].toFixed(2)})`,
    );
  }
  const { perVerification, timedVerifications, overTime, unknownKidFlood } = results.fetches;
  lines.push(
    `HTTP fetches during the timed run: ${perVerification} per verification (${timedVerifications} JwksVerifier verifications)`,
    `HTTP fetches over ${overTime.simulatedMs / 1000} s of injected time (${overTime.verifications} verifications, max-age=${overTime.maxAgeSeconds}): ${overTime.fetches} (limit ${overTime.limit})`,
    `HTTP fetches for ${unknownKidFlood.tokens} tokens with random unknown kids over ${unknownKidFlood.simulatedMs / 1000} s of injected time ` +
      `(refresh interval ${unknownKidFlood.refreshIntervalMs / 1000} s): ${unknownKidFlood.fetches} (limit ${unknownKidFlood.limit}); ${unknownKidFlood.refused} refused ERR_JWT_UNKNOWN_KID`,
    'JWKS targets:',
  );
  for (const target of results.targets) {
    lines.push(
      `  ${target.met ? 'met   ' : 'MISSED'} ${target.name}: ${Number(target.value.toFixed(3))} (${target.limit})`,
    );
  }
  return lines.join('\n');
}
