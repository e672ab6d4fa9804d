/** `expiresIn` as seconds, or as jose-style text: '90s', '15m', '2h', '7d'. */
import { DURATION_UNIT_SECONDS as UNIT_SECONDS } from '../contract/durations';

import { JwtKeyRingError } from './errors';
import { describeValue } from './options';

export function toSeconds(value: unknown, name: string): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value > 0) return value;
  } else if (typeof value === 'string') {
    const match = /^(\d+)\s*(s|m|h|d)$/.exec(value.trim());
    if (match !== null) {
      const [, amount = '', unit = ''] = match;
      const seconds = Number(amount) * (UNIT_SECONDS[unit] ?? Number.NaN);
      if (Number.isSafeInteger(seconds) && seconds > 0) return seconds;
    }
  }
  throw new JwtKeyRingError(
    'ERR_INVALID_ARGUMENT',
    `${name} must be a positive whole number of seconds or text like "15m", got ${describeValue(value)}`,
  );
}
