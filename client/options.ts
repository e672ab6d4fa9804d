/**
 * Numeric options, checked where they enter (the constructor, each sign or verify call): a
 * string where a number belongs would otherwise be compared or concatenated silently, as
 * `now + "60"` did to the nbf check. Errors name the option and the value received.
 */
import { JwtKeyRingError } from './errors';

export interface NumberRange {
  /** Lower bound, inclusive unless `aboveMin`; `minName` names it when it is another option. */
  readonly min: number;
  readonly aboveMin?: boolean;
  readonly minName?: string;
  /** Exclusive upper bound, with the option it comes from. */
  readonly below?: { readonly value: number; readonly name: string };
  readonly integer?: boolean;
}

/** The value, or an ERR_INVALID_ARGUMENT naming the option and what it received. */
export function checkNumber(value: unknown, name: string, range: NumberRange): number {
  if (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (range.aboveMin === true ? value > range.min : value >= range.min) &&
    (range.below === undefined || value < range.below.value) &&
    (range.integer !== true || Number.isSafeInteger(value))
  ) {
    return value;
  }
  const kind = range.integer === true ? 'a whole number' : 'a finite number';
  const bound = range.minName === undefined ? `${range.min}` : `${range.minName} (${range.min})`;
  const lower = `${range.aboveMin === true ? '>' : '>='} ${bound}`;
  const upper =
    range.below === undefined ? '' : ` and < ${range.below.name} (${range.below.value})`;
  throw new JwtKeyRingError(
    'ERR_INVALID_ARGUMENT',
    `${name} must be ${kind} ${lower}${upper}, got ${describeValue(value)}`,
  );
}

/** The value as a message shows it: numbers and short strings as written, otherwise its kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length <= 40
      ? `${JSON.stringify(value)} (a string)`
      : `a string of ${value.length} characters`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return value === undefined ? 'undefined' : `a ${typeof value}`;
}
