/**
 * The JWS algorithms the construct makes keys for, the rotation function generates and a key
 * document may hold, and the RSA modulus sizes of new RS256 keys. Defined once here: the
 * construct refuses at synth exactly what the key document (and so the rotation function at
 * its cold start) refuses.
 */

/** HMAC first, HS256 being the default. */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number];

/** CloudFormation cannot make these keys: the FirstKey custom resource writes the first one. */
export const ASYMMETRIC_ALGORITHMS = ['ES256', 'EdDSA', 'RS256'] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

export const JWT_ALGORITHMS = [...HMAC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS] as const;
export type JwtAlgorithm = HmacAlgorithm | AsymmetricAlgorithm;
/** The algorithm of the keys when none is configured (construct, app and rotation function). */
export const DEFAULT_JWT_ALGORITHM = 'HS256' satisfies JwtAlgorithm;

/** The modulus sizes of the RS256 keys the rotation function makes. */
export const RSA_MODULUS_BITS = [2048, 3072, 4096] as const;
export type RsaModulusBits = (typeof RSA_MODULUS_BITS)[number];
export const DEFAULT_RSA_MODULUS_BITS: RsaModulusBits = 2048;
