/**
 * The label that dates a late promotion (see key-document/current-since.ts): finishSecret puts
 * it on the new key before moving AWSCURRENT, so no reader ever sees the key current without
 * it, and removes the labels left by earlier promotions once the move is done.
 */
import {
  currentSinceOf,
  currentSinceStage,
  isCurrentSinceStage,
  type KeyDocument,
  LATE_PROMOTION_MS,
} from '../../key-document';

import { type RotationContext, writeUnlessAlreadyDone } from './context';
import { type SecretDescription } from './secrets-store';

/**
 * Labels the pending key with the moment of its promotion when that comes late, so the grace
 * of the key it displaces counts from now. Returns the label, or undefined when none is needed.
 */
export async function recordLatePromotion(
  context: RotationContext,
  secret: SecretDescription,
  token: string,
  pending: KeyDocument | undefined,
): Promise<string | undefined> {
  if (pending?.createdAt === undefined || !pending.previousKeyGraceSeconds) return undefined;
  const now = context.clock();
  const lateBy = now - Date.parse(pending.createdAt);
  if (!(lateBy > LATE_PROMOTION_MS)) return undefined;
  const label = currentSinceStage(now);
  await context.secrets.updateStage(secret.arn, label, { moveToVersionId: token });
  context.logger.warn(
    "finishSecret: the key is promoted late; its predecessor's grace counts from now",
    {
      secretArn: secret.arn,
      versionId: token,
      keyCreatedAt: pending.createdAt,
      lateBySeconds: Math.floor(lateBy / 1000),
      label,
    },
  );
  return label;
}

/**
 * Removes every promotion label but the one the new current key keeps (the one just put, or
 * the latest it already had), so demoted versions carry none and can age out like any other.
 */
export async function dropOutdatedPromotionLabels(
  context: RotationContext,
  secret: SecretDescription,
  token: string,
  keep: string | undefined,
): Promise<void> {
  const kept = keep ?? latestLabel(secret.versionIdsToStages[token]);
  for (const [versionId, stages] of Object.entries(secret.versionIdsToStages)) {
    for (const label of stages.filter(isCurrentSinceStage)) {
      if (versionId === token && label === kept) continue;
      await writeUnlessAlreadyDone(
        context,
        () => context.secrets.updateStage(secret.arn, label, { removeFromVersionId: versionId }),
        async () =>
          (await context.secrets.describe(secret.arn)).versionIdsToStages[versionId]?.includes(
            label,
          ) !== true,
        { description: 'finishSecret', secretArn: secret.arn, versionId },
      );
    }
  }
}

function latestLabel(stages: readonly string[] | undefined): string | undefined {
  const since = currentSinceOf(stages);
  return since === undefined ? undefined : currentSinceStage(since);
}
