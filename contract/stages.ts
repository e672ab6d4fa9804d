/**
 * The staging labels every part reads or moves: Secrets Manager's own three, and ours. One
 * place, so that the construct's grants, the Lambda, the client and the CLI name the same labels.
 */

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';
export const AWSPENDING = 'AWSPENDING';

/**
 * The standby key: made by each rotation, promoted (same kid, same key) by the next one. Only
 * the rotation function reads it; `grantRead` is limited to AWSCURRENT and AWSPREVIOUS.
 */
export const STANDBY_STAGE = 'JWTKEY_NEXT';

/** The stages an application reads (and `grantRead` allows): the signing key and its predecessor. */
export const APPLICATION_STAGES = [AWSCURRENT, AWSPREVIOUS] as const;

/** Versions and their labels, as DescribeSecret's VersionIdsToStages gives them. */
export type VersionStages = Readonly<Record<string, readonly string[] | undefined>>;

/** The version holding a staging label, if any (a label is on one version at most). */
export function versionWithStage(versions: VersionStages, stage: string): string | undefined {
  for (const [versionId, stages] of Object.entries(versions)) {
    if (stages?.includes(stage) === true) return versionId;
  }
  return undefined;
}

export function hasStage(versions: VersionStages, versionId: string, stage: string): boolean {
  return versions[versionId]?.includes(stage) === true;
}
