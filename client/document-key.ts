/**
 * Imports a key document into node:crypto KeyObjects once, when it is loaded, so that sign and
 * verify never parse a key. An asymmetric key verifies with its public half only (publicJwk),
 * the same half verifiers elsewhere get: a document whose halves disagreed would have been
 * refused by the parser already.
 */
import { createPrivateKey, createPublicKey, createSecretKey, type JsonWebKey } from 'node:crypto';

import {
  isHmacKeyDocument,
  type KeyDocument,
  keyDocumentBytes,
  keyMembersOf,
  publicJwk,
} from '../key-document';

import { type JwsKey } from './compact-jws';
import { signatureLength } from './signatures';

export function importDocumentKey(document: KeyDocument): JwsKey {
  if (isHmacKeyDocument(document)) {
    return {
      kind: 'hmac',
      alg: document.alg,
      kid: document.kid,
      secret: createSecretKey(keyDocumentBytes(document)),
    };
  }
  const publicKey = createPublicKey({ key: publicJwk(document) as JsonWebKey, format: 'jwk' });
  return {
    kind: 'asymmetric',
    alg: document.alg,
    kid: document.kid,
    publicKey,
    privateKey: createPrivateKey({ key: keyMembersOf(document) as JsonWebKey, format: 'jwk' }),
    signatureBytes: signatureLength(document.alg, publicKey),
  };
}
