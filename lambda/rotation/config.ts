/**
 * The function's settings, read from its environment once at cold start. A wrong setting stops
 * the function before it touches any secret, with an error naming the variable and the value.
 */
import {
  DEFAULT_GRACE_PERIOD_HOURS,
  DEFAULT_JWT_ALGORITHM,
  DEFAULT_KEY_SET_MAX_AGE_SECONDS,
  DEFAULT_RSA_MODULUS_BITS,
  FUNCTION_ENVIRONMENT,
} from '../../contract';
import {
  isAsymmetricAlgorithm,
  isJwtAlgorithm,
  issuerProblem,
  JWT_ALGORITHMS,
  type JwtAlgorithm,
  RSA_MODULUS_BITS,
  type RsaModulusBits,
} from '../../key-document';

import { ConfigurationError } from './errors';
import { MAX_KEY_SET_MAX_AGE_SECONDS } from './key-set';

export interface RotationConfig {
  /** The algorithm of every new key. @default HS256 */
  readonly algorithm: JwtAlgorithm;
  /** The modulus of every new RS256 key. @default 2048 */
  readonly rsaModulusBits?: RsaModulusBits;
  /** How long the key a rotation replaces keeps verifying. @default 86400 (24 hours) */
  readonly gracePeriodSeconds: number;
  /** Where rotation events go: a bus name or ARN. Required. */
  readonly eventBusName: string;
  /**
   * Where the public keys are published (asymmetric algorithms). The deployed function of an
   * asymmetric key always has it (loadConfig requires it); a test or the demo may leave it out,
   * and then nothing is published.
   * @default - nothing is published
   */
  readonly keySet?: KeySetConfig;
}

/** The published key set's home and how long it may be cached. */
export interface KeySetConfig {
  readonly bucketName: string;
  readonly distributionId: string;
  /** `https://host`, no path and no trailing slash: what tokens carry as `iss`. */
  readonly issuer: string;
  /** Cache-Control max-age of both documents, in seconds. @default 300 */
  readonly maxAgeSeconds: number;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): RotationConfig {
  const {
    algorithm: algorithmName,
    rsaModulusBits: modulusName,
    gracePeriodSeconds,
    eventBusName: busName,
  } = FUNCTION_ENVIRONMENT;
  const algorithm = env[algorithmName] ?? DEFAULT_JWT_ALGORITHM;
  if (!isJwtAlgorithm(algorithm)) {
    throw new ConfigurationError(
      `${algorithmName} must be one of ${JWT_ALGORITHMS.join(', ')}, got ${JSON.stringify(algorithm)}`,
    );
  }
  const modulus = env[modulusName] ?? String(DEFAULT_RSA_MODULUS_BITS);
  const rsaModulusBits = RSA_MODULUS_BITS.find((bits) => String(bits) === modulus);
  if (rsaModulusBits === undefined) {
    throw new ConfigurationError(
      `${modulusName} must be one of ${RSA_MODULUS_BITS.join(', ')}, got ${JSON.stringify(modulus)}`,
    );
  }
  const grace = env[gracePeriodSeconds] ?? String(DEFAULT_GRACE_PERIOD_HOURS * 3600);
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
  const keySet = loadKeySetConfig(env, algorithm);
  return {
    algorithm,
    rsaModulusBits,
    gracePeriodSeconds: Number(grace),
    eventBusName,
    ...(keySet !== undefined && { keySet }),
  };
}

const KEY_SET_VARIABLES = [
  FUNCTION_ENVIRONMENT.keySetBucket,
  FUNCTION_ENVIRONMENT.keySetDistributionId,
  FUNCTION_ENVIRONMENT.keySetIssuer,
  FUNCTION_ENVIRONMENT.keySetMaxAgeSeconds,
] as const;

/** S3's bucket naming rules (general purpose buckets): 3 to 63 of a-z, 0-9, '.', '-'. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * An asymmetric key's function must publish (a key that signs before verifiers can fetch it is
 * refused everywhere), so its key set settings are required; an HMAC key is never published,
 * so a key set setting there is a deployment mistake, not something to ignore.
 */
function loadKeySetConfig(
  env: Readonly<Record<string, string | undefined>>,
  algorithm: JwtAlgorithm,
): KeySetConfig | undefined {
  const { keySetBucket, keySetDistributionId, keySetIssuer, keySetMaxAgeSeconds } =
    FUNCTION_ENVIRONMENT;
  if (!isAsymmetricAlgorithm(algorithm)) {
    const given = KEY_SET_VARIABLES.filter((name) => env[name] !== undefined);
    if (given.length > 0) {
      throw new ConfigurationError(
        `${given.join(', ')} must not be set: ${algorithm} keys are shared secrets, never published`,
      );
    }
    return undefined;
  }
  const required = (name: string, what: string): string => {
    const value = env[name] ?? '';
    if (value.trim() === '') {
      throw new ConfigurationError(
        `${name} must name ${what} (${algorithm} public keys are published), got nothing`,
      );
    }
    return value;
  };
  const bucketName = required(keySetBucket, 'the bucket of the published key set');
  if (!BUCKET_NAME.test(bucketName)) {
    throw new ConfigurationError(
      `${keySetBucket} must be an S3 bucket name, got ${JSON.stringify(bucketName)}`,
    );
  }
  const distributionId = required(
    keySetDistributionId,
    'the CloudFront distribution that serves the key set',
  );
  if (!/^[A-Za-z0-9]+$/.test(distributionId)) {
    throw new ConfigurationError(
      `${keySetDistributionId} must be a CloudFront distribution id, got ${JSON.stringify(distributionId)}`,
    );
  }
  const issuer = required(keySetIssuer, 'the issuer of the published key set');
  const problem = issuerProblem(issuer);
  if (problem !== undefined) {
    throw new ConfigurationError(`${keySetIssuer} ${problem}, got ${JSON.stringify(issuer)}`);
  }
  const maxAge = env[keySetMaxAgeSeconds] ?? String(DEFAULT_KEY_SET_MAX_AGE_SECONDS);
  if (!/^\d{1,10}$/.test(maxAge) || Number(maxAge) > MAX_KEY_SET_MAX_AGE_SECONDS) {
    throw new ConfigurationError(
      `${keySetMaxAgeSeconds} must be a whole number of seconds from 0 to ` +
        `${MAX_KEY_SET_MAX_AGE_SECONDS}, got ${JSON.stringify(maxAge)}`,
    );
  }
  return { bucketName, distributionId, issuer, maxAgeSeconds: Number(maxAge) };
}
