/**
 * The kid of a refused token, for metrics and logs: read from the header alone (never the
 * payload or the signature), and made safe to print. The kid is whatever the sender wrote, so
 * the header read is bounded and the result capped and limited to printable ASCII.
 */

/** Longer headers are not decoded: a refused token costs its sender, not the verifier. */
const MAX_HEADER_CHARS = 2048;
/** Kids made by this project are UUIDs (36 characters). */
export const MAX_REPORTED_KID_CHARS = 64;
const UNPRINTABLE = /[^\x21-\x7e]/g;

/** The `kid` of a compact JWS's header, if it has one that is a string; never throws. */
export function kidOfToken(token: unknown): string | undefined {
  if (typeof token !== 'string') return undefined;
  const dot = token.slice(0, MAX_HEADER_CHARS + 1).indexOf('.');
  if (dot <= 0) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const kid = (header as { kid?: unknown } | null)?.kid;
  return typeof kid === 'string' ? kid : undefined;
}

/**
 * At most 64 printable ASCII characters (others, spaces and control characters included, become
 * `?`); a longer kid is cut, and says how long it was.
 */
export function printableKid(kid: string): string {
  if (kid.length <= MAX_REPORTED_KID_CHARS) return kid.replace(UNPRINTABLE, '?');
  const cut = kid.slice(0, MAX_REPORTED_KID_CHARS).replace(UNPRINTABLE, '?');
  return `${cut}...(${kid.length} chars)`;
}
