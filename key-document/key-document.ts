/**
 * The secret value of every version: a JSON Web Key (RFC 7517) for an HMAC algorithm, with a
 * few members of ours. Any JOSE library can import it as it is.
 */
import type { HmacAlgorithm } from './algorithms';
import { currentSinceOf } from './current-since';

export interface KeyDocument {
  readonly kty: 'oct';
  readonly alg: HmacAlgorithm;
  readonly use: 'sig';
  /** Unique per version, carries no key material; every token names it in its header. */
  readonly kid: string;
  /** base64url (no padding) of the key bytes. */
  readonly k: string;
  /** ISO-8601 UTC time the key was generated; absent on a key nobody dated (the first one). */
  readonly createdAt?: string;
  /**
   * How long, counted from when this key became current (`createdAt`, unless the rotation
   * finished late: see current-since.ts), the key this one replaced keeps verifying tokens.
   * The client and the retirement both read the grace period from here, so they agree on it.
   * Absent: the previous key verifies for as long as it holds the AWSPREVIOUS label.
   */
  readonly previousKeyGraceSeconds?: number;
  /**
   * The kid of the standby key (staging label JWTKEY_NEXT) that the next rotation promotes. Not
   * secret: a verifier meeting a token with this kid knows a rotation has happened and reads
   * the secret at once, outside the rate limit that keeps random kids from causing reads.
   */
  readonly nextKid?: string;
  /**
   * The kid of the key this one replaced (AWSCURRENT when this key was written). A reader whose
   * AWSPREVIOUS read does not return it read across a label move, and reads again.
   */
  readonly previousKid?: string;
}

/** Members in a fixed order, so that equal documents serialize to equal strings. */
export function serializeKeyDocument(document: KeyDocument): string {
  const ordered: KeyDocument = {
    kty: document.kty,
    alg: document.alg,
    use: document.use,
    kid: document.kid,
    k: document.k,
    ...(document.createdAt !== undefined && { createdAt: document.createdAt }),
    ...(document.previousKeyGraceSeconds !== undefined && {
      previousKeyGraceSeconds: document.previousKeyGraceSeconds,
    }),
    ...(document.nextKid !== undefined && { nextKid: document.nextKid }),
    ...(document.previousKid !== undefined && { previousKid: document.previousKid }),
  };
  return JSON.stringify(ordered);
}

/**
 * The end of the grace period the document grants the key it replaced, in epoch milliseconds,
 * or undefined when the document does not say (then the AWSPREVIOUS label alone decides).
 * The grace counts from when the key became current: its createdAt, or `currentSince` (read
 * from the version's labels, see current-since.ts) when the rotation finished late.
 */
export function previousKeyGraceEndsAt(
  document: KeyDocument,
  currentSince?: number,
): number | undefined {
  if (document.previousKeyGraceSeconds === undefined) return undefined;
  const createdAt = document.createdAt === undefined ? undefined : Date.parse(document.createdAt);
  const start =
    currentSince === undefined || (createdAt !== undefined && createdAt > currentSince)
      ? createdAt
      : currentSince;
  return start === undefined ? undefined : start + document.previousKeyGraceSeconds * 1000;
}

/**
 * When the previous key stops verifying, as the current version states it: its document's
 * grace, counted from the promotion its staging labels record (see current-since.ts), else
 * from its createdAt. The one rule the client, the retirement, the rotation event and
 * `jwt-keys status` share. Undefined when the document states no grace.
 */
export function graceEndOfPrevious(
  current: KeyDocument,
  currentVersionStages: readonly string[] | undefined,
): number | undefined {
  return previousKeyGraceEndsAt(current, currentSinceOf(currentVersionStages));
}
