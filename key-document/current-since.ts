/**
 * When a key became AWSCURRENT, for a rotation that finished long after it made its key: the
 * service reattempts a failed rotation with the same token, possibly days later, and the key
 * made back then (its createdAt) is the one promoted. The previous key's grace counts from the
 * promotion, or a late finish would end it early, even at once. A version's value cannot change
 * once written, so the rotation records the moment as a staging label on the version, which
 * GetSecretValue and DescribeSecret return with it: no extra call for the client.
 *
 * Only a late finish gets the label (see LATE_PROMOTION_MS); an on-time rotation's stages stay
 * AWSCURRENT / AWSPREVIOUS alone, and its grace counts from createdAt.
 */

const CURRENT_SINCE_STAGE_PREFIX = 'JWTKEY_CURRENT_SINCE_';

/**
 * How long after its createdAt a key may become current before the moment is recorded: longer
 * than a rotation's four steps and the service's quick retries take, short against any grace
 * period worth having.
 */
export const LATE_PROMOTION_MS = 60_000;

const LABEL = new RegExp(
  `^${CURRENT_SINCE_STAGE_PREFIX}(\\d{4})(\\d{2})(\\d{2})T(\\d{2})(\\d{2})(\\d{2})Z$`,
);

/**
 * The label for a promotion at `at` (epoch ms), e.g. JWTKEY_CURRENT_SINCE_20261123T101500Z.
 * Rounded up to the second, so the grace it starts is never shorter than stated.
 */
export function currentSinceStage(at: number): string {
  const iso = new Date(Math.ceil(at / 1000) * 1000).toISOString();
  return `${CURRENT_SINCE_STAGE_PREFIX}${iso.slice(0, 19).replace(/[-:]/g, '')}Z`;
}

export function isCurrentSinceStage(stage: string): boolean {
  return stage.startsWith(CURRENT_SINCE_STAGE_PREFIX);
}

/**
 * The promotion moment a version's labels record (the latest, if a retry left two), in epoch
 * ms; undefined when none does. A label that does not parse is ignored.
 */
export function currentSinceOf(stages: readonly string[] | undefined): number | undefined {
  let latest: number | undefined;
  for (const stage of stages ?? []) {
    const parts = LABEL.exec(stage);
    if (parts === null) continue;
    const [year, month, day, hour, minute, second] = parts.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const at = Date.UTC(year, month - 1, day, hour, minute, second);
    if (Number.isNaN(at) || currentSinceStage(at) !== stage) continue;
    latest = latest === undefined ? at : Math.max(latest, at);
  }
  return latest;
}
