/**
 * Secrets Manager's schedule for the rotation: a rate expression and an explicit rotation
 * window. The service runs a scheduled rotation at any moment of its window, so two scheduled
 * rotations can come as close as the interval minus the window (validation.ts counts it).
 *
 * The documented rules (Secrets Manager User Guide, "Rotation schedules"; RotationRulesType
 * Duration): windows start on the hour; for `rate(N days)` the window starts at midnight UTC
 * and, without a Duration, closes at the end of the UTC day (then two rotations can be N days
 * minus 24 hours apart), and start hour + Duration must not pass 24 hours; for `rate(N hours)`
 * it closes after one hour by default and must not be longer than the hours between rotations.
 * The shortest window is one hour.
 */
import { Duration } from 'aws-cdk-lib';

import { constructWindowHours } from '../contract';

/** Secrets Manager's rate expression: days when whole, else hours. */
export function scheduleExpression(interval: Duration): string {
  const hours = interval.toHours();
  return hours % 24 === 0 ? `rate(${hours / 24} days)` : `rate(${hours} hours)`;
}

/** The rotation window set on the schedule of `interval` (a whole number of hours). */
export function rotationWindow(interval: Duration): Duration {
  return Duration.hours(constructWindowHours(interval.toHours()));
}

/** The window as RotationRules' Duration writes it: `4h`. */
export function windowDuration(window: Duration): string {
  return `${window.toHours()}h`;
}
