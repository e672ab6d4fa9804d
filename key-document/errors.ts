/**
 * Errors raised while reading a key document. Callers switch on `code`; the message names the
 * secret or version at fault (through `source`) and what was wrong, never the key bytes.
 */

export type KeyDocumentErrorCode =
  | 'ERR_KEY_DOCUMENT_NOT_JSON'
  | 'ERR_KEY_DOCUMENT_NOT_OBJECT'
  | 'ERR_KEY_DOCUMENT_WRONG_KTY'
  | 'ERR_KEY_DOCUMENT_WRONG_ALG'
  | 'ERR_KEY_DOCUMENT_WRONG_USE'
  | 'ERR_KEY_DOCUMENT_WRONG_KEY_OPS'
  | 'ERR_KEY_DOCUMENT_MISSING_KID'
  | 'ERR_KEY_DOCUMENT_MISSING_KEY'
  | 'ERR_KEY_DOCUMENT_NON_CANONICAL_KEY'
  | 'ERR_KEY_DOCUMENT_KEY_TOO_SHORT'
  /** An asymmetric key whose members do not form a usable key (size, curve, halves that do not match). */
  | 'ERR_KEY_DOCUMENT_BAD_KEY'
  | 'ERR_KEY_DOCUMENT_BAD_CREATED_AT'
  | 'ERR_KEY_DOCUMENT_BAD_GRACE'
  | 'ERR_KEY_DOCUMENT_BAD_KID_REFERENCE'
  /** A `legacy` member that is malformed, or on a key that is not HMAC. */
  | 'ERR_KEY_DOCUMENT_BAD_LEGACY'
  /** A key a caller cannot use as asked: the public half of an HMAC (or legacy) key. */
  | 'ERR_KEY_DOCUMENT_NOT_PUBLISHABLE';

export class KeyDocumentError extends Error {
  override readonly name = 'KeyDocumentError';

  constructor(
    readonly code: KeyDocumentErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
