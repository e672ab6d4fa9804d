/**
 * The few Secrets Manager operations the rotation needs, behind a small interface so the
 * protocol logic is tested without the network as well as end to end.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';

export interface SecretDescription {
  readonly arn: string;
  readonly name: string;
  readonly rotationEnabled: boolean;
  readonly lastRotatedAt?: number;
  /** Versions with at least one staging label, and their labels. */
  readonly versionIdsToStages: Readonly<Record<string, readonly string[]>>;
}

/** A version by id, by staging label, or both (then the label must be on that version). */
export interface VersionSelector {
  readonly versionId?: string;
  readonly stage?: string;
}

export interface StageChange {
  readonly moveToVersionId?: string;
  readonly removeFromVersionId?: string;
}

export interface SecretsStore {
  describe(secretId: string): Promise<SecretDescription>;
  /**
   * The value of a version (by id and/or stage), or undefined when there is none, as for the
   * value-less version RotateSecret creates (ResourceNotFoundException).
   */
  getValue(secretId: string, select: VersionSelector): Promise<string | undefined>;
  /**
   * Writes a new version with these labels (PutSecretValue, the version id as
   * ClientRequestToken): a label another version holds moves here, and moving AWSCURRENT puts
   * AWSPREVIOUS on the version it left. The same id with the same value again changes nothing;
   * with another value the service refuses (ResourceExistsException).
   */
  putValue(
    secretId: string,
    versionId: string,
    value: string,
    stages: readonly string[],
  ): Promise<void>;
  updateStage(secretId: string, stage: string, change: StageChange): Promise<void>;
}

export class SdkSecretsStore implements SecretsStore {
  constructor(private readonly client: SecretsManagerClient) {}

  async describe(secretId: string): Promise<SecretDescription> {
    const output = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return {
      arn: output.ARN ?? secretId,
      name: output.Name ?? secretId,
      // Absent on a secret whose rotation was never configured: not enabled.
      rotationEnabled: output.RotationEnabled === true,
      lastRotatedAt: output.LastRotatedDate?.getTime(),
      versionIdsToStages: output.VersionIdsToStages ?? {},
    };
  }

  async getValue(secretId: string, select: VersionSelector): Promise<string | undefined> {
    try {
      const output = await this.client.send(
        new GetSecretValueCommand({
          SecretId: secretId,
          VersionId: select.versionId,
          VersionStage: select.stage,
        }),
      );
      return output.SecretString;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  async putValue(
    secretId: string,
    versionId: string,
    value: string,
    stages: readonly string[],
  ): Promise<void> {
    await this.client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: versionId,
        SecretString: value,
        VersionStages: [...stages],
      }),
    );
  }

  async updateStage(secretId: string, stage: string, change: StageChange): Promise<void> {
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: stage,
        MoveToVersionId: change.moveToVersionId,
        RemoveFromVersionId: change.removeFromVersionId,
      }),
    );
  }
}
