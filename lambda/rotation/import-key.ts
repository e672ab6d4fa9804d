/**
 * Turns a validated key document into a key jose signs and verifies with, for testSecret's
 * sign-and-verify check. Lives here, not in key-document/, so that the key document module
 * depends on nothing but node:crypto. jose's importJWK gives the raw bytes of an "oct" key;
 * importing them once to a non-extractable CryptoKey keeps jose from re-importing per call.
 */
import { importJWK, type CryptoKey } from 'jose';

import { hashName, type KeyDocument } from '../../key-document';

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
