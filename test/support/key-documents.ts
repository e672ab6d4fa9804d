/** Test helpers over the key document union. */
import { type HmacKeyDocument, type KeyDocument } from '../../key-document';

/** The document as an HMAC one, for tests whose secret holds HMAC keys; throws otherwise. */
export function hmacKey(document: KeyDocument | undefined): HmacKeyDocument {
  if (document?.kty !== 'oct')
    throw new Error(`expected an HMAC key document, got ${document?.kty}`);
  return document;
}
