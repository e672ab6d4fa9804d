/** A key document's secret on local-aws, for tests that need the real SDK and the service's label rules. */
import { randomUUID } from 'node:crypto';

import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';

import { type KeyDocument, serializeKeyDocument } from '../../key-document';
import { type LocalAws, startLocalAws } from '../../local-aws';

export const SECRET_ID = 'app/jwt';

/** A key document's secret on local-aws, written version by version as a test needs. */
export interface LocalSecret {
  readonly local: LocalAws;
  readonly arn: string;
  /** A client for a ring: the SDK's own retries off, so each read is one call. */
  readonly client: SecretsManagerClient;
  /**
   * Writes the document as a new version holding the stages (default AWSCURRENT: the service
   * moves AWSPREVIOUS to the version that was current). Returns the version id, which is not
   * the kid, as for a promoted standby key.
   */
  put(document: KeyDocument, stages?: readonly string[]): Promise<string>;
  /** Removes AWSPREVIOUS from the version holding it, as a retirement or a revoke does. */
  removePrevious(): Promise<void>;
  /** GetSecretValue calls received so far. */
  reads(): number;
  close(): Promise<void>;
}

export async function localSecret(clock: () => number, first: KeyDocument): Promise<LocalSecret> {
  const local = await startLocalAws({ clock });
  const admin = new SecretsManagerClient(local.clientConfig({ maxAttempts: 1 }));
  const client = new SecretsManagerClient(local.clientConfig({ maxAttempts: 1 }));
  const created = await admin.send(
    new CreateSecretCommand({
      Name: SECRET_ID,
      SecretString: serializeKeyDocument(first),
      ClientRequestToken: randomUUID(),
    }),
  );
  const arn = created.ARN!;
  return {
    local,
    arn,
    client,
    async put(document, stages = ['AWSCURRENT']) {
      const written = await admin.send(
        new PutSecretValueCommand({
          SecretId: arn,
          SecretString: serializeKeyDocument(document),
          ClientRequestToken: randomUUID(),
          VersionStages: [...stages],
        }),
      );
      return written.VersionId!;
    },
    async removePrevious() {
      const holder = Object.entries(local.versionStages(arn)).find(([, stages]) =>
        stages.includes('AWSPREVIOUS'),
      );
      if (holder === undefined) return;
      await admin.send(
        new UpdateSecretVersionStageCommand({
          SecretId: arn,
          VersionStage: 'AWSPREVIOUS',
          RemoveFromVersionId: holder[0],
        }),
      );
    },
    reads: () => local.calls.filter((call) => call.operation === 'GetSecretValue').length,
    async close() {
      admin.destroy();
      client.destroy();
      await local.close();
    },
  };
}
