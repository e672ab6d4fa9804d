/**
 * Waits for a rotation Secrets Manager runs asynchronously: done when the new version holds
 * AWSCURRENT and no AWSPENDING is left on another version. Bounded by a number of polls, so a
 * rotation that failed ends in a clear error instead of a hang.
 */
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';

import { AWSCURRENT, AWSPENDING, versionWithStage } from '../contract';

import { CliError } from './cli-error';
import { type CommandContext } from './context';

export async function waitForRotation(context: CommandContext, token: string): Promise<void> {
  const polls = Math.max(1, Math.ceil(context.timeoutMs / context.pollIntervalMs));
  let lastStages = '';
  for (let poll = 0; poll <= polls; poll += 1) {
    const described = await context.secretsManager.send(
      new DescribeSecretCommand({ SecretId: context.secretId }),
    );
    const stages = described.VersionIdsToStages ?? {};
    const tokenStages = stages[token] ?? [];
    const pendingVersion = versionWithStage(stages, AWSPENDING);
    const pendingElsewhere = pendingVersion !== undefined && pendingVersion !== token;
    const summary = tokenStages.length === 0 ? 'no label' : tokenStages.join(', ');
    if (summary !== lastStages) {
      context.progress(`rotation ${token}: ${summary}`);
      lastStages = summary;
    }
    if (
      tokenStages.includes(AWSCURRENT) &&
      !tokenStages.includes(AWSPENDING) &&
      !pendingElsewhere
    ) {
      return;
    }
    if (poll < polls) await context.sleep(context.pollIntervalMs);
  }
  throw new CliError(
    'ERR_ROTATION_TIMEOUT',
    `rotation ${token} of secret "${context.secretId}" did not complete within ` +
      `${Math.round(context.timeoutMs / 1000)} s; the rotation function may have failed: check its ` +
      `logs, then run "jwt-keys repair ${context.secretId}"`,
  );
}
