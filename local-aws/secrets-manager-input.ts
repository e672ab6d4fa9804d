/**
 * Secrets Manager's request members, read and checked as the service does (rotation rules,
 * secret values, tags, tokens, stage lists), and the shapes of its answers (epoch seconds,
 * members left out when undefined).
 */
import { randomBytes, randomUUID } from 'node:crypto';

import { invalidParameter } from './service-error';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface RotationRules {
  readonly AutomaticallyAfterDays?: number;
  readonly ScheduleExpression?: string;
  readonly Duration?: string;
}

/** A version's value: SecretString or SecretBinary (base64). */
export interface SecretValue {
  readonly string?: string;
  readonly binary?: string;
}

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

export function rotationIntervalMs(rules: RotationRules): number {
  if (rules.AutomaticallyAfterDays !== undefined) {
    const days = rules.AutomaticallyAfterDays;
    if (!Number.isInteger(days) || days < 1 || days > 1000) {
      throw invalidParameter(`AutomaticallyAfterDays must be 1 to 1000, got ${String(days)}.`);
    }
    return days * DAY_MS;
  }
  const expression = rules.ScheduleExpression ?? '';
  const rate = /^rate\((\d+) (hours?|days?)\)$/.exec(expression);
  if (rate === null) {
    throw invalidParameter(
      `local-aws supports ScheduleExpression rate(N hours|days) only, got ${JSON.stringify(expression)}.`,
    );
  }
  const ms = Number(rate[1]) * (rate[2]!.startsWith('hour') ? HOUR_MS : DAY_MS);
  if (ms < 4 * HOUR_MS || ms > 1000 * DAY_MS) {
    throw invalidParameter(
      `The rotation interval must be 4 hours to 1000 days, got ${expression}.`,
    );
  }
  return ms;
}

export function secretValueOf(input: Input, required: boolean): SecretValue | undefined {
  const string = optionalString(input.SecretString);
  const binary = optionalString(input.SecretBinary);
  if (string !== undefined && binary !== undefined) {
    throw invalidParameter('You can provide SecretString or SecretBinary, not both.');
  }
  if (string === undefined && binary === undefined) {
    if (required) throw invalidParameter('You must provide either SecretString or SecretBinary.');
    return undefined;
  }
  return string !== undefined ? { string } : { binary: binary! };
}

/** Tags as [key, value] pairs: keys 1 to 128 characters, values up to 256 (AWS's limits). */
export function tagList(value: unknown): [string, string][] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalidParameter('Tags must be a list of Key/Value pairs.');
  return value.map((tag: unknown) => {
    const { Key: key, Value: tagValue } = (tag ?? {}) as { Key?: unknown; Value?: unknown };
    if (typeof key !== 'string' || key.length < 1 || key.length > 128) {
      throw invalidParameter('A tag Key must be 1 to 128 characters.');
    }
    if (typeof tagValue !== 'string' || tagValue.length > 256) {
      throw invalidParameter(`The value of tag ${key} must be a string of up to 256 characters.`);
    }
    return [key, tagValue];
  });
}

export function tokenOf(input: Input): string {
  const token = optionalString(input.ClientRequestToken) ?? randomUUID();
  if (token.length < 32 || token.length > 64) {
    throw invalidParameter('ClientRequestToken must be 32 to 64 characters.');
  }
  return token;
}

export function stageList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((item) => typeof item === 'string')
  ) {
    throw invalidParameter('VersionStages must be a non-empty list of strings.');
  }
  return value as string[];
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function epochSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

export function dropUndefined(output: Output): Output {
  return Object.fromEntries(Object.entries(output).filter(([, value]) => value !== undefined));
}

export function randomSuffix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return [...randomBytes(6)].map((byte) => alphabet[byte % alphabet.length]).join('');
}
