/**
 * The function's settings, read from its environment once at cold start. A wrong setting stops
 * the function before it touches any secret, with an error naming the variable and the value.
 */
import { FUNCTION_ENVIRONMENT } from '../../contract';
import {
  isJwtAlgorithm,
  JWT_ALGORITHMS,
  type JwtAlgorithm,
  RSA_MODULUS_BITS,
  type RsaModulusBits,
} from '../../key-document';

import { ConfigurationError } from './errors';

export interface RotationConfig {
  /** The algorithm of every new key. @default HS256 */
  readonly algorithm: JwtAlgorithm;
  /** The modulus of every new RS256 key. @default 2048 */
  readonly rsaModulusBits?: RsaModulusBits;
  /** How long the key a rotation replaces keeps verifying. @default 86400 (24 hours) */
  readonly gracePeriodSeconds: number;
  /** Where rotation events go: a bus name or ARN. Required. */
  readonly eventBusName: string;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): RotationConfig {
  const {
    algorithm: algorithmName,
    rsaModulusBits: modulusName,
    gracePeriodSeconds,
    eventBusName: busName,
  } = FUNCTION_ENVIRONMENT;
  const algorithm = env[algorithmName] ?? 'HS256';
  if (!isJwtAlgorithm(algorithm)) {
    throw new ConfigurationError(
      `${algorithmName} must be one of ${JWT_ALGORITHMS.join(', ')}, got ${JSON.stringify(algorithm)}`,
    );
  }
  const modulus = env[modulusName] ?? '2048';
  const rsaModulusBits = RSA_MODULUS_BITS.find((bits) => String(bits) === modulus);
  if (rsaModulusBits === undefined) {
    throw new ConfigurationError(
      `${modulusName} must be one of ${RSA_MODULUS_BITS.join(', ')}, got ${JSON.stringify(modulus)}`,
    );
  }
  const grace = env[gracePeriodSeconds] ?? '86400';
  if (!/^\d{1,10}$/.test(grace)) {
    throw new ConfigurationError(
      `${gracePeriodSeconds} must be a whole number of seconds >= 0, got ${JSON.stringify(grace)}`,
    );
  }
  const eventBusName = env[busName] ?? '';
  if (eventBusName.trim() === '') {
    throw new ConfigurationError(
      `${busName} must name the event bus for rotation events, got nothing`,
    );
  }
  return { algorithm, rsaModulusBits, gracePeriodSeconds: Number(grace), eventBusName };
}
