/**
 * A scheduled rotation with what the options put around it: random kids a second before, one
 * instance's reads straddling the label move, the new key's first token a second after,
 * verified by every other instance.
 */
import { type LocalAws } from '../../local-aws';
import { type FleetInstance } from '../wiring';

import { type FleetOptions } from './figures';
import { type Referee } from './referee';
import { type Timeline } from './timeline';
import { type FleetTraffic } from './traffic';

export interface ScheduledRotationSettings {
  readonly local: LocalAws;
  readonly secretArn: string;
  readonly instances: readonly FleetInstance[];
  readonly options: FleetOptions;
  readonly traffic: FleetTraffic;
  readonly referee: Referee;
  readonly timeline: Timeline;
}

/** The `index`th scheduled rotation (its schedule is due), run by the local scheduler. */
export async function rotateOnSchedule(
  index: number,
  settings: ScheduledRotationSettings,
): Promise<void> {
  const { local, secretArn, instances, options, traffic } = settings;
  await traffic.beforeRotation();
  if (options.interleaveReads === true) {
    const first = await rotateAcrossRead(local, secretArn, instances, index);
    settings.referee.figures.interleavedReads += 1;
    settings.timeline(
      'traffic',
      `instance ${index % instances.length} read ${first} before the label move and the other stage after it`,
    );
  } else {
    local.runScheduledRotations();
    await local.rotationsSettled();
  }
  await traffic.afterRotation(index);
}

/**
 * A scheduled rotation while one instance refreshes, its two reads held so that one is answered
 * before the label move and the other after it (alternately AWSPREVIOUS and AWSCURRENT first).
 * AWSPREVIOUS answered before the move misses the key just demoted; AWSCURRENT answered before
 * it returns that key twice. Returns the stage read first.
 */
async function rotateAcrossRead(
  local: LocalAws,
  secretArn: string,
  instances: readonly FleetInstance[],
  index: number,
): Promise<string> {
  const reader = instances[index % instances.length]!;
  const first = index % 2 === 0 ? 'AWSPREVIOUS' : 'AWSCURRENT';
  const held = (stage: string) =>
    local.faults.hold({
      operation: 'GetSecretValue',
      when: (input) => input.SecretId === secretArn && input.VersionStage === stage,
    });
  const before = held(first);
  const after = held(first === 'AWSPREVIOUS' ? 'AWSCURRENT' : 'AWSPREVIOUS');
  const refreshing = reader.warmUp();
  await Promise.all([before.arrived, after.arrived]);
  before.release();
  local.runScheduledRotations();
  await local.rotationsSettled();
  after.release();
  await refreshing;
  return first;
}
