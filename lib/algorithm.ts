/**
 * The algorithms the construct makes keys for, and the RSA modulus sizes of RS256 keys. The same
 * lists as key-document/ (which lib/ does not import: a test holds them equal), so the construct
 * refuses at synth what the rotation function would refuse at its first cold start.
 */
import { type IConstruct } from 'constructs';

import { RotatingJwtKeyError } from './errors';

export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
/** CloudFormation cannot make these keys: the FirstKey custom resource writes the first one. */
export const ASYMMETRIC_ALGORITHMS = ['ES256', 'EdDSA', 'RS256'] as const;
export const JWT_ALGORITHMS = [...HMAC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export const RSA_MODULUS_BITS = [2048, 3072, 4096] as const;
export type RsaModulusBits = (typeof RSA_MODULUS_BITS)[number];
export const DEFAULT_RSA_MODULUS_BITS: RsaModulusBits = 2048;

export function isJwtAlgorithm(value: unknown): value is JwtAlgorithm {
  return typeof value === 'string' && (JWT_ALGORITHMS as readonly string[]).includes(value);
}

export function isHmacAlgorithm(algorithm: JwtAlgorithm): boolean {
  return (HMAC_ALGORITHMS as readonly string[]).includes(algorithm);
}

/** `HS256, HS384, HS512, ES256, EdDSA or RS256` */
export function listed(values: readonly (string | number)[]): string {
  return `${values.slice(0, -1).join(', ')} or ${String(values.at(-1))}`;
}

/**
 * The algorithm and, for RS256, the modulus size (undefined for the others). Throws
 * RotatingJwtKeyError naming `scope` for an algorithm it does not know, a size it does not
 * make, or a size given with another algorithm (it would be silently ignored).
 */
export function validateAlgorithm(
  algorithm: unknown,
  rsaModulusBits: unknown,
  scope: IConstruct,
): { algorithm: JwtAlgorithm; rsaModulusBits?: RsaModulusBits } {
  if (!isJwtAlgorithm(algorithm)) {
    throw new RotatingJwtKeyError(
      'ERR_ALGORITHM_UNSUPPORTED',
      `algorithm must be ${listed(JWT_ALGORITHMS)}, got ${JSON.stringify(algorithm)}`,
      scope,
    );
  }
  if (algorithm !== 'RS256') {
    if (rsaModulusBits !== undefined) {
      throw new RotatingJwtKeyError(
        'ERR_RSA_MODULUS_BITS_WITHOUT_RSA',
        `rsaModulusBits applies to RS256 only, got ${JSON.stringify(rsaModulusBits)} with ` +
          `algorithm ${algorithm}`,
        scope,
      );
    }
    return { algorithm };
  }
  const bits = rsaModulusBits ?? DEFAULT_RSA_MODULUS_BITS;
  const size = RSA_MODULUS_BITS.find((each) => each === bits);
  if (size === undefined) {
    throw new RotatingJwtKeyError(
      'ERR_RSA_MODULUS_BITS_UNSUPPORTED',
      `rsaModulusBits must be ${listed(RSA_MODULUS_BITS)}, got ${JSON.stringify(rsaModulusBits)}`,
      scope,
    );
  }
  return { algorithm, rsaModulusBits: size };
}
