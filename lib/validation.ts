/**
 * The construct's input checks, separate so each rule and its message are easy to read and
 * test. Messages show the value received, in the unit it was given in (`47 hours`, not
 * `1 day 23 hours`), and what it was checked against. Unresolved tokens are skipped: they are
 * only known at deploy time.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { type IConstruct } from 'constructs';

import { ASSUMED_TOKEN_LIFETIME_SECONDS, DEFAULT_KEY_CACHE_SECONDS } from '../contract';

import { RotatingJwtKeyError, type RotatingJwtKeyErrorCode } from './errors';
import { rotationWindow } from './rotation-schedule';
import { warn } from './warnings';

const MIN_ROTATION_INTERVAL = Duration.hours(4);
const MAX_ROTATION_INTERVAL = Duration.days(1000);

export interface TimingSettings {
  readonly rotationInterval: Duration;
  readonly gracePeriod: Duration;
  readonly maxTokenLifetime?: Duration;
  readonly appCachePeriod?: Duration;
  readonly clockSkew: Duration;
  /** The longest time a verifier caches the keys it fetched (a JWKS, the secret's values). */
  readonly maxVerifierCacheTime?: Duration;
}

/** Throws RotatingJwtKeyError naming `scope` when a setting breaks a rule. */
export function validateTiming(settings: TimingSettings, scope: IConstruct): void {
  const fail = (code: RotatingJwtKeyErrorCode, message: string): never => {
    throw new RotatingJwtKeyError(code, message, scope);
  };
  const {
    rotationInterval,
    gracePeriod,
    maxTokenLifetime,
    appCachePeriod,
    clockSkew,
    maxVerifierCacheTime,
  } = settings;
  const resolved = (duration: Duration | undefined): duration is Duration =>
    duration !== undefined && !Token.isUnresolved(duration.toSeconds());
  if (resolved(rotationInterval)) {
    const seconds = rotationInterval.toSeconds();
    if (
      seconds < MIN_ROTATION_INTERVAL.toSeconds() ||
      seconds > MAX_ROTATION_INTERVAL.toSeconds()
    ) {
      fail(
        'ERR_ROTATION_INTERVAL_OUT_OF_RANGE',
        `rotationInterval must be between 4 hours and 1000 days, got ${written(rotationInterval)}`,
      );
    }
    if (seconds % 3600 !== 0) {
      fail(
        'ERR_ROTATION_INTERVAL_NOT_WHOLE_HOURS',
        `rotationInterval must be a whole number of hours, got ${written(rotationInterval)}`,
      );
    }
  }
  if (resolved(gracePeriod)) {
    // Duration refuses negative amounts itself; a zero grace (retire at once) is allowed.
    if (resolved(rotationInterval)) {
      // Secrets Manager keeps one AWSPREVIOUS: a grace that long would be cut short by the next
      // rotation.
      const tooLong = notShorterThanRotationGap('gracePeriod', gracePeriod, rotationInterval);
      if (tooLong !== undefined) {
        fail(
          'ERR_GRACE_PERIOD_TOO_LONG',
          `${tooLong}: Secrets Manager may start a scheduled rotation at any time in its ` +
            'window and keeps one AWSPREVIOUS',
        );
      }
    }
    if ((maxTokenLifetime === undefined) !== (appCachePeriod === undefined)) {
      fail(
        'ERR_TOKEN_TIMING_INCOMPLETE',
        'maxTokenLifetime and appCachePeriod go together: give both or neither',
      );
    }
    if (resolved(maxTokenLifetime) && resolved(appCachePeriod) && resolved(clockSkew)) {
      const needed =
        maxTokenLifetime.toSeconds() + appCachePeriod.toSeconds() + clockSkew.toSeconds();
      if (gracePeriod.toSeconds() < needed) {
        fail(
          'ERR_GRACE_PERIOD_TOO_SHORT',
          `gracePeriod must be at least maxTokenLifetime + appCachePeriod + clockSkew ` +
            `(${maxTokenLifetime.toHumanString()} + ${appCachePeriod.toHumanString()} + ${clockSkew.toHumanString()}` +
            ` = ${Duration.seconds(needed).toHumanString()}), got ${written(gracePeriod)}: ` +
            'tokens signed just before a rotation would stop verifying before they expire',
        );
      }
    }
    if (maxTokenLifetime === undefined && resolved(clockSkew)) {
      warnUncheckedGrace(gracePeriod, clockSkew, scope);
    }
  }
  if (resolved(maxVerifierCacheTime) && resolved(rotationInterval)) {
    // A standby key is made at one rotation and promoted by the next: every verifier's cache
    // must have seen it by then.
    const tooLong = notShorterThanRotationGap(
      'maxVerifierCacheTime',
      maxVerifierCacheTime,
      rotationInterval,
    );
    if (tooLong !== undefined) {
      fail(
        'ERR_VERIFIER_CACHE_TOO_LONG',
        `${tooLong}: a standby key could sign before every verifier has fetched it`,
      );
    }
  }
}

/**
 * With no token lifetime stated, the grace is checked against an assumed one (contract/
 * token-timing.ts): 1 hour, plus JwtKeyRing's default key cache and the clock skew. Shorter is a
 * warning, not an error: the user may sign shorter tokens and simply not have said so.
 */
function warnUncheckedGrace(gracePeriod: Duration, clockSkew: Duration, scope: IConstruct): void {
  const needed = Duration.seconds(
    ASSUMED_TOKEN_LIFETIME_SECONDS + DEFAULT_KEY_CACHE_SECONDS + clockSkew.toSeconds(),
  );
  if (gracePeriod.toSeconds() >= needed.toSeconds()) return;
  warn(
    scope,
    'gracePeriodUnchecked',
    `gracePeriod is ${written(gracePeriod)} and no maxTokenLifetime is stated: tokens of ` +
      `${Duration.seconds(ASSUMED_TOKEN_LIFETIME_SECONDS).toHumanString()} with keys cached ` +
      `${Duration.seconds(DEFAULT_KEY_CACHE_SECONDS).toHumanString()} (JwtKeyRing's default) and ` +
      `${clockSkew.toHumanString()} of clock skew need a grace of ${needed.toHumanString()}, or ` +
      'tokens signed just before a rotation stop verifying before they expire. State ' +
      'maxTokenLifetime and appCachePeriod to have the grace checked, or lengthen it',
  );
}

/** The longest secret name Secrets Manager takes (CreateSecret's Name). */
const SECRET_NAME_MAX_LENGTH = 512;

/**
 * Checks `secretName` at synth: 1 to 512 ASCII letters, digits and / _ + = . @ -. A name ending
 * in a hyphen and six characters is accepted with a warning: Secrets Manager adds such a suffix
 * to the ARN, so a partial ARN would be ambiguous (its API reference advises against it).
 */
export function validateSecretName(secretName: string | undefined, scope: IConstruct): void {
  if (secretName === undefined || Token.isUnresolved(secretName)) return;
  const refused = [...new Set(secretName.match(/[^A-Za-z0-9/_+=.@-]/gu) ?? [])];
  if (secretName.length === 0 || secretName.length > SECRET_NAME_MAX_LENGTH || refused.length > 0) {
    const why =
      refused.length > 0
        ? `${refused.map((char) => JSON.stringify(char)).join(', ')} not allowed`
        : `${secretName.length} characters`;
    throw new RotatingJwtKeyError(
      'ERR_SECRET_NAME_INVALID',
      `secretName must be 1 to ${SECRET_NAME_MAX_LENGTH} ASCII letters, digits and / _ + = . @ - ` +
        `(Secrets Manager's rule), got ${JSON.stringify(secretName)} (${why})`,
      scope,
    );
  }
  if (/-.{6}$/.test(secretName)) {
    warn(
      scope,
      'secretNameSuffix',
      `secretName ${JSON.stringify(secretName)} ends with a hyphen and six characters, like the ` +
        'suffix Secrets Manager adds to the ARN: a partial ARN naming it would be ambiguous',
    );
  }
}

/**
 * What is wrong when `value` is not shorter than the least time between two scheduled rotations:
 * the interval minus the rotation window (Secrets Manager may start one anywhere in its window).
 */
function notShorterThanRotationGap(
  name: string,
  value: Duration,
  rotationInterval: Duration,
): string | undefined {
  const window = rotationWindow(rotationInterval);
  const gap = rotationInterval.minus(window);
  if (value.toSeconds() < gap.toSeconds()) return undefined;
  return (
    `${name} must be shorter than rotationInterval minus the rotation window ` +
    `(${written(rotationInterval)} - ${written(window)} = ${gap.toHumanString()}), ` +
    `got ${written(value)}`
  );
}

/** A value as the user wrote it when in hours or days (`47 hours`); else its human form. */
function written(duration: Duration): string {
  const unit = duration.unitLabel();
  if (unit !== 'hours' && unit !== 'days') return duration.toHumanString();
  const amount =
    unit === 'days' ? duration.toDays({ integral: false }) : duration.toHours({ integral: false });
  return `${amount} ${amount === 1 ? unit.slice(0, -1) : unit}`;
}
