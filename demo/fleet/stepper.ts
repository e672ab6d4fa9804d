/**
 * How the fleet moves time. Instances act often around the moments that matter, rarely
 * elsewhere: a rotation (its tokens of the old key verifying with AWSPREVIOUS), the grace end
 * after it (the retirement), the next scheduled rotation and the revoke; each from an hour
 * before to an hour after its effects can show (two token lifetimes and a cache period). A rare
 * step never jumps over the start of such a period. The middle of a long grace holds nothing
 * new: the tokens signed before the rotation expired long before it ends.
 */
import { HOUR_MS } from './timeline';

export interface StepperSettings {
  readonly denseStepMs: number;
  readonly sparseStepMs: number;
  readonly tokenLifetimeSeconds: number;
  /** The longest a verifier may keep a key: the cache period, or the key set's max-age. */
  readonly keyBoundMs: number;
}

/** The next moment an instance acts, after `at`, given the lifecycle's moments. */
export function nextStep(
  at: number,
  moments: readonly number[],
  settings: StepperSettings,
): number {
  const lasts = 2 * settings.tokenLifetimeSeconds * 1000 + settings.keyBoundMs + HOUR_MS;
  const busyStarts = moments.map((moment) => moment - HOUR_MS);
  const busy = busyStarts.some((busyStart) => at >= busyStart && at < busyStart + HOUR_MS + lasts);
  if (busy) return at + settings.denseStepMs;
  const upcoming = busyStarts.filter((busyStart) => busyStart > at);
  return Math.min(at + settings.sparseStepMs, ...upcoming);
}
