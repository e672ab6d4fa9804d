/**
 * The JWS algorithms a key document may hold, and what RFC 7518 section 3.2 requires of the
 * HMAC ones. The asymmetric ones are described in asymmetric.ts.
 */
import {
  HMAC_ALGORITHMS,
  type HmacAlgorithm,
  JWT_ALGORITHMS,
  type JwtAlgorithm,
} from '../contract/algorithms';

/** Every algorithm a key document may hold (contract/algorithms.ts): HMAC first. */
export { HMAC_ALGORITHMS, type HmacAlgorithm, JWT_ALGORITHMS, type JwtAlgorithm };

/** RFC 7518 3.2: a key of the same size as the hash output or larger. */
const MINIMUM_KEY_BYTES: Record<HmacAlgorithm, number> = {
  HS256: 32,
  HS384: 48,
  HS512: 64,
};

/** The node:crypto digest name behind each algorithm. */
const HASH_NAMES: Record<HmacAlgorithm, 'sha256' | 'sha384' | 'sha512'> = {
  HS256: 'sha256',
  HS384: 'sha384',
  HS512: 'sha512',
};

export function isHmacAlgorithm(value: unknown): value is HmacAlgorithm {
  return typeof value === 'string' && (HMAC_ALGORITHMS as readonly string[]).includes(value);
}

export function isJwtAlgorithm(value: unknown): value is JwtAlgorithm {
  return typeof value === 'string' && (JWT_ALGORITHMS as readonly string[]).includes(value);
}

export function minimumKeyBytes(alg: HmacAlgorithm): number {
  return MINIMUM_KEY_BYTES[alg];
}

export function hashName(alg: HmacAlgorithm): 'sha256' | 'sha384' | 'sha512' {
  return HASH_NAMES[alg];
}
