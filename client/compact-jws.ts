/**
 * Compact JWS on node:crypto: HMAC is the fast path of sign and verify; asymmetric keys go
 * through signatures.ts. Verifying through
 * jose costs a WebCrypto round trip per call; this runs HMAC, a constant-time compare, base64url
 * and JSON.parse, about the floor of what verification can cost. It is held to jose's decisions
 * by a differential test over the Wycheproof vectors, the attack tables and fuzzed tokens; where
 * it differs, it is stricter on purpose: every part must be canonical base64url (jose accepts
 * non-zero trailing bits and some stray characters), a header or payload starting with a byte
 * order mark is refused (jose skips it), and size is limited.
 */
import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto';

// From the modules themselves, not the key-document index: compiled, a call through an index's
// re-export goes through a getter, and these run on every verification.
import { hashName, type HmacAlgorithm } from '../key-document/algorithms';
import { type AsymmetricAlgorithm } from '../key-document/asymmetric';
import { decodeCanonicalBase64url } from '../key-document/base64url';

import { JwtKeyRingError, refusedWith } from './errors';
import { createAsymmetricSignature, hasValidAsymmetricSignature } from './signatures';
import { type ProtectedHeader, type VerifiedHeaders } from './verified-headers';

export interface HmacKey {
  readonly kind: 'hmac';
  readonly alg: HmacAlgorithm;
  readonly kid: string;
  readonly secret: KeyObject;
}

/** An asymmetric key, imported once when loaded: it verifies with the public half alone. */
export interface AsymmetricKey {
  readonly kind: 'asymmetric';
  readonly alg: AsymmetricAlgorithm;
  readonly kid: string;
  readonly publicKey: KeyObject;
  /** Absent on a key that only verifies. */
  readonly privateKey?: KeyObject;
  /** The exact length of its signatures, in bytes (see signatures.ts). */
  readonly signatureBytes: number;
}

export type JwsKey = HmacKey | AsymmetricKey;

export interface DecodedJws {
  readonly header: ProtectedHeader;
  /** The header as the token spells it (what VerifiedHeaders remembers it by). */
  readonly encodedHeader: string;
  readonly payload: Buffer;
  readonly signingInput: string;
  readonly signature: Buffer;
}

/**
 * Strict UTF-8, as jose decodes: invalid bytes are refused, not replaced by U+FFFD (which would
 * let two different byte strings read as the same claims). A leading BOM is kept, so JSON.parse
 * refuses it: networked JSON carries none (RFC 8259 8.1; a parser may skip one, jose does).
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const SIGNATURE_BYTES: Readonly<Record<HmacAlgorithm, number>> = {
  HS256: 32,
  HS384: 48,
  HS512: 64,
};

/**
 * Splits and decodes a compact JWS; checks structure only, not the signature. A header part that
 * `verifiedHeaders` remembers is not decoded again.
 */
export function decodeCompactJws(
  token: string,
  maxBytes: number,
  verifiedHeaders?: VerifiedHeaders,
): DecodedJws {
  if (typeof token !== 'string') throw malformed('the token is not a string');
  if (token.length > maxBytes) {
    throw new JwtKeyRingError('ERR_JWT_TOO_LARGE', `the token is longer than ${maxBytes} bytes`);
  }
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) >= 0) {
    throw malformed('a compact JWS has exactly three parts');
  }
  const encodedHeader = token.slice(0, first);
  const payload = decodeCanonicalBase64url(token.slice(first + 1, second));
  const signature = decodeCanonicalBase64url(token.slice(second + 1));
  if (payload === undefined || signature === undefined) throw notCanonical();
  const header = verifiedHeaders?.find(encodedHeader) ?? decodeHeader(encodedHeader);
  if (signature.length === 0) {
    // An unsecured JWS (RFC 7519 6.1) has an empty signature: refused for its algorithm, which
    // is what it is (a forgery anyone can make), not as a malformed token.
    refuseUnsecured(header);
    throw malformed('empty header or signature');
  }
  return { header, encodedHeader, payload, signingInput: token.slice(0, second), signature };
}

function decodeHeader(encodedHeader: string): ProtectedHeader {
  const bytes = decodeCanonicalBase64url(encodedHeader);
  if (bytes === undefined) throw notCanonical();
  if (bytes.length === 0) throw malformed('empty header or signature');
  const header = parseJsonObject(bytes);
  if (header === undefined) throw malformed('the protected header is not a UTF-8 JSON object');
  return header;
}

/**
 * Checks what the header may say before any key is used: an `alg` string, no `crit` (no
 * extension is supported, so none can be understood), a `typ` of JWT if any.
 */
export function checkProtectedHeader(header: ProtectedHeader): void {
  if (typeof header.alg !== 'string' || header.alg === '') throw malformed('the header has no alg');
  refuseUnsecured(header);
  if (header.crit !== undefined) {
    throw new JwtKeyRingError(
      'ERR_JWT_CRIT_UNSUPPORTED',
      'critical header extensions are not supported',
    );
  }
  if (header.typ !== undefined && header.typ !== 'JWT') {
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
    if (typ !== 'jwt' && typ !== 'application/jwt') {
      throw new JwtKeyRingError(
        'ERR_JWT_TYP_INVALID',
        `typ must be JWT, got ${JSON.stringify(header.typ)}`,
      );
    }
  }
}

/**
 * True when the signature is the key's: its HMAC of the signing input (constant-time compare),
 * or a valid signature of its algorithm under its public half. The algorithm is the key's.
 */
export function hasValidSignature(decoded: DecodedJws, key: JwsKey): boolean {
  if (key.kind === 'asymmetric') {
    return hasValidAsymmetricSignature(
      key.alg,
      key.publicKey,
      key.signatureBytes,
      decoded.signingInput,
      decoded.signature,
    );
  }
  if (decoded.signature.length !== SIGNATURE_BYTES[key.alg]) return false;
  const expected = createHmac(hashName(key.alg), key.secret).update(decoded.signingInput).digest();
  return timingSafeEqual(expected, decoded.signature);
}

/** The protected header as it appears in a token; a key's is encoded once, when it is loaded. */
export function encodeProtectedHeader(header: ProtectedHeader): string {
  return encodeJson(header);
}

export function signCompactJws(encodedHeader: string, payload: unknown, key: JwsKey): string {
  const signingInput = `${encodedHeader}.${encodeJson(payload)}`;
  if (key.kind === 'asymmetric') {
    if (key.privateKey === undefined) {
      throw new JwtKeyRingError('ERR_INVALID_ARGUMENT', `the key ${key.kid} only verifies`);
    }
    const signature = createAsymmetricSignature(key.alg, key.privateKey, signingInput);
    return `${signingInput}.${signature.toString('base64url')}`;
  }
  const signature = createHmac(hashName(key.alg), key.secret)
    .update(signingInput)
    .digest('base64url');
  return `${signingInput}.${signature}`;
}

/** The bytes as a JSON object, or undefined when they are not strict UTF-8 JSON of an object. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(UTF8.decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * Refuses `none` in any case (RFC 7518 3.6; `None` and `NONE` are what alg-none attacks try
 * against case-insensitive libraries) as ERR_JWT_ALG_NOT_ALLOWED, before any key is looked up,
 * so the token counts as suspicious whatever its kid. Only the header's alg is read. No
 * algorithm we verify has 4 characters: on a valid token this is one length compare.
 */
function refuseUnsecured(header: ProtectedHeader): void {
  const alg = header.alg;
  if (typeof alg === 'string' && alg.length === 4 && alg.toLowerCase() === 'none') {
    // The header was read: the refusal names the kid it carries (no key was looked up: no stage).
    const kid = header.kid;
    throw refusedWith(
      new JwtKeyRingError(
        'ERR_JWT_ALG_NOT_ALLOWED',
        `unsecured tokens are never accepted, the token says ${JSON.stringify(alg)}`,
      ),
      typeof kid === 'string' && kid !== '' ? kid : undefined,
    );
  }
}

function notCanonical(): JwtKeyRingError {
  return malformed('every part must be canonical unpadded base64url');
}

function malformed(reason: string): JwtKeyRingError {
  return new JwtKeyRingError('ERR_JWT_MALFORMED', `malformed token: ${reason}`);
}
