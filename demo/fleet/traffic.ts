/**
 * The fleet's traffic: at each step every instance signs a token and verifies recent ones,
 * with what the options add (tokens with random kids, replays of long-lived tokens of ended
 * keys); around each scheduled rotation, a random kid a second before and the new key's
 * first token a second after, verified by every other instance.
 */
import { randomUUID } from 'node:crypto';

import { type FleetInstance } from '../wiring';

import { type FleetOptions } from './figures';
import { type KeyLifecycle } from './lifecycle';
import { type IssuedToken, type Referee } from './referee';
import { type FleetClock } from './timeline';

/** How long replayed tokens live: past any grace period the fleet runs. */
const REPLAY_LIFETIME_SECONDS = 3 * 24 * 3600;
/** How long before a rotation the random kid comes, and after it the new key's token. */
const AROUND_ROTATION_MS = 1000;

export interface TrafficSettings {
  readonly clock: FleetClock;
  readonly options: FleetOptions;
  readonly lifecycle: KeyLifecycle;
  readonly referee: Referee;
  readonly instances: readonly FleetInstance[];
}

export class FleetTraffic {
  private readonly issued: IssuedToken[] = [];
  /** One long-lived token per key, for replays once the key has ended. */
  private readonly replays = new Map<string, string>();
  private readonly random: () => number;

  constructor(private readonly settings: TrafficSettings) {
    this.random = seededRandom(settings.options.seed ?? 1);
  }

  /** One step: every instance signs, verifies recent tokens, and meets what the options add. */
  async step(): Promise<void> {
    const { options, referee, instances } = this.settings;
    const window = options.tokenLifetimeSeconds * 1000 * 2;
    for (const instance of instances) {
      const token = await this.sign(instance);
      if ((options.replayRate ?? 0) > 0 && !this.replays.has(token.kid)) {
        this.replays.set(token.kid, (await instance.sign(REPLAY_LIFETIME_SECONDS)).token);
      }
      for (let check = 0; check < options.verificationsPerStep; check += 1) {
        const sample = pickRecent(this.issued, this.random, this.settings.clock.now, window);
        if (sample === undefined) continue;
        await referee.judge(instance, sample);
      }
      if (this.random() < (options.junkKidRate ?? 0)) await this.verifyJunk(instance);
      if (this.random() < (options.replayRate ?? 0)) await this.verifyReplay(instance);
    }
    trimIssued(this.issued, this.settings.clock.now, window);
  }

  /** A second before a scheduled rotation, every instance meets a random kid. */
  async beforeRotation(): Promise<void> {
    if (this.settings.options.junkBeforeRotations !== true) return;
    for (const instance of this.settings.instances) await this.verifyJunk(instance);
    this.settings.clock.now += AROUND_ROTATION_MS;
  }

  /** A second after it, one instance signs with the new key and every other one verifies. */
  async afterRotation(index: number): Promise<void> {
    if (this.settings.options.junkBeforeRotations !== true) return;
    const { clock, instances, referee } = this.settings;
    clock.now += AROUND_ROTATION_MS;
    const signer = instances[(index + 1) % instances.length]!;
    await signer.warmUp();
    const sample = await this.sign(signer);
    const newKey = referee.figures.newKeyRightAfterRotation;
    const counts = { kid: sample.kid, verified: 0, refused: 0 };
    newKey.byRotation.push(counts);
    for (const instance of instances) {
      if (instance === signer) continue;
      newKey.verified += 1;
      counts.verified += 1;
      if (!(await referee.judge(instance, sample))) {
        newKey.refused += 1;
        counts.refused += 1;
      }
    }
  }

  /** A token the instance signs now, remembered for the others to verify. */
  private async sign(instance: FleetInstance): Promise<IssuedToken> {
    const { clock, options, referee } = this.settings;
    const token = await instance.sign(options.tokenLifetimeSeconds);
    const sample = {
      ...token,
      issuedAt: clock.now,
      expiresAt: clock.now + options.tokenLifetimeSeconds * 1000,
    };
    this.issued.push(sample);
    referee.figures.tokensIssued += 1;
    return sample;
  }

  /** A fleet token with its kid replaced by a random one: it must be refused. */
  private async verifyJunk(instance: FleetInstance): Promise<void> {
    const sample = this.issued[this.issued.length - 1];
    if (sample === undefined) return;
    await this.settings.referee.judgeJunk(instance, withKid(sample.token, `junk-${randomUUID()}`));
  }

  /** One replayed long-lived token of a retired or revoked key, in turn. */
  private async verifyReplay(instance: FleetInstance): Promise<void> {
    const ended = [...this.replays].filter(([kid]) => this.settings.lifecycle.hasEnded(kid));
    if (ended.length === 0) return;
    const [kid, token] = ended[Math.floor(this.random() * ended.length)]!;
    await this.settings.referee.judgeReplay(instance, kid, token);
  }
}

/** The token with another kid in its header (the signature no longer matters). */
function withKid(token: string, kid: string): string {
  const [header = '', ...rest] = token.split('.');
  const decoded = Buffer.from(header, 'base64url').toString();
  const fields = JSON.parse(decoded) as Record<string, unknown>;
  const replaced = Buffer.from(JSON.stringify({ ...fields, kid })).toString('base64url');
  return [replaced, ...rest].join('.');
}

function pickRecent(
  issued: readonly IssuedToken[],
  random: () => number,
  now: number,
  window: number,
): IssuedToken | undefined {
  if (issued.length === 0) return undefined;
  const candidate = issued[Math.floor(random() * issued.length)]!;
  return now - candidate.issuedAt <= window ? candidate : issued[issued.length - 1];
}

function trimIssued(issued: IssuedToken[], now: number, window: number): void {
  let drop = 0;
  while (drop < issued.length && now - issued[drop]!.issuedAt > window) drop += 1;
  if (drop > 0) issued.splice(0, drop);
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}
