/**
 * What an operator needs to know about a key secret, read in one go: rotation settings, the
 * AWSCURRENT and AWSPREVIOUS keys (by kid, never their bytes), the standby key (from metadata
 * only: only the rotation function reads its value), the previous key's grace end and any
 * AWSPENDING a failed rotation left behind.
 */
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

import {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  STANDBY_MINIMUM_AGE_TAG,
  type RotationRulesLike,
  STANDBY_STAGE,
  versionWithStage,
} from '../contract';
import {
  graceEndOfPrevious,
  isLegacyKeyDocument,
  type KeyDocument,
  type LegacyKeyDocument,
  legacyKeyStrength,
  type LegacyTokensWithoutExp,
  parseKeyDocument,
} from '../key-document';

export interface KeyState {
  readonly versionId: string;
  /** Undefined when the version's value is not a valid key document (see `problem`). */
  readonly kid?: string;
  readonly algorithm?: string;
  /** When the key was generated (its createdAt), else when the version was created. */
  readonly createdAt?: Date;
  readonly problem?: string;
  /** Present when the key is a legacy key (an imported static secret). */
  readonly legacy?: LegacyKeyState;
  /** The key it took over from (the key document's previousKid): none for a first key. */
  readonly previousKid?: string;
}

/** What `jwt-keys` says about a legacy key: its settings and strength, never its bytes. */
export interface LegacyKeyState {
  readonly graceSeconds: number;
  readonly tokensWithoutExp: LegacyTokensWithoutExp;
  readonly keyBytes: number;
  /** The hash size RFC 7518 asks of new keys of its algorithm. */
  readonly minimumBytes: number;
  readonly short: boolean;
}

/**
 * The standby key (staging label JWTKEY_NEXT), known without reading its value: the rotation
 * function makes every standby key with its version id as kid.
 */
export interface StandbyState {
  readonly versionId: string;
  readonly kid: string;
  /** When its version was created (the key is made with it). */
  readonly createdAt?: Date;
  /** Whether AWSCURRENT names it as its nextKid (not so after a failed, repaired rotation). */
  readonly namedByCurrent: boolean;
}

export interface SecretState {
  readonly arn: string;
  readonly name: string;
  readonly rotationEnabled: boolean;
  readonly rotationLambdaArn?: string;
  readonly rotationRules?: string;
  /** The rules as DescribeSecret returns them (contract/rotation-schedule.ts reads them). */
  readonly rotationSchedule?: RotationRulesLike;
  readonly lastRotatedAt?: Date;
  readonly nextRotationAt?: Date;
  readonly current?: KeyState;
  readonly previous?: KeyState;
  /** The key the next rotation promotes. */
  readonly standby?: StandbyState;
  /** When the previous key stops verifying; undefined when the current key does not say. */
  readonly previousGraceEndsAt?: Date;
  /** The version holding AWSPENDING when it is not AWSCURRENT: an unfinished rotation. */
  readonly stalePendingVersionId?: string;
  /**
   * The least age of a standby key before a rotation promotes it: the longest verifier cache
   * the construct was told (the secret's STANDBY_MINIMUM_AGE_TAG). Undefined without the tag,
   * or when its value is not a whole number of seconds.
   */
  readonly standbyMinimumAgeSeconds?: number;
  readonly versionIdsToStages: Record<string, string[]>;
}

export interface YoungStandby {
  readonly kid: string;
  readonly versionId: string;
  readonly ageSeconds: number;
  readonly minimumAgeSeconds: number;
}

/** The standby key when it is younger than the secret's stated minimum age, else undefined. */
export function youngStandbyOf(state: SecretState, now: number): YoungStandby | undefined {
  const { standby, standbyMinimumAgeSeconds: minimum } = state;
  if (standby?.createdAt === undefined || minimum === undefined) return undefined;
  const ageSeconds = Math.max(0, Math.floor((now - standby.createdAt.getTime()) / 1000));
  if (ageSeconds >= minimum) return undefined;
  return {
    kid: standby.kid,
    versionId: standby.versionId,
    ageSeconds,
    minimumAgeSeconds: minimum,
  };
}

export async function readSecretState(
  client: SecretsManagerClient,
  secretId: string,
): Promise<SecretState> {
  const described = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
  const stages = described.VersionIdsToStages ?? {};
  const currentId = versionWithStage(stages, AWSCURRENT);
  const previousId = versionWithStage(stages, AWSPREVIOUS);
  const pendingId = versionWithStage(stages, AWSPENDING);
  const standbyId = versionWithStage(stages, STANDBY_STAGE);
  const [current, previous, standbyCreatedAt] = await Promise.all([
    currentId === undefined ? undefined : readKey(client, described, currentId, 'AWSCURRENT'),
    previousId === undefined ? undefined : readKey(client, described, previousId, 'AWSPREVIOUS'),
    standbyId === undefined ? undefined : versionCreatedAt(client, described, standbyId),
  ]);
  const graceEnd =
    current?.document === undefined || currentId === undefined
      ? undefined
      : graceEndOfPrevious(current.document, stages[currentId]);
  return {
    arn: described.ARN ?? secretId,
    name: described.Name ?? secretId,
    rotationEnabled: described.RotationEnabled === true,
    rotationLambdaArn: described.RotationLambdaARN,
    rotationRules: describeRules(described.RotationRules),
    rotationSchedule: described.RotationRules,
    lastRotatedAt: described.LastRotatedDate,
    nextRotationAt: described.NextRotationDate,
    current: current?.state,
    previous: previous?.state,
    standby:
      standbyId === undefined
        ? undefined
        : {
            versionId: standbyId,
            kid: standbyId,
            createdAt: standbyCreatedAt,
            namedByCurrent: current?.document?.nextKid === standbyId,
          },
    previousGraceEndsAt:
      previous === undefined || graceEnd === undefined ? undefined : new Date(graceEnd),
    stalePendingVersionId:
      pendingId !== undefined && pendingId !== currentId ? pendingId : undefined,
    standbyMinimumAgeSeconds: wholeSeconds(
      described.Tags?.find((tag) => tag.Key === STANDBY_MINIMUM_AGE_TAG)?.Value,
    ),
    versionIdsToStages: stages,
  };
}

async function readKey(
  client: SecretsManagerClient,
  described: DescribeSecretCommandOutput,
  versionId: string,
  stage: string,
): Promise<{ state: KeyState; document?: KeyDocument }> {
  const value = await client.send(
    new GetSecretValueCommand({
      SecretId: described.ARN,
      VersionId: versionId,
      VersionStage: stage,
    }),
  );
  try {
    const document = parseKeyDocument(value.SecretString ?? '', {
      source: `secret "${described.Name ?? ''}" version ${versionId} (${stage})`,
    });
    const createdAt =
      document.createdAt !== undefined ? new Date(document.createdAt) : value.CreatedDate;
    return {
      state: {
        versionId,
        kid: document.kid,
        algorithm: document.alg,
        createdAt,
        ...(isLegacyKeyDocument(document) && { legacy: legacyStateOf(document) }),
        ...(document.previousKid !== undefined && { previousKid: document.previousKid }),
      },
      document,
    };
  } catch (error) {
    return {
      state: { versionId, createdAt: value.CreatedDate, problem: (error as Error).message },
    };
  }
}

/** A version's creation date, from the version list (metadata: no value is read). */
async function versionCreatedAt(
  client: SecretsManagerClient,
  described: DescribeSecretCommandOutput,
  versionId: string,
): Promise<Date | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListSecretVersionIdsCommand({ SecretId: described.ARN, NextToken: nextToken }),
    );
    const found = page.Versions?.find((version) => version.VersionId === versionId);
    if (found !== undefined) return found.CreatedDate;
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return undefined;
}

export function legacyStateOf(document: LegacyKeyDocument): LegacyKeyState {
  return { ...document.legacy, ...legacyKeyStrength(document) };
}

function wholeSeconds(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,10}$/.test(value) ? Number(value) : undefined;
}

function describeRules(rules: DescribeSecretCommandOutput['RotationRules']): string | undefined {
  if (rules === undefined) return undefined;
  if (rules.ScheduleExpression !== undefined) return rules.ScheduleExpression;
  if (rules.AutomaticallyAfterDays !== undefined)
    return `every ${rules.AutomaticallyAfterDays} days`;
  return undefined;
}
