/**
 * The units of a duration written as text ('90s', '15m', '24h', '30d'), in seconds: the client's
 * `expiresIn` and the operator command's options read the same units.
 */
export const DURATION_UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
};
