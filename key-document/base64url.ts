/**
 * Strict base64url (RFC 4648 section 5, no padding). Node's decoder skips characters outside the
 * alphabet and ignores non-zero trailing bits, so two different strings can decode to the same
 * bytes; a string is canonical only if re-encoding its bytes gives it back unchanged.
 */

const BASE64URL_ALPHABET = /^[A-Za-z0-9_-]*$/;

/** The bytes of `text` if it is canonical unpadded base64url, otherwise undefined. */
export function decodeCanonicalBase64url(text: string): Buffer | undefined {
  if (!BASE64URL_ALPHABET.test(text) || text.length % 4 === 1) {
    return undefined;
  }
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

export function isCanonicalBase64url(text: string): boolean {
  return decodeCanonicalBase64url(text) !== undefined;
}
