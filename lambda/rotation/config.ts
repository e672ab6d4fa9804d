/**
 * The function's settings, read from its environment once at cold start. A wrong setting stops
 * the function before it touches any secret, with an error naming the variable and the value.
 */
import { FUNCTION_ENVIRONMENT } from '../../contract';
import { type HmacAlgorithm, HMAC_ALGORITHMS, isHmacAlgorithm } from '../../key-document';

import { ConfigurationError } from './errors';

export interface RotationConfig {
  /** The algorithm of every new key. @default HS256 */
  readonly algorithm: HmacAlgorithm;
  /** How long the key a rotation replaces keeps verifying. @default 86400 (24 hours) */
  readonly gracePeriodSeconds: number;
  /** Where rotation events go: a bus name or ARN. Required. */
  readonly eventBusName: string;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): RotationConfig {
  const {
    algorithm: algorithmName,
    gracePeriodSeconds,
    eventBusName: busName,
  } = FUNCTION_ENVIRONMENT;
  const algorithm = env[algorithmName] ?? 'HS256';
  if (!isHmacAlgorithm(algorithm)) {
    throw new ConfigurationError(
      `${algorithmName} must be one of ${HMAC_ALGORITHMS.join(', ')}, got ${JSON.stringify(algorithm)}`,
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
  return { algorithm, gracePeriodSeconds: Number(grace), eventBusName };
}
