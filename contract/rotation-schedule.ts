/**
 * Secrets Manager's rotation schedule arithmetic, shared by the construct (which sets the
 * schedule and checks the grace period against it at synth) and `jwt-keys import` (which reads
 * it back with DescribeSecret and checks a legacy key's grace against it). A scheduled rotation
 * starts at any moment of its window, so two of them can come as close as the interval minus
 * the window; Secrets Manager keeps one AWSPREVIOUS, so a grace that long would be cut short.
 *
 * The documented rules (Secrets Manager User Guide, "Rotation schedules"; RotationRulesType):
 * for `rate(N days)` (and AutomaticallyAfterDays) the window starts at midnight UTC and, without
 * a Duration, closes at the end of the UTC day; for `rate(N hours)` it closes after one hour by
 * default. The construct sets the window explicitly (WINDOW_HOURS_SET_BY_THE_CONSTRUCT).
 */

/** The rotation interval when none is configured (the construct's, the app's): 90 days. */
export const DEFAULT_ROTATION_DAYS = 90;

/**
 * How long the key a rotation replaces keeps verifying when no grace is configured (the
 * construct's, the app's and the rotation function's default): 24 hours.
 */
export const DEFAULT_GRACE_PERIOD_HOURS = 24;

/** The rotation rules as DescribeSecret returns them. */
export interface RotationRulesLike {
  readonly AutomaticallyAfterDays?: number;
  readonly ScheduleExpression?: string;
  readonly Duration?: string;
}

/** The window the construct sets: 4 hours for an interval in whole days, else 1 hour. */
export function constructWindowHours(intervalHours: number): number {
  return intervalHours % 24 === 0 ? 4 : 1;
}

export interface ScheduleSpacing {
  readonly intervalSeconds: number;
  readonly windowSeconds: number;
  /** How close two scheduled rotations can come: the interval minus the window. */
  readonly closestSeconds: number;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * The spacing of a schedule read from DescribeSecret, or undefined for a schedule this project
 * does not read (a cron expression, or no rules).
 */
export function scheduleSpacing(rules: RotationRulesLike | undefined): ScheduleSpacing | undefined {
  if (rules === undefined) return undefined;
  let intervalSeconds: number;
  let dailyWindow: boolean;
  const rate = /^rate\((\d+) (hours?|days?)\)$/.exec(rules.ScheduleExpression?.trim() ?? '');
  if (rate !== null) {
    const hours = (rate[2] ?? '').startsWith('hour');
    intervalSeconds = Number(rate[1]) * (hours ? HOUR : DAY);
    dailyWindow = !hours;
  } else if (rules.ScheduleExpression === undefined && rules.AutomaticallyAfterDays !== undefined) {
    intervalSeconds = rules.AutomaticallyAfterDays * DAY;
    dailyWindow = true;
  } else {
    return undefined;
  }
  const stated = /^(\d+)h$/.exec(rules.Duration ?? '');
  const windowSeconds = stated !== null ? Number(stated[1]) * HOUR : dailyWindow ? DAY : HOUR;
  return { intervalSeconds, windowSeconds, closestSeconds: intervalSeconds - windowSeconds };
}
