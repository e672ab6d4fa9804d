/**
 * The key document: the format of every secret version, shared by the rotation Lambda, the
 * client library and the tools. One module, so both sides agree on what a valid key is. It
 * imports nothing but node:crypto (no jose): whoever signs imports the key into its own library.
 */
export {
  HMAC_ALGORITHMS,
  hashName,
  isHmacAlgorithm,
  minimumKeyBytes,
  type HmacAlgorithm,
} from './algorithms';
export {
  currentSinceOf,
  currentSinceStage,
  isCurrentSinceStage,
  LATE_PROMOTION_MS,
} from './current-since';
export { decodeCanonicalBase64url, isCanonicalBase64url } from './base64url';
export { KeyDocumentError, type KeyDocumentErrorCode } from './errors';
export {
  generateKeyDocument,
  type GenerateKeyDocumentOptions,
  NEW_HMAC_KEY_BYTES,
  type RandomBytes,
} from './generate';
export { keyDocumentBytes } from './key-bytes';
export {
  graceEndOfPrevious,
  previousKeyGraceEndsAt,
  serializeKeyDocument,
  type KeyDocument,
} from './key-document';
export { parseKeyDocument, validateKeyDocument, type ParseKeyDocumentOptions } from './parse';
