/**
 * The referee: judges each verdict on a fleet token against what the system promises, and
 * keeps the tally.
 * - a token that is unexpired and whose key was neither retired nor revoked must verify
 *   (otherwise: wrongly rejected);
 * - a token whose key was retired or revoked must be refused once applications can know it,
 *   that is one cache period after the retirement (otherwise: accepted after the bound);
 * - an expired token must be refused.
 * The verifier with no secret (JWKS) is judged the same way, with the key set's max-age as
 * its bound.
 */
import { type JwksObserver } from '../published-key-set';
import { type FleetInstance } from '../wiring';

import { type KeyLifecycle } from './lifecycle';
import { type FleetClock, formatAge, short, type Timeline } from './timeline';

export interface IssuedToken {
  readonly token: string;
  readonly kid: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export interface RefereeSettings {
  readonly clock: FleetClock;
  readonly lifecycle: KeyLifecycle;
  readonly timeline: Timeline;
  readonly toleranceMs: number;
  /** How long after a key ended an instance may still accept it. */
  readonly cacheTtlMs: number;
  /** The verifier with no secret, and how long after a key left the set it may accept it. */
  readonly keySet?: { readonly observer: JwksObserver; readonly boundMs: number };
}

/** The instances' tally, as FleetFigures reports it. */
export function emptyTally() {
  return {
    tokensIssued: 0,
    verifications: 0,
    accepted: 0,
    acceptedByPreviousKey: 0,
    rejectedCorrectly: {} as Record<string, number>,
    wronglyRejected: 0,
    wronglyRejectedByCode: {} as Record<string, number>,
    acceptedAfterBound: 0,
    expiredAccepted: 0,
    junkVerified: 0,
    junkAccepted: 0,
    newKeyRightAfterRotation: {
      verified: 0,
      refused: 0,
      byRotation: [] as { kid: string; verified: number; refused: number }[],
    },
    replaysVerified: 0,
    replaysAcceptedAfterBound: 0,
    interleavedReads: 0,
  };
}

export class Referee {
  readonly figures = emptyTally();
  /** The verifier with no secret's tally (JwksFigures without its key set's own numbers). */
  readonly jwks = {
    verifications: 0,
    accepted: 0,
    rejectedCorrectly: {} as Record<string, number>,
    wronglyRejected: 0,
    acceptedAfterBound: 0,
    expiredAccepted: 0,
  };
  /** What the timeline already told, so each kind of verdict is told once per key. */
  private readonly reported = new Set<string>();

  constructor(private readonly settings: RefereeSettings) {}

  /** Verifies a token of the fleet and judges the verdict; true when it was accepted. */
  async judge(instance: FleetInstance, sample: IssuedToken): Promise<boolean> {
    const { clock, lifecycle, toleranceMs } = this.settings;
    const figures = this.figures;
    await this.judgeByKeySet(sample);
    const verdict = await instance.verify(sample.token);
    const now = clock.now;
    figures.verifications += 1;
    const endedAt = lifecycle.endedAt(sample.kid);
    const expired = now > sample.expiresAt + toleranceMs;
    const keyGone = endedAt !== undefined && now > endedAt + this.settings.cacheTtlMs;
    if (verdict.accepted) {
      figures.accepted += 1;
      if (verdict.stage === 'AWSPREVIOUS') {
        figures.acceptedByPreviousKey += 1;
        this.tellOnce(
          `previous:${sample.kid}`,
          'verdict',
          `a token signed ${formatAge(now - sample.issuedAt)} ago by key ${short(sample.kid)}, ` +
            'before the rotation, still verifies (AWSPREVIOUS, in grace)',
        );
      }
      if (expired) figures.expiredAccepted += 1;
      if (keyGone) figures.acceptedAfterBound += 1;
      return true;
    }
    const code = verdict.code;
    // Only a revoke may cut a token short: a key retired by the schedule while its tokens
    // were unexpired broke them (the grace was too short), and that counts as wrong.
    const live = this.isLive(sample);
    if (live) {
      figures.wronglyRejected += 1;
      figures.wronglyRejectedByCode[code] = (figures.wronglyRejectedByCode[code] ?? 0) + 1;
    } else {
      figures.rejectedCorrectly[code] = (figures.rejectedCorrectly[code] ?? 0) + 1;
    }
    if (code !== 'ERR_JWT_EXPIRED') {
      this.tellOnce(
        `${code}:${sample.kid}:${live}`,
        'verdict',
        `${live ? 'WRONGLY ' : ''}rejected a token of key ${short(sample.kid)} ` +
          `issued ${formatAge(now - sample.issuedAt)} ago: ${code}`,
      );
    }
    return false;
  }

  /** A token with a random kid, verified by an instance: it must be refused. */
  async judgeJunk(instance: FleetInstance, token: string): Promise<void> {
    const verdict = await instance.verify(token);
    this.figures.junkVerified += 1;
    if (verdict.accepted) this.figures.junkAccepted += 1;
  }

  /** A replayed long-lived token of a key that ended: refused one cache period after. */
  async judgeReplay(instance: FleetInstance, kid: string, token: string): Promise<void> {
    const endedAt = this.settings.lifecycle.endedAt(kid)!;
    const verdict = await instance.verify(token);
    this.figures.replaysVerified += 1;
    if (verdict.accepted && this.settings.clock.now > endedAt + this.settings.cacheTtlMs) {
      this.figures.replaysAcceptedAfterBound += 1;
      this.figures.acceptedAfterBound += 1;
    }
  }

  /**
   * The same token through the verifier with no secret: it must accept what is valid, and
   * refuse a key that left the published set once max-age has run out.
   */
  private async judgeByKeySet(sample: IssuedToken): Promise<void> {
    const keySet = this.settings.keySet;
    if (keySet === undefined) return;
    const { clock, lifecycle, toleranceMs } = this.settings;
    const jwks = this.jwks;
    const verdict = await keySet.observer.verify(sample.token);
    const now = clock.now;
    jwks.verifications += 1;
    const endedAt = lifecycle.endedAt(sample.kid);
    const keyGone = endedAt !== undefined && now > endedAt + keySet.boundMs;
    if (verdict.accepted) {
      jwks.accepted += 1;
      if (now > sample.expiresAt + toleranceMs) jwks.expiredAccepted += 1;
      if (keyGone) jwks.acceptedAfterBound += 1;
      this.tellOnce(
        `jwks-accepted:${sample.kid}`,
        'jwks',
        `verifier with no secret accepts key ${short(sample.kid)} (published key set)`,
      );
      return;
    }
    const live = this.isLive(sample);
    if (live) jwks.wronglyRejected += 1;
    else jwks.rejectedCorrectly[verdict.code] = (jwks.rejectedCorrectly[verdict.code] ?? 0) + 1;
    if (verdict.code !== 'ERR_JWT_EXPIRED') {
      const ended =
        endedAt === undefined ? '' : `, ${formatAge(now - endedAt)} after it left the key set`;
      this.tellOnce(
        `jwks-refused:${verdict.code}:${sample.kid}:${live}`,
        'jwks',
        `verifier with no secret ${live ? 'WRONGLY ' : ''}refuses key ${short(sample.kid)}: ` +
          `${verdict.code}${ended}`,
      );
    }
  }

  /** Unexpired (beyond the tolerance) and its key not revoked: it must verify. */
  private isLive(sample: IssuedToken): boolean {
    return (
      !this.settings.lifecycle.isRevoked(sample.kid) &&
      this.settings.clock.now < sample.expiresAt - this.settings.toleranceMs
    );
  }

  private tellOnce(key: string, kind: 'verdict' | 'jwks', text: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.settings.timeline(kind, text);
  }
}
