/**
 * Strict base64url (RFC 4648 section 5, no padding). Node's decoder skips characters outside the
 * alphabet and ignores non-zero trailing bits, so two different strings can decode to the same
 * bytes; a string is canonical only if re-encoding its bytes gives it back unchanged.
 */

const BASE64URL_ALPHABET = /^[A-Za-z0-9_-]*$/;

/** The bytes of `text` if it is canonical unpadded base64url, otherwise undefined. */
export function decodeCanonicalBase64url(text: string): Buffer | undefined {
  const tail = text.length % 4;
  if (tail === 1 || !BASE64URL_ALPHABET.test(text)) return undefined;
  // In the alphabet, the only non-canonical spelling is a last character carrying non-zero
  // bits beyond the data (2 data bits of 6 when 2 characters remain, 4 of 6 when 3 do). This
  // test replaces re-encoding, which the verifier would pay three times per token.
  if (tail !== 0 && (sextet(text.charCodeAt(text.length - 1)) & (UNUSED_BITS[tail] ?? 0)) !== 0) {
    return undefined;
  }
  return Buffer.from(text, 'base64url');
}

/** The bits of the last character that carry no data, by `length % 4`. */
const UNUSED_BITS: Readonly<Record<number, number>> = { 2: 0b001111, 3: 0b000011 };

/** The 6-bit value of a base64url character (already known to be in the alphabet). */
function sextet(code: number): number {
  if (code >= 65 && code <= 90) return code - 65; // A-Z
  if (code >= 97 && code <= 122) return code - 71; // a-z
  if (code >= 48 && code <= 57) return code + 4; // 0-9
  return code === 45 ? 62 : 63; // '-' or '_'
}

export function isCanonicalBase64url(text: string): boolean {
  return decodeCanonicalBase64url(text) !== undefined;
}
