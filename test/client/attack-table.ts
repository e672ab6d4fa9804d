/**
 * Hand-made attack tokens (RFC 8725 and the classic JWT attacks) that every verifier of the
 * library must refuse, with the stable code a caller would switch on. One table, built for a
 * victim key: attacks.test.ts runs it against JwtKeyRing (HMAC and asymmetric keys) and
 * JwksVerifier (asymmetric keys), which share their verification core.
 */
import { type AsymmetricKeyDocument, type KeyDocument, publicJwk } from '../../key-document';
import { hmacKey } from '../support/key-documents';

import { asymmetricToken, compact, hmacToken } from './support';

export const NOW = Date.UTC(2026, 0, 1);
const now = NOW / 1000;
export const GOOD_CLAIMS = {
  sub: 'user',
  iat: now,
  exp: now + 600,
  iss: 'https://issuer',
  aud: 'api',
};

/** What an attack is built from: the victim key's valid tokens, and an attacker's key. */
export interface AttackTarget {
  /** The header of a valid token: { alg, kid: 'k1', typ: 'JWT' }. */
  readonly header: Readonly<Record<string, unknown>>;
  /** Signs raw header and payload (objects, text or bytes) with the victim key. */
  sign(header: unknown, payload: unknown): string;
  /** Signs with another key of the same kind, under the same kid. */
  signAsAttacker(header: unknown, payload: unknown): string;
  /** The attacker's key as a JWK, to embed in a header. */
  readonly attackerJwk: Readonly<Record<string, unknown>>;
}

export function hmacTarget(victim: KeyDocument, attacker: KeyDocument): AttackTarget {
  return {
    header: { alg: victim.alg, kid: 'k1', typ: 'JWT' },
    sign: (header, payload) => hmacToken(header, payload, victim),
    signAsAttacker: (header, payload) => hmacToken(header, payload, attacker),
    attackerJwk: { kty: 'oct', k: hmacKey(attacker).k },
  };
}

export function asymmetricTarget(
  victim: AsymmetricKeyDocument,
  attacker: AsymmetricKeyDocument,
): AttackTarget {
  return {
    header: { alg: victim.alg, kid: 'k1', typ: 'JWT' },
    sign: (header, payload) => asymmetricToken(header, payload, victim),
    signAsAttacker: (header, payload) => asymmetricToken(header, payload, attacker),
    attackerJwk: publicJwk(attacker),
  };
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** The JSON of `object` with raw bytes appended inside the string value of `member`. */
function withBytes(object: Record<string, unknown>, member: string, bytes: number[]): Buffer {
  const marker = '\u0000MARK\u0000';
  const [before, after] = JSON.stringify({ ...object, [member]: `x${marker}` }).split(
    JSON.stringify(marker).slice(1, -1),
  ) as [string, string];
  return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
}

/** [name, token, code]: attacks any key kind allows, refused the same way by every verifier. */
export function tokenAttacks(target: AttackTarget): [string, string, string][] {
  const { header: HEADER, sign } = target;
  const good = sign(HEADER, GOOD_CLAIMS);
  const [goodHeader, goodPayload, goodSignature] = good.split('.') as [string, string, string];
  return [
    // Unsecured tokens (RFC 7519 6.1), in any case, signed or not, whatever their kid: refused
    // for their algorithm (a suspicious refusal), never as merely malformed.
    [
      'alg none, no signature',
      compact({ alg: 'none', kid: 'k1' }, GOOD_CLAIMS),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'alg None, no signature',
      compact({ alg: 'None', kid: 'k1' }, GOOD_CLAIMS),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'alg NONE, no signature',
      compact({ alg: 'NONE', kid: 'k1' }, GOOD_CLAIMS),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    ['alg none, no kid', compact({ alg: 'none' }, GOOD_CLAIMS), 'ERR_JWT_ALG_NOT_ALLOWED'],
    [
      'alg none, a kid no key has',
      compact({ alg: 'none', kid: 'k0' }, GOOD_CLAIMS),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'alg nOnE, a kid no key has, with a signature',
      `${compact({ alg: 'nOnE', kid: 'k0' }, GOOD_CLAIMS)}${goodSignature}`,
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'alg none with a signature',
      `${compact({ alg: 'none', kid: 'k1' }, GOOD_CLAIMS)}${goodSignature}`,
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'alg None',
      `${compact({ alg: 'None', kid: 'k1' }, GOOD_CLAIMS)}${goodSignature}`,
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'alg NONE',
      `${compact({ alg: 'NONE', kid: 'k1' }, GOOD_CLAIMS)}${goodSignature}`,
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    ['alg missing', sign({ kid: 'k1' }, GOOD_CLAIMS), 'ERR_JWT_MALFORMED'],
    [
      'crit naming exp',
      sign({ ...HEADER, crit: ['exp'], exp: 1 }, GOOD_CLAIMS),
      'ERR_JWT_CRIT_UNSUPPORTED',
    ],
    [
      'crit b64:false (unencoded payload)',
      sign({ ...HEADER, crit: ['b64'], b64: false }, GOOD_CLAIMS),
      'ERR_JWT_CRIT_UNSUPPORTED',
    ],
    ['crit empty list', sign({ ...HEADER, crit: [] }, GOOD_CLAIMS), 'ERR_JWT_CRIT_UNSUPPORTED'],
    [
      'embedded jwk with the attacker key',
      target.signAsAttacker({ ...HEADER, jwk: target.attackerJwk }, GOOD_CLAIMS),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'jku to an attacker JWKS',
      target.signAsAttacker({ ...HEADER, jku: 'https://attacker.example/jwks' }, GOOD_CLAIMS),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'x5u to an attacker certificate',
      target.signAsAttacker({ ...HEADER, x5u: 'https://attacker.example/cert' }, GOOD_CLAIMS),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'x5c with an attacker certificate',
      target.signAsAttacker({ ...HEADER, x5c: ['MIIB'] }, GOOD_CLAIMS),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'same kid, another key',
      target.signAsAttacker(HEADER, GOOD_CLAIMS),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'kid path traversal',
      sign({ ...HEADER, kid: '../../../../dev/null' }, GOOD_CLAIMS),
      'ERR_JWT_UNKNOWN_KID',
    ],
    [
      'kid SQL injection',
      sign({ ...HEADER, kid: "k1' OR '1'='1" }, GOOD_CLAIMS),
      'ERR_JWT_UNKNOWN_KID',
    ],
    [
      'kid of a version not loaded (an old key)',
      sign({ ...HEADER, kid: 'k0' }, GOOD_CLAIMS),
      'ERR_JWT_UNKNOWN_KID',
    ],
    ['kid missing', sign({ alg: HEADER.alg }, GOOD_CLAIMS), 'ERR_JWT_UNKNOWN_KID'],
    ['kid a number', sign({ alg: HEADER.alg, kid: 1 }, GOOD_CLAIMS), 'ERR_JWT_UNKNOWN_KID'],
    [
      'typ of an access token profile',
      sign({ ...HEADER, typ: 'at+jwt' }, GOOD_CLAIMS),
      'ERR_JWT_TYP_INVALID',
    ],
    [
      'signature truncated to 16 bytes',
      `${goodHeader}.${goodPayload}.${Buffer.from(goodSignature, 'base64url').subarray(0, 16).toString('base64url')}`,
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    ['signature empty', `${goodHeader}.${goodPayload}.`, 'ERR_JWT_MALFORMED'],
    [
      'signature of another payload',
      `${goodHeader}.${Buffer.from(JSON.stringify({ ...GOOD_CLAIMS, sub: 'admin' })).toString('base64url')}.${goodSignature}`,
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    ['two parts', `${goodHeader}.${goodPayload}`, 'ERR_JWT_MALFORMED'],
    ['five parts (JWE shape)', `${good}.x.y`, 'ERR_JWT_MALFORMED'],
    ['base64 padding', `${good}=`, 'ERR_JWT_MALFORMED'],
    [
      'standard base64 characters',
      good.replace(/-/g, '+').replace(/_/g, '/') +
        (good.includes('-') || good.includes('_') ? '' : '+'),
      'ERR_JWT_MALFORMED',
    ],
    ['white space', ` ${good}`, 'ERR_JWT_MALFORMED'],
    ['header is a JSON array', sign([HEADER], GOOD_CLAIMS), 'ERR_JWT_MALFORMED'],
    [
      'header with invalid UTF-8 (a lone continuation byte in a string)',
      sign(withBytes({ ...HEADER, note: '' }, 'note', [0x80]), GOOD_CLAIMS),
      'ERR_JWT_MALFORMED',
    ],
    [
      'header starting with a byte order mark',
      sign(Buffer.concat([BOM, Buffer.from(JSON.stringify(HEADER))]), GOOD_CLAIMS),
      'ERR_JWT_MALFORMED',
    ],
    [
      'payload with invalid UTF-8 (a truncated sequence in a string)',
      sign(HEADER, withBytes(GOOD_CLAIMS, 'sub', [0xc3])),
      'ERR_JWT_CLAIMS_MALFORMED',
    ],
    [
      'payload with an overlong encoding of "/"',
      sign(HEADER, withBytes(GOOD_CLAIMS, 'sub', [0xc0, 0xaf])),
      'ERR_JWT_CLAIMS_MALFORMED',
    ],
    [
      'payload with a UTF-16 surrogate encoded in UTF-8',
      sign(HEADER, withBytes(GOOD_CLAIMS, 'sub', [0xed, 0xa0, 0x80])),
      'ERR_JWT_CLAIMS_MALFORMED',
    ],
    [
      'payload starting with a byte order mark',
      sign(HEADER, Buffer.concat([BOM, Buffer.from(JSON.stringify(GOOD_CLAIMS))])),
      'ERR_JWT_CLAIMS_MALFORMED',
    ],
    ['header is not JSON', sign('alg=HS256', GOOD_CLAIMS), 'ERR_JWT_MALFORMED'],
    ['payload is a JSON array', sign(HEADER, [GOOD_CLAIMS]), 'ERR_JWT_CLAIMS_MALFORMED'],
    ['payload is a JSON string', sign(HEADER, '"admin"'), 'ERR_JWT_CLAIMS_MALFORMED'],
    ['payload is not JSON', sign(HEADER, 'foo'), 'ERR_JWT_CLAIMS_MALFORMED'],
    [
      'oversized token',
      sign(HEADER, { ...GOOD_CLAIMS, pad: 'x'.repeat(9000) }),
      'ERR_JWT_TOO_LARGE',
    ],
    ['exp missing', sign(HEADER, { ...GOOD_CLAIMS, exp: undefined }), 'ERR_JWT_EXP_MISSING'],
    [
      'exp as text',
      sign(HEADER, { ...GOOD_CLAIMS, exp: String(now + 600) }),
      'ERR_JWT_CLAIM_INVALID',
    ],
    ['nbf as text', sign(HEADER, { ...GOOD_CLAIMS, nbf: String(now) }), 'ERR_JWT_CLAIM_INVALID'],
    ['iat as text', sign(HEADER, { ...GOOD_CLAIMS, iat: 'now' }), 'ERR_JWT_CLAIM_INVALID'],
    [
      'wrong issuer',
      sign(HEADER, { ...GOOD_CLAIMS, iss: 'https://evil' }),
      'ERR_JWT_CLAIM_INVALID',
    ],
    ['issuer missing', sign(HEADER, { ...GOOD_CLAIMS, iss: undefined }), 'ERR_JWT_CLAIM_INVALID'],
    ['wrong audience', sign(HEADER, { ...GOOD_CLAIMS, aud: ['other'] }), 'ERR_JWT_CLAIM_INVALID'],
    ['audience missing', sign(HEADER, { ...GOOD_CLAIMS, aud: undefined }), 'ERR_JWT_CLAIM_INVALID'],
  ];
}

/** [name, claims over GOOD_CLAIMS, code or undefined when accepted], at 60 s tolerance. */
export function timeClaimBoundaries(): [string, Record<string, number>, string | undefined][] {
  const TOLERANCE = 60;
  return [
    ['exp one second before now - tolerance', { exp: now - TOLERANCE - 1 }, 'ERR_JWT_EXPIRED'],
    ['exp exactly now - tolerance', { exp: now - TOLERANCE }, 'ERR_JWT_EXPIRED'],
    ['exp one second after now - tolerance', { exp: now - TOLERANCE + 1 }, undefined],
    ['nbf one second after now + tolerance', { nbf: now + TOLERANCE + 1 }, 'ERR_JWT_NOT_YET_VALID'],
    ['nbf exactly now + tolerance', { nbf: now + TOLERANCE }, undefined],
    ['nbf one second before now + tolerance', { nbf: now + TOLERANCE - 1 }, undefined],
  ];
}
