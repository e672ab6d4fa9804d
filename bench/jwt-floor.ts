/**
 * The floor each JWT case is compared with: the least any verifier or signer must do with
 * node:crypto. Verify: split, decode the signature, check its length and the signature (an HMAC
 * and a constant-time compare, or node:crypto's verify with a KeyObject imported once), decode
 * and JSON.parse header and payload, check alg, then the same claims as the others (exp
 * required, nbf, iss, aud). Sign: JSON and base64url of the payload, the signature, a header
 * encoded once. It skips what JwtKeyRing does beyond that on purpose (canonical base64url,
 * strict UTF-8, the size limit, kid lookup), so the ratios count that work as overhead.
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  type JsonWebKey,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';

import {
  hashName,
  isHmacKeyDocument,
  type JwtAlgorithm,
  keyDocumentBytes,
  type KeyDocument,
  keyMembersOf,
  publicJwk,
} from '../key-document';

export const ISSUER = 'https://issuer.bench.example';
export const AUDIENCE = 'bench-api';
export const SUBJECT = 'user-42';
export const LIFETIME_SECONDS = 3600;
export const TOLERANCE_SECONDS = 60;

export interface Claims {
  readonly sub?: unknown;
  readonly iss?: unknown;
  readonly aud?: unknown;
  readonly exp?: unknown;
  readonly nbf?: unknown;
}

/** A key's signature primitive, as bare as node:crypto allows. */
export interface FloorScheme {
  /** The signature of the signing input, base64url. */
  readonly sign: (signingInput: string) => string;
  /** Whether `signature` is the key's for `signingInput`, its length checked first. */
  readonly verify: (signingInput: string, signature: Buffer) => boolean;
}

export function floorScheme(document: KeyDocument): FloorScheme {
  if (isHmacKeyDocument(document)) {
    const key = keyDocumentBytes(document);
    const hash = hashName(document.alg);
    return {
      sign: (input) => createHmac(hash, key).update(input).digest('base64url'),
      verify: (input, signature) => {
        const expected = createHmac(hash, key).update(input).digest();
        return signature.length === expected.length && timingSafeEqual(signature, expected);
      },
    };
  }
  const publicKey = createPublicKey({ key: publicJwk(document) as JsonWebKey, format: 'jwk' });
  const privateKey = createPrivateKey({ key: keyMembersOf(document) as JsonWebKey, format: 'jwk' });
  // Ed25519 hashes internally; ES256 signatures are JOSE's r‖s (IEEE P1363), not DER.
  const digest = document.alg === 'EdDSA' ? null : 'sha256';
  const verifyKey =
    document.alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;
  const signKey =
    document.alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const } : privateKey;
  const signatureBytes =
    document.alg === 'RS256' ? (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8 : 64;
  return {
    sign: (input) => sign(digest, Buffer.from(input), signKey).toString('base64url'),
    verify: (input, signature) =>
      signature.length === signatureBytes &&
      verify(digest, Buffer.from(input), verifyKey, signature),
  };
}

export function floorVerifier(alg: JwtAlgorithm, scheme: FloorScheme): (token: string) => Claims {
  return (token) => {
    const firstDot = token.indexOf('.');
    const secondDot = token.indexOf('.', firstDot + 1);
    if (firstDot < 0 || secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
      throw new Error('not a compact JWS');
    }
    const signature = Buffer.from(token.slice(secondDot + 1), 'base64url');
    if (!scheme.verify(token.slice(0, secondDot), signature)) throw new Error('bad signature');
    const header = JSON.parse(
      Buffer.from(token.slice(0, firstDot), 'base64url').toString('utf8'),
    ) as { alg?: unknown };
    if (header.alg !== alg) throw new Error('wrong alg');
    const claims = JSON.parse(
      Buffer.from(token.slice(firstDot + 1, secondDot), 'base64url').toString('utf8'),
    ) as Claims;
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now - TOLERANCE_SECONDS) {
      throw new Error('expired');
    }
    if (typeof claims.nbf === 'number' && claims.nbf > now + TOLERANCE_SECONDS) {
      throw new Error('not yet valid');
    }
    if (claims.iss !== ISSUER) throw new Error('wrong issuer');
    const audiences = Array.isArray(claims.aud) ? (claims.aud as unknown[]) : [claims.aud];
    if (!audiences.includes(AUDIENCE)) throw new Error('wrong audience');
    return claims;
  };
}

export function floorSigner(alg: JwtAlgorithm, kid: string, scheme: FloorScheme): () => string {
  const header = Buffer.from(JSON.stringify({ alg, kid, typ: 'JWT' })).toString('base64url');
  return () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(
      JSON.stringify({
        sub: SUBJECT,
        iat: now,
        exp: now + LIFETIME_SECONDS,
        iss: ISSUER,
        aud: AUDIENCE,
      }),
    ).toString('base64url');
    const signingInput = `${header}.${payload}`;
    return `${signingInput}.${scheme.sign(signingInput)}`;
  };
}
