/**
 * A legacy key: the static secret a team signed with before it adopted rotating keys (say
 * `JWT_SECRET`, HS256 tokens with no `kid`), imported by `jwt-keys import` as the secret's first
 * key so that the tokens already out keep verifying. It only ever verifies tokens that carry no
 * `kid`, never signs, and leaves the secret with the next rotation but one (its grace ends after
 * the first). It may be shorter than RFC 7518 allows for new keys, because it is what the team
 * has: the parser accepts short keys on legacy documents only, and the tools say so loudly.
 */
import { minimumKeyBytes } from './algorithms';
// eslint-disable-next-line local/type-import-cycles -- removed when the circle is broken
import type { HmacKeyDocument, KeyDocument } from './key-document';

/** What happens to a legacy token without `exp`: the user's explicit choice at import. */
export const LEGACY_TOKENS_WITHOUT_EXP = ['refuse', 'accept-until-grace-end'] as const;

export type LegacyTokensWithoutExp = (typeof LEGACY_TOKENS_WITHOUT_EXP)[number];

/** The `legacy` member of a legacy key document. */
export interface LegacyKeyMembers {
  /**
   * How long, counted from when the next key became current, the legacy key keeps verifying:
   * the longest lifetime of the tokens already out, plus the allowance import adds. The
   * rotation that replaces it grants at least this much (previousKeyGraceSeconds).
   */
  readonly graceSeconds: number;
  /**
   * `refuse` (the safe default): a token without `exp` is refused, as every other token.
   * `accept-until-grace-end`: it verifies until the legacy key's grace ends, not a second later.
   */
  readonly tokensWithoutExp: LegacyTokensWithoutExp;
}

export type LegacyKeyDocument = HmacKeyDocument & { readonly legacy: LegacyKeyMembers };

/** The smallest legacy key: one byte. Anything shorter is no key. */
export const MINIMUM_LEGACY_KEY_BYTES = 1;

export function isLegacyKeyDocument(document: KeyDocument): document is LegacyKeyDocument {
  return document.kty === 'oct' && document.legacy !== undefined;
}

/** The legacy key's length in bytes, and whether it is shorter than its hash (RFC 7518 3.2). */
export function legacyKeyStrength(document: LegacyKeyDocument): {
  readonly keyBytes: number;
  readonly minimumBytes: number;
  readonly short: boolean;
} {
  const keyBytes = Buffer.from(document.k, 'base64url').length;
  const minimumBytes = minimumKeyBytes(document.alg);
  return { keyBytes, minimumBytes, short: keyBytes < minimumBytes };
}

/**
 * The grace the key replacing `current` must grant it: the legacy key's own, when `current` is
 * a legacy key and asks for more than `configuredSeconds`; else `configuredSeconds`.
 */
export function graceForSuccessorOf(
  current: KeyDocument | undefined,
  configuredSeconds: number,
): number {
  return current !== undefined && isLegacyKeyDocument(current)
    ? Math.max(configuredSeconds, current.legacy.graceSeconds)
    : configuredSeconds;
}

export interface MakeLegacyKeyDocumentOptions {
  readonly alg: HmacKeyDocument['alg'];
  /** Random or derived from ids: never from the key. */
  readonly kid: string;
  readonly key: Uint8Array;
  readonly now: Date;
  readonly legacy: LegacyKeyMembers;
}

/**
 * @example
 * const document = makeLegacyKeyDocument({
 *   alg: 'HS256', kid: versionId, key: Buffer.from(process.env.JWT_SECRET!, 'utf8'), now: new Date(),
 *   legacy: { graceSeconds: 86_760, tokensWithoutExp: 'refuse' },
 * });
 */
export function makeLegacyKeyDocument(options: MakeLegacyKeyDocumentOptions): LegacyKeyDocument {
  if (options.key.length < MINIMUM_LEGACY_KEY_BYTES) throw new RangeError('the key is empty');
  return {
    kty: 'oct',
    alg: options.alg,
    use: 'sig',
    kid: options.kid,
    k: Buffer.from(options.key).toString('base64url'),
    createdAt: options.now.toISOString(),
    legacy: {
      graceSeconds: options.legacy.graceSeconds,
      tokensWithoutExp: options.legacy.tokensWithoutExp,
    },
  };
}
