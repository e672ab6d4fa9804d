/** Durations on the command line: whole seconds, or a number and a unit: 90s, 15m, 24h, 30d. */
import { DURATION_UNIT_SECONDS as UNIT_SECONDS } from '../contract/durations';

import { CliError } from './cli-error';

export function parseDurationSeconds(text: string, option: string): number {
  const match = /^(\d+)(s|m|h|d)?$/.exec(text.trim());
  const seconds = match === null ? NaN : Number(match[1]) * (UNIT_SECONDS[match[2] ?? 's'] ?? NaN);
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new CliError(
      'ERR_CLI_USAGE',
      `${option} must be a duration above 0 like 3600, 90m, 24h or 30d, got ${JSON.stringify(text)}`,
    );
  }
  return seconds;
}
