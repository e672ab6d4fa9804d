/**
 * The events the rotation publishes on EventBridge: their source, detail types and detail
 * shapes. Shared by the Lambda that publishes them and by whoever consumes them (the client's
 * push refresh, the CLI, the demo). Details name keys by version id and kid; never key material.
 */
import { isJwtAlgorithm, type JwtAlgorithm } from '../key-document';

/** Ours, never `aws.*`: EventBridge refuses PutEvents with an aws.* source from an account. */
export const EVENT_SOURCE = 'rotating-jwt-keys';

export const KEY_ROTATED = 'JWT Signing Key Rotated';
export const KEY_RETIRED = 'JWT Signing Key Retired';

export interface KeyReference {
  readonly versionId: string;
  readonly kid: string;
}

export interface KeyRotatedDetail {
  readonly secretArn: string;
  readonly algorithm: JwtAlgorithm;
  /** When AWSCURRENT moved to the new version (ISO-8601 UTC). */
  readonly rotatedAt: string;
  readonly current: KeyReference;
  /** The key that now holds AWSPREVIOUS and verifies until previousGraceEndsAt. */
  readonly previous: KeyReference | null;
  readonly previousGraceEndsAt: string | null;
  /**
   * The older AWSPREVIOUS key this rotation displaced before its own grace period ended
   * (Secrets Manager keeps one AWSPREVIOUS). Null when nothing was dropped early.
   */
  readonly droppedEarly: KeyReference | null;
  /**
   * The standby key (staging label JWTKEY_NEXT) the next rotation promotes, by version id and
   * kid; null when there is none. A promoted key keeps its kid in its new version, so `current`
   * may name a kid that is not its version id.
   */
  readonly next: KeyReference | null;
}

export type RetirementReason = 'grace-period-ended' | 'revoked';

export interface KeyRetiredDetail {
  readonly secretArn: string;
  readonly algorithm: JwtAlgorithm;
  /** When the AWSPREVIOUS label was removed (ISO-8601 UTC). */
  readonly retiredAt: string;
  readonly reason: RetirementReason;
  readonly retired: KeyReference;
  readonly current: KeyReference;
  /** The grace end the retired key had, when the current key document states one. */
  readonly graceEndsAt: string | null;
}

export type RotationEvent =
  | { readonly detailType: typeof KEY_ROTATED; readonly detail: KeyRotatedDetail }
  | { readonly detailType: typeof KEY_RETIRED; readonly detail: KeyRetiredDetail };

/**
 * Reads an EventBridge event (as a Lambda or SQS consumer receives it: `source`, `detail-type`,
 * `detail`) and returns it typed, or undefined when it is not one of ours.
 */
export function parseRotationEvent(event: unknown): RotationEvent | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const record = event as Record<string, unknown>;
  if (record.source !== EVENT_SOURCE) return undefined;
  const detail = typeof record.detail === 'string' ? safeJson(record.detail) : record.detail;
  if (typeof detail !== 'object' || detail === null) return undefined;
  const fields = detail as Record<string, unknown>;
  if (typeof fields.secretArn !== 'string' || !isJwtAlgorithm(fields.algorithm)) {
    return undefined;
  }
  if (!isKeyReference(fields.current)) return undefined;
  if (record['detail-type'] === KEY_ROTATED) {
    return { detailType: KEY_ROTATED, detail: detail as KeyRotatedDetail };
  }
  if (record['detail-type'] === KEY_RETIRED && isKeyReference(fields.retired)) {
    return { detailType: KEY_RETIRED, detail: detail as KeyRetiredDetail };
  }
  return undefined;
}

function isKeyReference(value: unknown): value is KeyReference {
  if (typeof value !== 'object' || value === null) return false;
  const reference = value as Record<string, unknown>;
  return typeof reference.versionId === 'string' && typeof reference.kid === 'string';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
