/**
 * Weak Ed25519 public keys as encodings: the 8 points of small order (the y coordinates of
 * libsodium's blocklist, with both signs of x where x is not 0) and encodings RFC 8032 5.1.3
 * says fail to decode (y >= p, or x = 0 with its sign bit set). Hex of the 32 bytes of `x`.
 */
/** The 8 points of small order, canonically encoded (y little-endian, x's sign in the top bit). */
export const SMALL_ORDER_ED25519: readonly [string, string][] = [
  ['the identity (order 1)', '0100000000000000000000000000000000000000000000000000000000000000'],
  ['(0, -1) (order 2)', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  ['y = 0, x even (order 4)', '0000000000000000000000000000000000000000000000000000000000000000'],
  ['y = 0, x odd (order 4)', '0000000000000000000000000000000000000000000000000000000000000080'],
  ['order 8, x even', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'],
  ['order 8, x odd', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85'],
  ['order 8, -y, x even', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'],
  ['order 8, -y, x odd', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa'],
];

/** Encodings RFC 8032 5.1.3 says fail to decode, several of them another encoding of a weak point. */
export const NON_CANONICAL_ED25519: readonly [string, string][] = [
  ['y = p (0 + p)', 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  ['y = p, sign bit set', 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'],
  [
    'y = p + 1 (the identity + p)',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ],
  ['y = p + 2', 'efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
  [
    'y = 2^255 - 1, the largest',
    'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ],
  [
    'y = 2^255 - 1, sign bit set',
    'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  ],
  [
    'x = 0 with its sign bit set (y = 1)',
    '0100000000000000000000000000000000000000000000000000000000000080',
  ],
  [
    'x = 0 with its sign bit set (y = p - 1)',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  ],
];

/**
 * R = the identity, S = 0: a signature anyone can make, which verifies under a small-order key
 * whenever [k]A is the identity (always for the identity key).
 */
export const FORGED_ED25519_SIGNATURE = Buffer.concat([
  Buffer.from(SMALL_ORDER_ED25519[0]![1], 'hex'),
  Buffer.alloc(32),
]);
