/**
 * The rotation function's own actions (besides Secrets Manager's four steps), as the construct's
 * schedule and the `jwt-keys` command send them, and what the function answers.
 */

export const MAINTENANCE_ACTIONS = [
  'retire',
  'revoke-previous',
  'discard-standby',
  'repair',
] as const;
export type MaintenanceAction = (typeof MAINTENANCE_ACTIONS)[number];

/**
 * - `retire`: remove AWSPREVIOUS once its grace has ended (the 5-minute schedule).
 * - `revoke-previous`: remove AWSPREVIOUS now, but only while the key named by `kid` holds it,
 *   so a call meant for a leaked key that has already rotated away never drops another key.
 * - `discard-standby`: remove the standby label, so the next rotation makes a fresh key (the
 *   first step of the leaked-key runbook: whoever read the secret may have read the standby).
 * - `repair`: remove a stale AWSPENDING left by a failed rotation.
 */
export type MaintenanceEvent =
  | { readonly action: 'retire' | 'discard-standby' | 'repair'; readonly secretId: string }
  | { readonly action: 'revoke-previous'; readonly secretId: string; readonly kid: string };

export type MaintenanceOutcome =
  | 'retired'
  | 'nothing-to-retire'
  | 'grace-not-ended'
  | 'grace-unknown'
  | 'superseded'
  /** revoke-previous: the named kid does not hold AWSPREVIOUS; nothing was changed. */
  | 'not-previous'
  | 'standby-discarded'
  | 'no-standby'
  | 'repaired'
  | 'nothing-to-repair';

export interface MaintenanceResult {
  readonly action: MaintenanceAction;
  readonly outcome: MaintenanceOutcome;
  readonly secretArn: string;
  readonly retired?: { readonly versionId: string; readonly kid: string };
  readonly graceEndsAt?: string | null;
  readonly versionId?: string;
}

export function isMaintenanceAction(value: unknown): value is MaintenanceAction {
  return typeof value === 'string' && (MAINTENANCE_ACTIONS as readonly string[]).includes(value);
}
