/**
 * Turns a validated key document into the keys jose signs and verifies with, for testSecret's
 * sign-and-verify check. Lives here, not in key-document/, so that the key document module
 * depends on nothing but node:crypto. An asymmetric key verifies through its public JWK alone,
 * the half verifiers get, so a document whose halves disagree fails the check. jose's importJWK
 * gives the raw bytes of an "oct" key; importing them once to a non-extractable CryptoKey keeps
 * jose from re-importing per call.
 */
import { importJWK, type CryptoKey } from 'jose';

import {
  hashName,
  isHmacKeyDocument,
  type KeyDocument,
  keyMembersOf,
  publicJwk,
} from '../../key-document';

export interface ImportedKeys {
  /** Signs: the HMAC key, or the private JWK. */
  readonly signingKey: CryptoKey;
  /** Verifies: the HMAC key, or the public JWK only. */
  readonly verificationKey: CryptoKey;
}

export async function importKeyDocument(document: KeyDocument): Promise<ImportedKeys> {
  if (isHmacKeyDocument(document)) {
    const secret = await importJWK(
      { kty: document.kty, k: document.k, alg: document.alg },
      document.alg,
    );
    const key =
      secret instanceof Uint8Array
        ? await globalThis.crypto.subtle.importKey(
            'raw',
            new Uint8Array(secret),
            { name: 'HMAC', hash: HASHES[hashName(document.alg)] },
            false,
            ['sign', 'verify'],
          )
        : secret;
    return { signingKey: key, verificationKey: key };
  }
  return {
    signingKey: await importAsymmetric(keyMembersOf(document), document.alg),
    verificationKey: await importAsymmetric({ ...publicJwk(document) }, document.alg),
  };
}

const HASHES = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' } as const;

async function importAsymmetric(jwk: Record<string, string>, alg: string): Promise<CryptoKey> {
  const key = await importJWK(jwk, alg);
  if (key instanceof Uint8Array) throw new TypeError(`jose imported a ${alg} key as raw bytes`);
  return key;
}
