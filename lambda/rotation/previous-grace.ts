/**
 * When the AWSPREVIOUS key's grace ends, as the retirement decides it and the published key set
 * follows it: the end the current key states (its grace, counted from its promotion); without
 * that (a key made outside this function), the configured grace counted from the service's last
 * rotation date; without either, undefined (never retire on a guess).
 */
import { AWSCURRENT, versionWithStage } from '../../contract';
import { graceEndOfPrevious, type KeyDocument } from '../../key-document';

import { type RotationContext } from './context';
import { type SecretDescription } from './secrets-store';

export function previousGraceEnd(
  context: RotationContext,
  secret: SecretDescription,
  current: KeyDocument | undefined,
): number | undefined {
  const currentVersion = versionWithStage(secret.versionIdsToStages, AWSCURRENT);
  const statedEnd =
    current === undefined || currentVersion === undefined
      ? undefined
      : graceEndOfPrevious(current, secret.versionIdsToStages[currentVersion]);
  return (
    statedEnd ??
    (secret.lastRotatedAt === undefined
      ? undefined
      : secret.lastRotatedAt + context.config.gracePeriodSeconds * 1000)
  );
}
