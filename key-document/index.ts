/**
 * The key document: the format of every secret version, shared by the rotation Lambda, the
 * client library and the tools. One module, so both sides agree on what a valid key is.
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
export { importKeyDocument, keyDocumentBytes } from './import-key';
export { previousKeyGraceEndsAt, serializeKeyDocument, type KeyDocument } from './key-document';
export { parseKeyDocument, validateKeyDocument, type ParseKeyDocumentOptions } from './parse';
