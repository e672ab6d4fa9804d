/**
 * The construct's input checks, separate so each rule and its message are easy to read and
 * test. Messages show the value received. Unresolved tokens are skipped: they are only known
 * at deploy time.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { type IConstruct } from 'constructs';

import { RotatingJwtKeyError, type RotatingJwtKeyErrorCode } from './errors';

export const MIN_ROTATION_INTERVAL = Duration.hours(4);
export const MAX_ROTATION_INTERVAL = Duration.days(1000);

export interface TimingSettings {
  readonly rotationInterval: Duration;
  readonly gracePeriod: Duration;
  readonly maxTokenLifetime?: Duration;
  readonly appCachePeriod?: Duration;
  readonly clockSkew: Duration;
}

/** Throws RotatingJwtKeyError naming `scope` when a setting breaks a rule. */
export function validateTiming(settings: TimingSettings, scope: IConstruct): void {
  const fail = (code: RotatingJwtKeyErrorCode, message: string): never => {
    throw new RotatingJwtKeyError(code, message, scope);
  };
  const { rotationInterval, gracePeriod, maxTokenLifetime, appCachePeriod, clockSkew } = settings;
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
        `rotationInterval must be between 4 hours and 1000 days, got ${rotationInterval.toHumanString()}`,
      );
    }
    if (seconds % 3600 !== 0) {
      fail(
        'ERR_ROTATION_INTERVAL_NOT_WHOLE_HOURS',
        `rotationInterval must be a whole number of hours, got ${rotationInterval.toHumanString()}`,
      );
    }
  }
  if (resolved(gracePeriod)) {
    // Duration refuses negative amounts itself; a zero grace (retire at once) is allowed.
    if (resolved(rotationInterval) && gracePeriod.toSeconds() >= rotationInterval.toSeconds()) {
      fail(
        'ERR_GRACE_PERIOD_TOO_LONG',
        `gracePeriod must be shorter than rotationInterval (Secrets Manager keeps one AWSPREVIOUS), ` +
          `got gracePeriod ${gracePeriod.toHumanString()} and rotationInterval ${rotationInterval.toHumanString()}`,
      );
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
            ` = ${Duration.seconds(needed).toHumanString()}), got ${gracePeriod.toHumanString()}: ` +
            'tokens signed just before a rotation would stop verifying before they expire',
        );
      }
    }
  }
}
