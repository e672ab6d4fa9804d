/**
 * The signature of a compact JWS for the asymmetric algorithms, on node:crypto: ES256 (ECDSA
 * P-256 with SHA-256, in JOSE's fixed-length r‖s form), EdDSA (Ed25519) and RS256
 * (RSASSA-PKCS1-v1_5 with SHA-256). The algorithm comes from the key, never from the token,
 * and a signature of the wrong length is refused before any arithmetic: a DER-encoded ECDSA
 * signature (70-72 bytes) is never accepted, and an RSA signature must be exactly the
 * modulus's length (RFC 8017 8.2.2).
 */
import { type KeyObject, sign, verify } from 'node:crypto';

import { type AsymmetricAlgorithm } from '../key-document/asymmetric';

/** SHA-256 for ES256 and RS256; Ed25519 hashes internally (node:crypto takes null). */
const DIGEST: Readonly<Record<AsymmetricAlgorithm, 'sha256' | null>> = {
  ES256: 'sha256',
  EdDSA: null,
  RS256: 'sha256',
};

/** The exact signature length a key's algorithm produces, in bytes. */
export function signatureLength(alg: AsymmetricAlgorithm, publicKey: KeyObject): number {
  if (alg !== 'RS256') return 64;
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  return Math.ceil(bits / 8);
}

/** True when `signature` is the key's signature of `signingInput`. Never throws on bad input. */
export function hasValidAsymmetricSignature(
  alg: AsymmetricAlgorithm,
  publicKey: KeyObject,
  expectedLength: number,
  signingInput: string | Buffer,
  signature: Buffer,
): boolean {
  if (signature.length !== expectedLength) return false;
  const data = typeof signingInput === 'string' ? Buffer.from(signingInput) : signingInput;
  try {
    return alg === 'ES256'
      ? verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)
      : verify(DIGEST[alg], data, publicKey, signature);
  } catch {
    // node:crypto throws on some malformed signatures (r or s out of range) instead of answering false.
    return false;
  }
}

/** The key's signature of `signingInput`, in the JOSE form of its algorithm. */
export function createAsymmetricSignature(
  alg: AsymmetricAlgorithm,
  privateKey: KeyObject,
  signingInput: string,
): Buffer {
  const data = Buffer.from(signingInput);
  return alg === 'ES256'
    ? sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
    : sign(DIGEST[alg], data, privateKey);
}
