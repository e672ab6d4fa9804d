/**
 * The simulated clock every part of the fleet reads, and the timeline it narrates: short kids
 * and ages as a reader of the demo wants them.
 */
import { KEY_SET_DOCUMENTS } from '../../contract';
import { type LocalAws } from '../../local-aws';
import { type DemoKeySet } from '../published-key-set';

import { type TimelineEntry } from './figures';

const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Simulated time: only the fleet moves it. */
export class FleetClock {
  constructor(public now: number) {}

  /** The clock as the emulator, the rotation function and the instances read it. */
  readonly read = (): number => this.now;
}

export type Timeline = (kind: TimelineEntry['kind'], text: string) => void;

export function timelineOf(clock: FleetClock, onTimeline?: (entry: TimelineEntry) => void) {
  const timeline: Timeline = (kind, text) => onTimeline?.({ at: clock.now, kind, text });
  return timeline;
}

/** The kids the published JWKS holds now, on the timeline. */
export function timelinePublished(
  local: LocalAws,
  keySet: DemoKeySet | undefined,
  timeline: Timeline,
): void {
  if (keySet === undefined) return;
  const object = local.readObject(keySet.config.bucketName, KEY_SET_DOCUMENTS.jwks.objectKey);
  if (object === undefined) return;
  const { keys } = JSON.parse(object.body.toString('utf8')) as { keys: { kid: string }[] };
  timeline('jwks', `published key set: ${keys.map((each) => short(each.kid)).join(', ')}`);
}

export function short(kid: unknown): string {
  return typeof kid === 'string' ? (kid.length > 8 ? kid.slice(0, 8) : kid) : 'none';
}

export function formatAge(ms: number): string {
  return ms >= HOUR_MS ? `${(ms / HOUR_MS).toFixed(1)} h` : `${Math.round(ms / MINUTE_MS)} min`;
}
