/**
 * Secrets Manager's API as AWS documents it, in memory: secrets, versions and their staging
 * labels. The rules that the rotation protocol depends on are kept exactly:
 * - each staging label is on at most one version of a secret;
 * - moving AWSCURRENT puts AWSPREVIOUS on the version it left, automatically;
 * - a version without labels is deprecated: it leaves VersionIdsToStages;
 * - the version RotateSecret creates has no value until createSecret puts one, so
 *   GetSecretValue on it fails with ResourceNotFoundException;
 * - PutSecretValue with an existing token: same value succeeds and does nothing, a different
 *   value is ResourceExistsException;
 * - RotateSecret refuses while an earlier rotation left AWSPENDING on a non-current version;
 * - tags (CreateSecret's Tags, TagResource) are key/value pairs, a key given again overwrites
 *   its value, and DescribeSecret lists them (omitting Tags when there are none).
 */
import { randomUUID } from 'node:crypto';

import {
  dropUndefined,
  epochSeconds,
  optionalString,
  randomSuffix,
  rotationIntervalMs,
  secretValueOf,
  stageList,
  tagList,
  tokenOf,
  type RotationRules,
  type SecretValue,
} from './secrets-manager-input';
import { invalidParameter, invalidRequest, resourceNotFound, ServiceError } from './service-error';

export type { RotationRules } from './secrets-manager-input';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';
export const AWSPENDING = 'AWSPENDING';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '123456789012';

export interface SecretVersion {
  readonly versionId: string;
  /** Undefined for the version RotateSecret creates, until createSecret puts a value. */
  value?: SecretValue;
  readonly stages: Set<string>;
  readonly createdDate: number;
}

export interface SecretRecord {
  readonly arn: string;
  readonly name: string;
  description?: string;
  kmsKeyId?: string;
  readonly createdDate: number;
  lastChangedDate: number;
  lastRotatedDate?: number;
  /** Undefined until rotation is configured: DescribeSecret then omits RotationEnabled. */
  rotationEnabled?: boolean;
  rotationLambdaArn?: string;
  rotationRules?: RotationRules;
  rotationIntervalMs?: number;
  /** When rotation was last enabled or last succeeded: the start of the next interval. */
  rotationIntervalStart?: number;
  readonly versions: Map<string, SecretVersion>;
  /** Tag values by key, in the order first added. */
  readonly tags: Map<string, string>;
}

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

/** The rotation runner, which the service hands a rotation it has to start. */
export interface RotationStarter {
  start(secret: SecretRecord, token: string, mode: 'rotate' | 'test-configuration'): void;
  isRunning(secret: SecretRecord): boolean;
  functionExists(arn: string): boolean;
}

const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

export class SecretsManagerService {
  readonly secrets = new Map<string, SecretRecord>();

  constructor(
    private readonly clock: () => number,
    /** Starts the rotations this service begins (the emulator's RotationRunner). */
    private readonly rotations: RotationStarter,
  ) {}

  handle(operation: string, input: Input): Output {
    switch (operation) {
      case 'CreateSecret':
        return this.createSecret(input);
      case 'DescribeSecret':
        return this.describeSecret(input);
      case 'GetSecretValue':
        return this.getSecretValue(input);
      case 'PutSecretValue':
        return this.putSecretValue(input);
      case 'UpdateSecretVersionStage':
        return this.updateSecretVersionStage(input);
      case 'ListSecretVersionIds':
        return this.listSecretVersionIds(input);
      case 'RotateSecret':
        return this.rotateSecret(input);
      case 'CancelRotateSecret':
        return this.cancelRotateSecret(input);
      case 'TagResource':
        return this.tagResource(input);
      default:
        throw new ServiceError(
          'UnknownOperationException',
          `local-aws does not implement secretsmanager.${operation}`,
        );
    }
  }

  find(secretId: unknown): SecretRecord {
    if (typeof secretId !== 'string' || secretId.length === 0) {
      throw invalidParameter('SecretId is required.');
    }
    const byName = this.secrets.get(secretId);
    if (byName !== undefined) return byName;
    for (const secret of this.secrets.values()) {
      // A full ARN, or a partial ARN without the random six-character suffix.
      if (secret.arn === secretId || secret.arn.slice(0, -7) === secretId) return secret;
    }
    throw resourceNotFound("Secrets Manager can't find the specified secret.");
  }

  /** The version holding a label, if any. */
  holderOf(secret: SecretRecord, stage: string): SecretVersion | undefined {
    for (const version of secret.versions.values()) {
      if (version.stages.has(stage)) return version;
    }
    return undefined;
  }

  /** Versions with at least one label, as DescribeSecret's VersionIdsToStages lists them. */
  versionIdsToStages(secret: SecretRecord): Record<string, string[]> {
    const stages: Record<string, string[]> = {};
    for (const version of secret.versions.values()) {
      if (version.stages.size > 0) stages[version.versionId] = [...version.stages];
    }
    return stages;
  }

  /** A rotation that did not finish: AWSPENDING on a version that is not AWSCURRENT. */
  unfinishedRotation(secret: SecretRecord): SecretVersion | undefined {
    const pending = this.holderOf(secret, AWSPENDING);
    return pending !== undefined && !pending.stages.has(AWSCURRENT) ? pending : undefined;
  }

  nextRotationDate(secret: SecretRecord): number | undefined {
    if (secret.rotationEnabled !== true || secret.rotationIntervalMs === undefined)
      return undefined;
    return (secret.rotationIntervalStart ?? secret.createdDate) + secret.rotationIntervalMs;
  }

  private createSecret(input: Input): Output {
    const name = input.Name;
    if (typeof name !== 'string' || !SECRET_NAME.test(name)) {
      throw invalidParameter(`Invalid name. Must be 1 to 512 characters of A-Za-z0-9/_+=.@-.`);
    }
    if (this.secrets.has(name)) {
      throw new ServiceError(
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    const value = secretValueOf(input, false);
    const tags = tagList(input.Tags) ?? [];
    const now = this.clock();
    const secret: SecretRecord = {
      arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:${name}-${randomSuffix()}`,
      name,
      description: optionalString(input.Description),
      kmsKeyId: optionalString(input.KmsKeyId),
      createdDate: now,
      lastChangedDate: now,
      versions: new Map(),
      tags: new Map(tags),
    };
    this.secrets.set(name, secret);
    if (value === undefined) return { ARN: secret.arn, Name: secret.name };
    const versionId = tokenOf(input);
    secret.versions.set(versionId, {
      versionId,
      value,
      stages: new Set([AWSCURRENT]),
      createdDate: now,
    });
    return { ARN: secret.arn, Name: secret.name, VersionId: versionId };
  }

  private describeSecret(input: Input): Output {
    const secret = this.find(input.SecretId);
    const next = this.nextRotationDate(secret);
    return dropUndefined({
      ARN: secret.arn,
      Name: secret.name,
      Description: secret.description,
      KmsKeyId: secret.kmsKeyId,
      RotationEnabled: secret.rotationEnabled,
      RotationLambdaARN: secret.rotationLambdaArn,
      RotationRules: secret.rotationRules,
      LastRotatedDate: epochSeconds(secret.lastRotatedDate),
      LastChangedDate: epochSeconds(secret.lastChangedDate),
      CreatedDate: epochSeconds(secret.createdDate),
      NextRotationDate: epochSeconds(next),
      VersionIdsToStages: this.versionIdsToStages(secret),
      Tags:
        secret.tags.size === 0
          ? undefined
          : [...secret.tags].map(([Key, Value]) => ({ Key, Value })),
    });
  }

  private tagResource(input: Input): Output {
    const secret = this.find(input.SecretId);
    const tags = tagList(input.Tags);
    if (tags === undefined) throw invalidParameter('Tags is required.');
    for (const [key, value] of tags) secret.tags.set(key, value);
    return {};
  }

  private getSecretValue(input: Input): Output {
    const secret = this.find(input.SecretId);
    const versionId = optionalString(input.VersionId);
    const stage = optionalString(input.VersionStage);
    let version: SecretVersion | undefined;
    if (versionId !== undefined) {
      version = secret.versions.get(versionId);
      if (version === undefined || (stage !== undefined && !version.stages.has(stage))) {
        throw resourceNotFound(
          `Secrets Manager can't find the specified secret value for VersionId: ${versionId}` +
            (stage === undefined ? '' : ` and staging label: ${stage}`),
        );
      }
    } else {
      const label = stage ?? AWSCURRENT;
      version = this.holderOf(secret, label);
      if (version === undefined) {
        throw resourceNotFound(
          `Secrets Manager can't find the specified secret value for staging label: ${label}`,
        );
      }
    }
    if (version.value === undefined) {
      throw resourceNotFound(
        `Secrets Manager can't find the specified secret value for VersionId: ${version.versionId}`,
      );
    }
    return dropUndefined({
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      SecretString: version.value.string,
      SecretBinary: version.value.binary,
      VersionStages: [...version.stages],
      CreatedDate: epochSeconds(version.createdDate),
    });
  }

  private putSecretValue(input: Input): Output {
    const secret = this.find(input.SecretId);
    const value = secretValueOf(input, true);
    if (value === undefined)
      throw invalidParameter('You must provide either SecretString or SecretBinary.');
    const versionId = tokenOf(input);
    const stages = stageList(input.VersionStages) ?? [AWSCURRENT];
    const existing = secret.versions.get(versionId);
    if (existing?.value !== undefined) {
      if (existing.value.string === value.string && existing.value.binary === value.binary) {
        // Same token and same value: a retry; the operation succeeds and changes nothing.
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: versionId,
          VersionStages: [...existing.stages],
        };
      }
      throw new ServiceError(
        'ResourceExistsException',
        `A version with VersionId ${versionId} already exists with a different value; ` +
          'secret versions are immutable.',
      );
    }
    const now = this.clock();
    const version: SecretVersion = existing ?? {
      versionId,
      stages: new Set(),
      createdDate: now,
    };
    version.value = value;
    secret.versions.set(versionId, version);
    const isFirstValue = this.holderOf(secret, AWSCURRENT) === undefined;
    for (const stage of stages) this.attach(secret, stage, version);
    if (isFirstValue && !version.stages.has(AWSCURRENT)) this.attach(secret, AWSCURRENT, version);
    secret.lastChangedDate = now;
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: versionId,
      VersionStages: [...version.stages],
    };
  }

  private updateSecretVersionStage(input: Input): Output {
    const secret = this.find(input.SecretId);
    const stage = optionalString(input.VersionStage);
    if (stage === undefined) throw invalidParameter('VersionStage is required.');
    const removeFromId = optionalString(input.RemoveFromVersionId);
    const moveToId = optionalString(input.MoveToVersionId);
    const holder = this.holderOf(secret, stage);
    if (removeFromId !== undefined) {
      if (!secret.versions.has(removeFromId)) {
        throw resourceNotFound(`Secrets Manager can't find version ${removeFromId}.`);
      }
      if (holder?.versionId !== removeFromId) {
        throw invalidParameter(
          `The staging label ${stage} is not attached to version ${removeFromId}; ` +
            `it is attached to ${holder?.versionId ?? 'no version'}.`,
        );
      }
    }
    if (moveToId !== undefined) {
      const target = secret.versions.get(moveToId);
      if (target === undefined) {
        throw resourceNotFound(`Secrets Manager can't find version ${moveToId}.`);
      }
      if (holder !== undefined && holder !== target && removeFromId === undefined) {
        throw invalidParameter(
          `The staging label ${stage} is currently attached to version ${holder.versionId}. ` +
            'You must specify RemoveFromVersionId to move it.',
        );
      }
      this.attach(secret, stage, target);
    } else if (removeFromId !== undefined) {
      if (stage === AWSCURRENT) {
        throw invalidParameter(
          'You can only move the staging label AWSCURRENT to another version; it cannot be removed.',
        );
      }
      holder?.stages.delete(stage);
    } else {
      throw invalidParameter('You must specify MoveToVersionId, RemoveFromVersionId or both.');
    }
    secret.lastChangedDate = this.clock();
    return { ARN: secret.arn, Name: secret.name };
  }

  private listSecretVersionIds(input: Input): Output {
    const secret = this.find(input.SecretId);
    const includeDeprecated = input.IncludeDeprecated === true;
    const all = [...secret.versions.values()].filter(
      (version) => includeDeprecated || version.stages.size > 0,
    );
    const maxResults = typeof input.MaxResults === 'number' ? input.MaxResults : 100;
    const start = typeof input.NextToken === 'string' ? Number(input.NextToken) : 0;
    if (!Number.isInteger(start) || start < 0) throw invalidParameter('Invalid NextToken.');
    const page = all.slice(start, start + maxResults);
    const next = start + maxResults < all.length ? String(start + maxResults) : undefined;
    return dropUndefined({
      ARN: secret.arn,
      Name: secret.name,
      Versions: page.map((version) => ({
        VersionId: version.versionId,
        VersionStages: [...version.stages],
        CreatedDate: epochSeconds(version.createdDate),
      })),
      NextToken: next,
    });
  }

  private rotateSecret(input: Input): Output {
    const secret = this.find(input.SecretId);
    const rotations = this.rotations;
    const lambdaArn = optionalString(input.RotationLambdaARN) ?? secret.rotationLambdaArn;
    if (lambdaArn === undefined) {
      throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
    }
    if (!rotations.functionExists(lambdaArn)) {
      throw new ServiceError(
        'AccessDeniedException',
        'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function ' +
          'policy grants access to the principal secretsmanager.amazonaws.com.',
      );
    }
    const rules = input.RotationRules as RotationRules | undefined;
    const interval = rules === undefined ? undefined : rotationIntervalMs(rules);
    const token = tokenOf(input);
    const existing = secret.versions.get(token);
    if (existing !== undefined) {
      // The same request again (the SDK retries with the same idempotency token).
      return { ARN: secret.arn, Name: secret.name, VersionId: token };
    }
    const unfinished = this.unfinishedRotation(secret);
    if (unfinished !== undefined) {
      if (!rotations.isRunning(secret)) rotations.start(secret, unfinished.versionId, 'rotate');
      throw invalidRequest(
        "A previous rotation isn't complete. That rotation will be reattempted.",
      );
    }
    const now = this.clock();
    secret.rotationEnabled = true;
    secret.rotationLambdaArn = lambdaArn;
    if (rules !== undefined) {
      secret.rotationRules = rules;
      secret.rotationIntervalMs = interval;
    }
    secret.rotationIntervalStart ??= now;
    if (input.RotateImmediately === false) {
      secret.versions.set(token, {
        versionId: token,
        stages: new Set([AWSPENDING]),
        createdDate: now,
      });
      secret.rotationIntervalStart = now;
      rotations.start(secret, token, 'test-configuration');
      return { ARN: secret.arn, Name: secret.name };
    }
    secret.versions.set(token, {
      versionId: token,
      stages: new Set([AWSPENDING]),
      createdDate: now,
    });
    rotations.start(secret, token, 'rotate');
    return { ARN: secret.arn, Name: secret.name, VersionId: token };
  }

  private cancelRotateSecret(input: Input): Output {
    const secret = this.find(input.SecretId);
    secret.rotationEnabled = false;
    const pending = this.unfinishedRotation(secret);
    return dropUndefined({ ARN: secret.arn, Name: secret.name, VersionId: pending?.versionId });
  }

  /** Starts a rotation the schedule says is due; used by the local scheduler. */
  startScheduledRotation(secret: SecretRecord): string | undefined {
    const rotations = this.rotations;
    if (rotations.isRunning(secret)) return undefined;
    const unfinished = this.unfinishedRotation(secret);
    if (unfinished !== undefined) {
      rotations.start(secret, unfinished.versionId, 'rotate');
      return unfinished.versionId;
    }
    const token = randomUUID();
    secret.versions.set(token, {
      versionId: token,
      stages: new Set([AWSPENDING]),
      createdDate: this.clock(),
    });
    rotations.start(secret, token, 'rotate');
    return token;
  }

  /** Puts a label on a version, taking it off the version that had it. */
  private attach(secret: SecretRecord, stage: string, target: SecretVersion): void {
    const holder = this.holderOf(secret, stage);
    if (holder === target) return;
    holder?.stages.delete(stage);
    target.stages.add(stage);
    if (stage === AWSCURRENT && holder !== undefined) {
      // Documented: AWSPREVIOUS follows the version AWSCURRENT was removed from.
      this.holderOf(secret, AWSPREVIOUS)?.stages.delete(AWSPREVIOUS);
      holder.stages.add(AWSPREVIOUS);
    }
  }
}
