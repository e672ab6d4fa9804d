/** The raw key bytes of a document, for callers that run HMAC on node:crypto directly. */
import type { KeyDocument } from './key-document';

export function keyDocumentBytes(document: KeyDocument): Buffer {
  return Buffer.from(document.k, 'base64url');
}
