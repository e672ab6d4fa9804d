/**
 * A table of tokens, one per outcome JwtKeyRing can give (accepted by the current and by the
 * previous key, refused with each error code), each with the ring it meets: the keys and the
 * clock that outcome needs. The observer tests, both adapters and the flood tests use it.
 */
import { JwtKeyRing, type KeyRefresh, type VerificationObserver } from '../../client';

import { compact, fakeSecrets, hmacToken, key, SECRET_ID } from './support';

export const NOW = Date.UTC(2026, 3, 1, 12);
const seconds = NOW / 1000;
/** The current key was made 30 minutes ago; the previous key verifies for an hour after that. */
export const CURRENT = key('k-current', NOW - 30 * 60_000, { graceSeconds: 3600 });
export const PREVIOUS = key('k-previous', NOW - 90 * 86_400_000);
const CLAIMS = { sub: 'user', iat: seconds, exp: seconds + 600, iss: 'https://issuer', aud: 'api' };
const HEADER = { alg: 'HS256', kid: CURRENT.kid, typ: 'JWT' };

/** What the observer must hear of one verification. */
export type Heard =
  | { readonly accepted: { stage: string; kid: string; alg: string } }
  | { readonly refused: { code: string; kid: string | undefined; stage: string | undefined } };

export interface TokenCase {
  readonly name: string;
  readonly token: string;
  /** Milliseconds after NOW at which it is verified. @default 0 */
  readonly at?: number;
  /** The secret's state the ring reads: keys, a failure, or a broken current value. @default keys */
  readonly secret?: 'keys' | 'unreachable' | 'broken';
  readonly verifyOptions?: { readonly clockToleranceSeconds?: number };
  readonly heard: Heard;
  /** On a claim refusal, the claim and reason its error carries (as jose's). */
  readonly claim?: { readonly claim: string; readonly reason: string };
}

const signedByCurrent = hmacToken(HEADER, CLAIMS, CURRENT);
/** Refused with `code`; by default the token names the current key. */
const refusedBy = (
  code: string,
  named: { kid: string | undefined; stage: string | undefined } = {
    kid: CURRENT.kid,
    stage: 'current',
  },
): Heard => ({ refused: { code, ...named } });
const NAMES_NO_KEY = { kid: undefined, stage: undefined };
/** Refused once the header was read, before any key was looked up. */
const NAMES_ONLY_THE_KID = { kid: CURRENT.kid, stage: undefined };

export const TOKEN_CASES: readonly TokenCase[] = [
  {
    name: 'accepted by the current key',
    token: signedByCurrent,
    heard: { accepted: { stage: 'current', kid: CURRENT.kid, alg: 'HS256' } },
  },
  {
    name: 'accepted by the previous key in its grace',
    token: hmacToken({ ...HEADER, kid: PREVIOUS.kid }, CLAIMS, PREVIOUS),
    heard: { accepted: { stage: 'previous', kid: PREVIOUS.kid, alg: 'HS256' } },
  },
  {
    name: 'not a JWS',
    token: 'not-a-token',
    heard: refusedBy('ERR_JWT_MALFORMED', NAMES_NO_KEY),
  },
  {
    name: 'too large',
    token: hmacToken(HEADER, { ...CLAIMS, pad: 'x'.repeat(9000) }, CURRENT),
    // Refused unread: nothing of it is known.
    heard: refusedBy('ERR_JWT_TOO_LARGE', NAMES_NO_KEY),
  },
  {
    name: "an algorithm not the key's",
    token: hmacToken({ ...HEADER, alg: 'HS384' }, CLAIMS, CURRENT, 'sha384'),
    heard: refusedBy('ERR_JWT_ALG_NOT_ALLOWED'),
  },
  {
    name: 'unsecured (alg none, an empty signature)',
    token: compact({ alg: 'none', kid: CURRENT.kid }, CLAIMS),
    // Refused before any key is looked up: its kid is known, its stage is not.
    heard: refusedBy('ERR_JWT_ALG_NOT_ALLOWED', { kid: CURRENT.kid, stage: undefined }),
  },
  {
    name: 'unsecured (alg NONE) naming no loaded key',
    token: compact({ alg: 'NONE', kid: 'guessed' }, CLAIMS),
    heard: refusedBy('ERR_JWT_ALG_NOT_ALLOWED', { kid: 'guessed', stage: undefined }),
  },
  {
    name: 'forged signature',
    token: `${signedByCurrent.slice(0, -4)}AAAA`,
    heard: refusedBy('ERR_JWT_SIGNATURE_INVALID'),
  },
  {
    name: 'payload not an object',
    token: hmacToken(HEADER, '[1]', CURRENT),
    heard: refusedBy('ERR_JWT_CLAIMS_MALFORMED'),
  },
  {
    name: 'no exp',
    token: hmacToken(HEADER, { ...CLAIMS, exp: undefined }, CURRENT),
    heard: refusedBy('ERR_JWT_EXP_MISSING'),
    claim: { claim: 'exp', reason: 'missing' },
  },
  {
    name: 'expired',
    token: hmacToken(HEADER, { ...CLAIMS, exp: seconds - 3600 }, CURRENT),
    heard: refusedBy('ERR_JWT_EXPIRED'),
    claim: { claim: 'exp', reason: 'check_failed' },
  },
  {
    name: 'not yet valid',
    token: hmacToken(HEADER, { ...CLAIMS, nbf: seconds + 3600 }, CURRENT),
    heard: refusedBy('ERR_JWT_NOT_YET_VALID'),
    claim: { claim: 'nbf', reason: 'check_failed' },
  },
  {
    name: 'wrong issuer',
    token: hmacToken(HEADER, { ...CLAIMS, iss: 'https://elsewhere' }, CURRENT),
    heard: refusedBy('ERR_JWT_CLAIM_INVALID'),
    claim: { claim: 'iss', reason: 'check_failed' },
  },
  {
    name: 'critical extension',
    token: hmacToken({ ...HEADER, crit: ['exp'] }, CLAIMS, CURRENT),
    heard: refusedBy('ERR_JWT_CRIT_UNSUPPORTED', NAMES_ONLY_THE_KID),
  },
  {
    name: 'typ not JWT',
    token: hmacToken({ ...HEADER, typ: 'at+jwt' }, CLAIMS, CURRENT),
    heard: refusedBy('ERR_JWT_TYP_INVALID', NAMES_ONLY_THE_KID),
  },
  {
    name: 'unknown kid',
    token: hmacToken({ ...HEADER, kid: 'guessed' }, CLAIMS, CURRENT),
    heard: refusedBy('ERR_JWT_UNKNOWN_KID', { kid: 'guessed', stage: undefined }),
  },
  {
    name: 'no kid',
    token: hmacToken({ alg: 'HS256', typ: 'JWT' }, CLAIMS, CURRENT),
    heard: refusedBy('ERR_JWT_UNKNOWN_KID', NAMES_NO_KEY),
  },
  {
    name: 'previous key after its grace',
    token: hmacToken(
      { ...HEADER, kid: PREVIOUS.kid },
      { ...CLAIMS, exp: seconds + 7200 },
      PREVIOUS,
    ),
    at: 31 * 60_000,
    heard: refusedBy('ERR_JWT_PREVIOUS_KEY_EXPIRED', { kid: PREVIOUS.kid, stage: 'previous' }),
  },
  {
    name: 'Secrets Manager unreachable',
    token: signedByCurrent,
    secret: 'unreachable',
    heard: refusedBy('ERR_KEY_STORE_UNAVAILABLE', { kid: CURRENT.kid, stage: undefined }),
  },
  {
    name: 'current value not a key document',
    token: signedByCurrent,
    secret: 'broken',
    heard: refusedBy('ERR_KEY_DOCUMENT_INVALID', { kid: CURRENT.kid, stage: undefined }),
  },
  {
    name: 'bad verify option',
    token: signedByCurrent,
    verifyOptions: { clockToleranceSeconds: -1 },
    // Refused before the token is looked at.
    heard: refusedBy('ERR_INVALID_ARGUMENT', NAMES_NO_KEY),
  },
];

/** What an observer heard, in order. */
export interface Recording extends VerificationObserver {
  readonly heard: Heard[];
  readonly refreshes: KeyRefresh[];
}

export function recordingObserver(): Recording {
  const heard: Heard[] = [];
  const refreshes: KeyRefresh[] = [];
  return {
    heard,
    refreshes,
    accepted: (stage, kid, alg) => heard.push({ accepted: { stage, kid, alg } }),
    refused: (code, kid, stage) => heard.push({ refused: { code, kid, stage } }),
    keysRefreshed: (refresh) => refreshes.push(refresh),
  };
}

/** A ring for one case, its keys loaded (unless the case breaks the secret), the clock at NOW. */
export async function ringFor(
  tokenCase: TokenCase,
  observer: VerificationObserver,
  logger?: { warn(message: string, fields?: Record<string, unknown>): void },
): Promise<{ ring: JwtKeyRing; clock: { now: number } }> {
  const secrets = fakeSecrets();
  const clock = { now: NOW };
  secrets.setKey('AWSCURRENT', CURRENT);
  secrets.setKey('AWSPREVIOUS', PREVIOUS);
  if (tokenCase.secret === 'unreachable') secrets.failWith = 'ServiceUnavailableException';
  if (tokenCase.secret === 'broken') {
    secrets.stages.set('AWSCURRENT', { versionId: 'v-broken', value: '{"kty":"oct"}' });
  }
  const ring = new JwtKeyRing({
    secretId: SECRET_ID,
    client: secrets.client,
    clock: () => clock.now,
    issuer: 'https://issuer',
    audience: 'api',
    observer,
    ...(logger !== undefined && { logger }),
  });
  if ((tokenCase.secret ?? 'keys') === 'keys') await ring.refresh();
  return { ring, clock };
}

/** Verifies the case's token at its time; the outcome itself is not this helper's concern. */
export async function verifyCase(
  ring: JwtKeyRing,
  clock: { now: number },
  tokenCase: TokenCase,
): Promise<void> {
  clock.now = NOW + (tokenCase.at ?? 0);
  await ring.verify(tokenCase.token, tokenCase.verifyOptions).catch(() => undefined);
}
