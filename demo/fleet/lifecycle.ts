/**
 * The key lifecycle the fleet follows, as the rotation events report it (rotations,
 * retirements, the revoke), and the moments around which its effects show: the last rotation,
 * its grace end, the next scheduled rotation and the revoke.
 */
import { runCli } from '../../cli/run-cli';
import { type DeliveredEvent, type LocalAws } from '../../local-aws';
import { KEY_RETIRED, KEY_ROTATED, parseRotationEvent } from '../../rotation-events';

import { type FleetClock, short, type Timeline } from './timeline';

export interface LifecycleSettings {
  readonly clock: FleetClock;
  readonly timeline: Timeline;
  /** The previous key's grace the rotation function is configured with. */
  readonly gracePeriodSeconds: number;
  /** When the emergency revoke comes, if any. */
  readonly revokeAt: number | undefined;
  /** Called after each rotation and retirement (the published key set changed). */
  readonly onKeySetChange: () => void;
}

export class KeyLifecycle {
  rotations = 0;
  retirements = 0;
  revocations = 0;
  private lastRotationAt: number;
  private revokeDone = false;
  private readonly retiredAt = new Map<string, number>();
  private readonly revokedAt = new Map<string, number>();

  constructor(private readonly settings: LifecycleSettings) {
    this.lastRotationAt = settings.clock.now;
  }

  /** Follows one delivered event (every event goes through here). */
  observe(event: DeliveredEvent): void {
    const { clock, timeline } = this.settings;
    const parsed = parseRotationEvent(event);
    if (parsed?.detailType === KEY_ROTATED) {
      const { current, previous, previousGraceEndsAt, next } = parsed.detail;
      this.rotations += 1;
      this.lastRotationAt = clock.now;
      timeline(
        'rotated',
        `key rotated: AWSCURRENT ${short(current.kid)}, AWSPREVIOUS ${short(previous?.kid)} ` +
          `verifies until ${previousGraceEndsAt ?? 'its label is removed'}; standby key ` +
          `${short(next?.kid)} announced (nextKid)`,
      );
      this.settings.onKeySetChange();
    } else if (parsed?.detailType === KEY_RETIRED) {
      const { retired, reason } = parsed.detail;
      if (reason === 'revoked') {
        this.revocations += 1;
        this.revokedAt.set(retired.kid, clock.now);
      } else {
        this.retirements += 1;
        this.retiredAt.set(retired.kid, clock.now);
      }
      timeline('retired', `key ${short(retired.kid)} retired (${reason})`);
      this.settings.onKeySetChange();
    }
  }

  /** When the key stopped being valid (revoked, else retired), if it has. */
  endedAt(kid: string): number | undefined {
    return this.revokedAt.get(kid) ?? this.retiredAt.get(kid);
  }

  isRevoked(kid: string): boolean {
    return this.revokedAt.has(kid);
  }

  hasEnded(kid: string): boolean {
    return this.revokedAt.has(kid) || this.retiredAt.has(kid);
  }

  /** The moments whose effects instances must watch closely (the next rotation as described). */
  moments(nextRotationAt: number | undefined): number[] {
    return [
      this.lastRotationAt,
      this.lastRotationAt + this.settings.gracePeriodSeconds * 1000,
      nextRotationAt,
      this.settings.revokeAt,
    ].filter((moment): moment is number => moment !== undefined);
  }

  /** Runs the emergency revoke (jwt-keys revoke-previous) once its day has come. */
  async revokeIfDue(local: LocalAws, secretArn: string): Promise<void> {
    const { revokeAt, clock, timeline } = this.settings;
    if (revokeAt === undefined || this.revokeDone || clock.now < revokeAt) return;
    this.revokeDone = true;
    timeline('revoke', 'emergency: jwt-keys revoke-previous (a key leaked)');
    await revokeWithCli(local, secretArn, clock.read, (line) => timeline('revoke', line));
  }
}

async function revokeWithCli(
  local: LocalAws,
  secretArn: string,
  clock: () => number,
  log: (line: string) => void,
): Promise<void> {
  const output: string[] = [];
  const code = await runCli(
    ['revoke-previous', secretArn, '--endpoint', local.endpoint, '--region', 'us-east-1'],
    {
      stdout: (text) => output.push(text),
      stderr: (text) => log(text),
      clientConfig: { credentials: local.clientConfig().credentials },
      now: clock,
      sleep: () => local.rotationsSettled(),
    },
  );
  for (const line of output) log(line);
  if (code !== 0) throw new Error(`jwt-keys revoke-previous exited ${code}`);
}
