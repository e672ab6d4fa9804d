/**
 * The app's settings from CDK context (`cdk.json` defaults, `-c name=value` overrides), checked
 * with messages that name the setting and the value received (RotatingJwtKeyError,
 * ERR_CONTEXT_INVALID: no construct is at fault yet).
 */
import { Duration } from 'aws-cdk-lib';
import { type IConstruct } from 'constructs';

import {
  DEFAULT_GRACE_PERIOD_HOURS,
  DEFAULT_JWT_ALGORITHM,
  DEFAULT_ROTATION_DAYS,
} from '../contract';
import { JWT_ALGORITHMS, RSA_MODULUS_BITS } from '../contract/algorithms';
import { isJwtAlgorithm, listed } from '../lib/algorithm';
import { RotatingJwtKeyError } from '../lib/errors';
import { type JwtKeyReplicaRegion } from '../lib/replica-regions';
import { type RotatingJwtKeyProps } from '../lib/rotating-jwt-key';
import { warn } from '../lib/warnings';

export type ContextReader = (name: string) => unknown;

/**
 * A reader that remembers every name the app asks for, so that what was given and never asked
 * for can be named (warnUnknownContext): a new setting is known as soon as the app reads it.
 */
export function recordingReader(read: ContextReader): {
  readonly context: ContextReader;
  readonly names: ReadonlySet<string>;
} {
  const names = new Set<string>();
  return {
    context: (name) => {
      names.add(name);
      return read(name);
    },
    names,
  };
}

/** Keys CDK's CLI writes into cdk.json without a namespace (`cdk acknowledge`, `cdk cli-telemetry`). */
const CLI_CONTEXT_KEYS: ReadonlySet<string> = new Set([
  'acknowledged-issue-numbers',
  'cli-telemetry',
]);

/**
 * Warns, on `scope`, of each context key given that is no setting the app read (`-c
 * rotatonDays=30` would otherwise be ignored in silence), naming the closest setting when one
 * is near. CDK's own keys are left alone: they are namespaced (`@aws-cdk/...` feature flags,
 * `aws:cdk:...`, lookup results such as `availability-zones:account=...`), bar two the CLI writes.
 */
export function warnUnknownContext(
  scope: IConstruct,
  given: Iterable<string>,
  known: ReadonlySet<string>,
): void {
  for (const name of given) {
    if (
      known.has(name) ||
      name.includes(':') ||
      name.startsWith('@') ||
      CLI_CONTEXT_KEYS.has(name)
    ) {
      continue;
    }
    const closest = closestName(name, known);
    warn(
      scope,
      'unknownContext',
      `context "${name}" is no setting of this app and is ignored; ` +
        (closest === undefined
          ? `the settings are ${[...known].sort().join(', ')}`
          : `did you mean "${closest}"?`),
    );
  }
}

/** The known name nearest to `name` (case aside): a few edits away, or one it begins. */
function closestName(name: string, known: ReadonlySet<string>): string | undefined {
  const typed = name.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(typed, candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { name: candidate, distance };
  }
  if (best === undefined) return undefined;
  const near = best.distance <= Math.max(2, Math.floor(best.name.length / 4));
  const begun = [...known].find(
    (candidate) => typed.length >= 4 && candidate.toLowerCase().startsWith(typed),
  );
  return near ? best.name : begun;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

export function keyPropsFromContext(context: ContextReader): RotatingJwtKeyProps {
  const raw = context('algorithm') ?? DEFAULT_JWT_ALGORITHM;
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
  const secretName = optionalText(context, 'secretName');
  const keySetMaxAge = optionalNumber(context, 'keySetMaxAgeSeconds');
  const domainName = optionalText(context, 'keySetDomainName');
  const replicaRegions = replicaRegionsFromContext(context('replicaRegions'));
  return {
    algorithm,
    ...(rsaModulusBits !== undefined && { rsaModulusBits }),
    rotationInterval: Duration.days(requiredNumber(context, 'rotationDays', DEFAULT_ROTATION_DAYS)),
    gracePeriod: Duration.hours(
      requiredNumber(context, 'gracePeriodHours', DEFAULT_GRACE_PERIOD_HOURS),
    ),
    ...(lifetime !== undefined && { maxTokenLifetime: Duration.minutes(lifetime) }),
    ...(cache !== undefined && { appCachePeriod: Duration.minutes(cache) }),
    ...(verifierCache !== undefined && { maxVerifierCacheTime: Duration.minutes(verifierCache) }),
    ...(secretName !== undefined && { secretName }),
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

/** Decimal digits, without a sign, a leading zero (read as octal elsewhere) or spaces. */
const WHOLE = /^(0|[1-9][0-9]*)$/;

/**
 * Every numeric setting is a whole number: `-c name=30` arrives as the text "30", cdk.json gives
 * numbers. Only decimal digits are read: Number() would take "0x10" as 16, "1e2" as 100, " 16"
 * as 16 and "1.5" days as 36 hours, none of which the user meant to write.
 */
function optionalNumber(context: ContextReader, name: string): number | undefined {
  const raw = context(name);
  if (raw === undefined || raw === '') return undefined;
  const value =
    typeof raw === 'number' ? raw : typeof raw === 'string' && WHOLE.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RotatingJwtKeyError(
      'ERR_CONTEXT_INVALID',
      `context "${name}" must be a number >= 0, got ${JSON.stringify(raw)} ` +
        '(a whole number in decimal digits, like 30)',
    );
  }
  return value;
}
