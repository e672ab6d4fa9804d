/**
 * The key document: the format of every secret version, shared by the rotation Lambda, the
 * client library and the tools. One module, so both sides agree on what a valid key is. It
 * imports nothing but node:crypto (no jose): whoever signs imports the key into its own library.
 */
export {
  HMAC_ALGORITHMS,
  hashName,
  isHmacAlgorithm,
  isJwtAlgorithm,
  JWT_ALGORITHMS,
  minimumKeyBytes,
  type HmacAlgorithm,
  type JwtAlgorithm,
} from './algorithms';
export {
  ASYMMETRIC_ALGORITHMS,
  ED25519_ALGORITHM,
  isAsymmetricAlgorithm,
  PRIVATE_MEMBERS,
  publicKeyAlgorithmOf,
  publicKeyProblem,
  RSA_MODULUS_BITS,
  type AsymmetricAlgorithm,
  type RsaModulusBits,
} from './asymmetric';
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
  isHmacKeyDocument,
  keyMembersOf,
  previousKeyGraceEndsAt,
  promotedDocument,
  type PromotionMembers,
  serializeKeyDocument,
  type AsymmetricKeyDocument,
  type EdDsaKeyDocument,
  type Es256KeyDocument,
  type HmacKeyDocument,
  type KeyDocument,
  type KeyDocumentMembers,
  type Rs256KeyDocument,
} from './key-document';
export {
  graceForSuccessorOf,
  isLegacyKeyDocument,
  legacyKeyStrength,
  makeLegacyKeyDocument,
  MINIMUM_LEGACY_KEY_BYTES,
  type LegacyKeyDocument,
  type MakeLegacyKeyDocumentOptions,
} from './legacy';
export {
  LEGACY_TOKENS_WITHOUT_EXP,
  type LegacyKeyMembers,
  type LegacyTokensWithoutExp,
} from './legacy-members';
export { makeKeyDocument, type MakeKeyDocumentOptions } from './make';
export { isFetchableUrl, issuerProblem, LOOPBACK_HOSTS } from './issuer';
export { publicJwk, publicJwkMembers, type PublicJwk } from './public-jwk';
export { parseKeyDocument, validateKeyDocument, type ParseKeyDocumentOptions } from './parse';
export { formatSecretArn, parseSecretArn, type SecretArn, withoutRandomSuffix } from './secret-arn';
