/**
 * The secret value of every version: a JSON Web Key (RFC 7517) with a few members of ours. An
 * HMAC key ("oct") or the private JWK of an asymmetric key (RFC 7518 section 6). Any JOSE
 * library can import it as it is.
 */
import type { HmacAlgorithm } from './algorithms';
import { currentSinceOf } from './current-since';
// eslint-disable-next-line local/type-import-cycles -- removed when the circle is broken
import type { LegacyKeyMembers } from './legacy';

/** The members of ours, the same for every algorithm; a promotion rewrites only these. */
export interface KeyDocumentMembers {
  /** Unique per key, carries no key material; every token names it in its header. */
  readonly kid: string;
  readonly use: 'sig';
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

export interface HmacKeyDocument extends KeyDocumentMembers {
  readonly kty: 'oct';
  readonly alg: HmacAlgorithm;
  /** base64url (no padding) of the key bytes. */
  readonly k: string;
  /**
   * Present on a legacy key only (see legacy.ts): the static secret a team signed with before,
   * imported by `jwt-keys import`. It verifies tokens without a `kid` and nothing else, never
   * signs, may be shorter than the hash (1 byte or more), and states its own grace.
   */
  readonly legacy?: LegacyKeyMembers;
}

/** ES256: ECDSA on P-256 with SHA-256. */
export interface Es256KeyDocument extends KeyDocumentMembers {
  readonly kty: 'EC';
  readonly alg: 'ES256';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly d: string;
}

/** EdDSA on Ed25519 (RFC 8037). */
export interface EdDsaKeyDocument extends KeyDocumentMembers {
  readonly kty: 'OKP';
  readonly alg: 'EdDSA';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly d: string;
}

/** RS256: RSASSA-PKCS1-v1_5 with SHA-256, two-prime keys with their CRT members. */
export interface Rs256KeyDocument extends KeyDocumentMembers {
  readonly kty: 'RSA';
  readonly alg: 'RS256';
  readonly n: string;
  readonly e: string;
  readonly d: string;
  readonly p: string;
  readonly q: string;
  readonly dp: string;
  readonly dq: string;
  readonly qi: string;
}

export type AsymmetricKeyDocument = Es256KeyDocument | EdDsaKeyDocument | Rs256KeyDocument;

export type KeyDocument = HmacKeyDocument | AsymmetricKeyDocument;

export function isHmacKeyDocument(document: KeyDocument): document is HmacKeyDocument {
  return document.kty === 'oct';
}

/** The key members of each key type, in the order they are written (after kty, alg, use, kid). */
const KEY_MEMBERS = {
  oct: ['k'],
  EC: ['crv', 'x', 'y', 'd'],
  OKP: ['crv', 'x', 'd'],
  RSA: ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'],
} as const satisfies Record<KeyDocument['kty'], readonly string[]>;

/** The members that make the key itself: everything but the members of ours. */
export function keyMembersOf(document: KeyDocument): Record<string, string> {
  const members: Record<string, string> = { kty: document.kty, alg: document.alg };
  const record = document as unknown as Readonly<Record<string, string>>;
  for (const name of KEY_MEMBERS[document.kty]) members[name] = record[name] ?? '';
  return members;
}

/** Members in a fixed order, so that equal documents serialize to equal strings. */
export function serializeKeyDocument(document: KeyDocument): string {
  const { kty, alg, ...key } = keyMembersOf(document);
  const ordered = {
    kty,
    alg,
    use: document.use,
    kid: document.kid,
    ...key,
    ...(document.createdAt !== undefined && { createdAt: document.createdAt }),
    ...(document.previousKeyGraceSeconds !== undefined && {
      previousKeyGraceSeconds: document.previousKeyGraceSeconds,
    }),
    ...(document.nextKid !== undefined && { nextKid: document.nextKid }),
    ...(document.previousKid !== undefined && { previousKid: document.previousKid }),
    ...(document.kty === 'oct' &&
      document.legacy !== undefined && {
        legacy: {
          graceSeconds: document.legacy.graceSeconds,
          tokensWithoutExp: document.legacy.tokensWithoutExp,
        },
      }),
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
