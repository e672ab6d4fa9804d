/**
 * `jwt-keys repair SECRET`: clears a stale AWSPENDING that a failed rotation left on a version
 * other than AWSCURRENT, which otherwise blocks every later rotation. Done directly with
 * UpdateSecretVersionStage, so it works even when the rotation function is what is broken.
 */
import { UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';

import { AWSPENDING } from '../contract';

import { type CommandContext } from './context';
import { readSecretState } from './secret-state';

export async function repair(context: CommandContext): Promise<void> {
  const state = await readSecretState(context.secretsManager, context.secretId);
  const stale = state.stalePendingVersionId;
  if (stale !== undefined) {
    await context.secretsManager.send(
      new UpdateSecretVersionStageCommand({
        SecretId: state.arn,
        VersionStage: AWSPENDING,
        RemoveFromVersionId: stale,
      }),
    );
  }
  if (context.json) {
    context.print(
      JSON.stringify({
        action: 'repair',
        secretArn: state.arn,
        outcome: stale === undefined ? 'nothing-to-repair' : 'repaired',
        versionId: stale ?? null,
      }),
    );
    return;
  }
  context.print(
    stale === undefined
      ? `nothing to repair: secret "${state.name}" has no stale AWSPENDING`
      : `repaired secret "${state.name}": removed AWSPENDING from version ${stale} (the next rotation can start)`,
  );
}
