/**
 * The kid of a refused token, for its error, metrics and logs, made safe to print: the kid is
 * whatever the sender wrote, so it is capped and limited to printable ASCII.
 */

/** Kids made by this project are UUIDs (36 characters). */
export const MAX_REPORTED_KID_CHARS = 64;
const UNPRINTABLE = /[^\x21-\x7e]/g;

/**
 * At most 64 printable ASCII characters (others, spaces and control characters included, become
 * `?`); a longer kid is cut, and says how long it was.
 */
export function printableKid(kid: string): string {
  if (kid.length <= MAX_REPORTED_KID_CHARS) return kid.replace(UNPRINTABLE, '?');
  const cut = kid.slice(0, MAX_REPORTED_KID_CHARS).replace(UNPRINTABLE, '?');
  return `${cut}...(${kid.length} chars)`;
}
