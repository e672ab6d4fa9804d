/**
 * The protected headers of tokens that verified, by their encoded form. A service's tokens carry
 * a handful of distinct headers (one per signing key: alg, kid, typ), so a token whose header
 * part is one of them skips decoding and parsing it again: about a third of what verification
 * adds to RS256's signature check (npm run bench).
 *
 * Only the header of a token that passed every check is remembered, so tokens nobody signed
 * cannot fill it, and it holds at most a few (the oldest goes first). A remembered header is
 * frozen and handed out to every token that carries it: it holds strings, numbers, booleans or
 * null only (a header with an object in it is never remembered, so nothing shared is mutable).
 */
export type ProtectedHeader = Readonly<Record<string, unknown>>;

/** Two keys in use and a third announced, with room to spare. */
const MAX_REMEMBERED = 8;

export class VerifiedHeaders {
  private readonly byEncoded = new Map<string, ProtectedHeader>();

  /** The parsed header of a verified token whose header part was exactly `encoded`. */
  find(encoded: string): ProtectedHeader | undefined {
    return this.byEncoded.get(encoded);
  }

  /** Remembers a verified token's header; returns it frozen (as every later token gets it). */
  remember(encoded: string, header: ProtectedHeader): ProtectedHeader {
    if (this.byEncoded.has(encoded) || !Object.values(header).every(isPrimitive)) return header;
    for (const oldest of this.byEncoded.keys()) {
      if (this.byEncoded.size < MAX_REMEMBERED) break;
      this.byEncoded.delete(oldest);
    }
    const frozen = Object.freeze(header);
    this.byEncoded.set(encoded, frozen);
    return frozen;
  }
}

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}
