/**
 * Ed25519 public keys no verifier may use, checked by hand (node:crypto, OpenSSL 3, imports and
 * verifies with them): an encoding whose y is not below p = 2^255 - 19, which RFC 8032 5.1.3
 * says must fail to decode, and the points of small order (order 1, 2, 4 or 8). With such a key
 * the signature R = the identity point, S = 0 verifies under OpenSSL's check ([S]B = R + [k]A)
 * whenever [k]A is the identity: always for the identity key, for 1 message in 8 at worst for
 * the others, so anyone can forge a token (varying a claim until it verifies), no private key
 * needed. A key made from a private key is never one of them.
 *
 * The 8 small-order points have 5 y coordinates: 1 (the identity), p - 1 (order 2), 0 (the two
 * points of order 4) and ±Y8 (the four of order 8); libsodium's blocklist lists the same ones.
 * Comparing y with the sign bit cleared refuses the 8 canonical encodings and the two with the
 * sign bit set on x = 0 (RFC 8032 says those fail to decode too); their other non-canonical
 * twins (y + p) are refused as y >= p.
 */

/** p = 2^255 - 19, the field's prime. */
const P = (1n << 255n) - 19n;

/** y of the points of order 8 with x even and odd: Y8 and p - Y8. */
const Y8 = 0x05fc536d880238b13933c6d305acdfd5f098eff289f4c345b027b2c28f95e826n;

const SMALL_ORDER_Y: ReadonlySet<bigint> = new Set([0n, 1n, P - 1n, Y8, P - Y8]);

/** Why the 32-byte encoding is not a usable Ed25519 public key; undefined when it is. */
export function ed25519PublicKeyProblem(encoded: Uint8Array): string | undefined {
  if (encoded.length !== 32) return 'x must be 32 bytes';
  // Little-endian; the top bit of the last byte is x's sign, not part of y.
  let y = BigInt((encoded[31] ?? 0) & 0x7f);
  for (let index = 30; index >= 0; index -= 1) {
    y = (y << 8n) | BigInt(encoded[index] ?? 0);
  }
  if (y >= P) return 'x is not a canonical encoding (its y is not below 2^255 - 19)';
  if (SMALL_ORDER_Y.has(y))
    return 'x is a point of small order (a weak key that verifies forgeries)';
  return undefined;
}
