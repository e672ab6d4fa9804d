/**
 * The app's settings from CDK context (`cdk.json` defaults, `-c name=value` overrides), checked
 * with messages that name the setting and the value received (RotatingJwtKeyError,
 * ERR_CONTEXT_INVALID: no construct is at fault yet).
 */
import { Duration } from 'aws-cdk-lib';

import { isJwtAlgorithm, JWT_ALGORITHMS, listed, RSA_MODULUS_BITS } from './algorithm';
import { RotatingJwtKeyError } from './errors';
import { type JwtKeyReplicaRegion } from './replica-regions';
import { type RotatingJwtKeyProps } from './rotating-jwt-key';

export type ContextReader = (name: string) => unknown;

export function keyPropsFromContext(context: ContextReader): RotatingJwtKeyProps {
  const raw = context('algorithm') ?? 'HS256';
  const algorithm = typeof raw === 'string' ? raw : JSON.stringify(raw);
  if (!isJwtAlgorithm(algorithm)) {
    throw new RotatingJwtKeyError(
      'ERR_CONTEXT_INVALID',
      `context "algorithm" must be ${listed(JWT_ALGORITHMS)}, got ${JSON.stringify(algorithm)}`,
    );
  }
  const modulus = optionalNumber(context, 'rsaModulusBits');
  const rsaModulusBits = RSA_MODULUS_BITS.find((bits) => bits === modulus);
  if (modulus !== undefined && rsaModulusBits === undefined) {
    throw new RotatingJwtKeyError(
      'ERR_CONTEXT_INVALID',
      `context "rsaModulusBits" must be ${listed(RSA_MODULUS_BITS)}, got ${JSON.stringify(context('rsaModulusBits'))}`,
    );
  }
  const lifetime = optionalNumber(context, 'maxTokenLifetimeMinutes');
  const cache = optionalNumber(context, 'appCachePeriodMinutes');
  const verifierCache = optionalNumber(context, 'maxVerifierCacheMinutes');
  const secretName = context('secretName');
  const keySetMaxAge = optionalNumber(context, 'keySetMaxAgeSeconds');
  const domainName = optionalText(context, 'keySetDomainName');
  const replicaRegions = replicaRegionsFromContext(context('replicaRegions'));
  return {
    algorithm,
    ...(rsaModulusBits !== undefined && { rsaModulusBits }),
    rotationInterval: Duration.days(requiredNumber(context, 'rotationDays', 90)),
    gracePeriod: Duration.hours(requiredNumber(context, 'gracePeriodHours', 24)),
    ...(lifetime !== undefined && { maxTokenLifetime: Duration.minutes(lifetime) }),
    ...(cache !== undefined && { appCachePeriod: Duration.minutes(cache) }),
    ...(verifierCache !== undefined && { maxVerifierCacheTime: Duration.minutes(verifierCache) }),
    ...(typeof secretName === 'string' && secretName !== '' && { secretName }),
    ...(keySetMaxAge !== undefined && { keySetMaxAge: Duration.seconds(keySetMaxAge) }),
    ...(domainName !== undefined && { domainName }),
    ...(replicaRegions.length > 0 && { replicaRegions }),
  };
}

/**
 * The ARN of the ACM certificate for the key set's custom domain (`-c keySetCertificateArn=...`,
 * with `-c keySetDomainName=...`): the stack imports it. The construct checks its region.
 */
export function keySetCertificateArnFromContext(context: ContextReader): string | undefined {
  const arn = optionalText(context, 'keySetCertificateArn');
  if (
    arn !== undefined &&
    !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/.test(arn)
  ) {
    throw new RotatingJwtKeyError(
      'ERR_CONTEXT_INVALID',
      `context "keySetCertificateArn" must be an ACM certificate ARN, got ${JSON.stringify(arn)}`,
    );
  }
  return arn;
}

function optionalText(context: ContextReader, name: string): string | undefined {
  const raw = context(name);
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') {
    throw new RotatingJwtKeyError(
      'ERR_CONTEXT_INVALID',
      `context "${name}" must be text, got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

/**
 * `replicaRegions`: `-c replicaRegions=eu-west-1,ap-southeast-2` (each with its region's
 * aws/secretsmanager key), or in cdk.json (or as JSON text) a list of region names and
 * `{ "region": "eu-west-1", "kmsKeyArn": "arn:aws:kms:eu-west-1:…" }` objects. The construct
 * checks the regions themselves.
 */
function replicaRegionsFromContext(raw: unknown): JwtKeyReplicaRegion[] {
  if (raw === undefined || raw === '') return [];
  let list: unknown = raw;
  if (typeof raw === 'string') {
    try {
      list = raw.trim().startsWith('[')
        ? JSON.parse(raw)
        : raw.split(',').map((region) => region.trim());
    } catch {
      list = undefined;
    }
  }
  const invalid = (): never => {
    throw new RotatingJwtKeyError(
      'ERR_CONTEXT_INVALID',
      'context "replicaRegions" must be region names separated by commas, or a list of region ' +
        `names and { "region", "kmsKeyArn" } objects, got ${JSON.stringify(raw)}`,
    );
  };
  if (!Array.isArray(list)) return invalid();
  return list.map((entry: unknown) => {
    if (typeof entry === 'string') return { region: entry };
    if (typeof entry !== 'object' || entry === null) return invalid();
    const { region, kmsKeyArn, ...rest } = entry as Record<string, unknown>;
    if (
      typeof region !== 'string' ||
      (kmsKeyArn !== undefined && typeof kmsKeyArn !== 'string') ||
      Object.keys(rest).length > 0
    ) {
      return invalid();
    }
    return { region, ...(kmsKeyArn !== undefined && { kmsKeyArn }) };
  });
}

function requiredNumber(context: ContextReader, name: string, fallback: number): number {
  return optionalNumber(context, name) ?? fallback;
}

/** `-c name=30` arrives as the text "30"; cdk.json gives numbers. */
function optionalNumber(context: ContextReader, name: string): number | undefined {
  const raw = context(name);
  if (raw === undefined || raw === '') return undefined;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new RotatingJwtKeyError(
      'ERR_CONTEXT_INVALID',
      `context "${name}" must be a number >= 0, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}
