/**
 * The construct's check of the algorithm and RSA modulus size it is given, against the lists in
 * contract/algorithms.ts (the key document's too), so the construct refuses at synth what the
 * rotation function would refuse at its first cold start.
 */
import { type IConstruct } from 'constructs';

import {
  DEFAULT_RSA_MODULUS_BITS,
  HMAC_ALGORITHMS,
  JWT_ALGORITHMS,
  type JwtAlgorithm,
  RSA_MODULUS_BITS,
  type RsaModulusBits,
} from '../contract/algorithms';

import { RotatingJwtKeyError } from './errors';

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
