/** The raw key bytes of an HMAC document, for callers that run HMAC on node:crypto directly. */
import type { HmacKeyDocument } from './key-document';

export function keyDocumentBytes(document: HmacKeyDocument): Buffer {
  return Buffer.from(document.k, 'base64url');
}
