/**
 * Turns a validated key document into a key jose signs and verifies with. jose's importJWK gives
 * the raw bytes of an "oct" key, and jose would import those into WebCrypto again on every call;
 * importing once here to a non-extractable CryptoKey keeps that cost off every request.
 */
import { importJWK, type CryptoKey } from 'jose';

import { hashName } from './algorithms';
import type { KeyDocument } from './key-document';

export async function importKeyDocument(document: KeyDocument): Promise<CryptoKey> {
  const imported = await importJWK(
    { kty: document.kty, k: document.k, alg: document.alg },
    document.alg,
  );
  if (!(imported instanceof Uint8Array)) {
    return imported;
  }
  const hash = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' }[hashName(document.alg)];
  return globalThis.crypto.subtle.importKey('raw', imported, { name: 'HMAC', hash }, false, [
    'sign',
    'verify',
  ]);
}

/** The raw key bytes, for callers that run HMAC on node:crypto directly. */
export function keyDocumentBytes(document: KeyDocument): Buffer {
  return Buffer.from(document.k, 'base64url');
}
