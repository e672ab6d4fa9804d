/**
 * The `legacy` member of a legacy key document (see legacy.ts): its own module, so that the
 * document's type (key-document.ts) and the legacy key's rules (legacy.ts) both import it
 * without importing each other.
 */
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
