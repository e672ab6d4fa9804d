/**
 * The fleet the fleet tests share: its traffic (random kids, replays, reads across each label
 * move, a revoke) and the line each run prints. FLEET_LARGE=1 makes it bigger and longer.
 */
import { type FleetFigures, type FleetOptions } from '../../demo/fleet';

const LARGE = process.env.FLEET_LARGE === '1';
export const MINUTE = 60_000;

export const BASE: FleetOptions = {
  instances: LARGE ? 50 : 20,
  days: LARGE ? 400 : 105,
  rotationDays: 30,
  // 30-minute tokens, a 10-minute cache, 60 s skew: the grace must be >= 41 minutes.
  gracePeriodSeconds: 2 * 3600,
  tokenLifetimeSeconds: 30 * 60,
  cacheTtlMs: 10 * MINUTE,
  clockToleranceSeconds: 60,
  denseStepMs: (LARGE ? 2 : 5) * MINUTE,
  sparseStepMs: 48 * 60 * MINUTE,
  verificationsPerStep: 2,
  revokeAtDay: 100,
  junkKidRate: 0.2,
  junkBeforeRotations: true,
  replayRate: 0.25,
  interleaveReads: true,
};

export function report(name: string, figures: FleetFigures): void {
  const calls = figures.secretsManagerCallsPerInstance;
  console.log(
    `${name}: ${figures.instances} instances, ${figures.simulatedDays} days, ${figures.rotations} rotations, ` +
      `${figures.retirements} retirements, ${figures.revocations} revokes; ${figures.tokensIssued} tokens issued, ` +
      `${figures.verifications} verifications, ${figures.wronglyRejected} wrongly rejected, ` +
      `${figures.acceptedAfterBound} accepted after the bound; Secrets Manager calls per instance ` +
      `${calls.mean.toFixed(1)} (min ${calls.min}, max ${calls.max}); rightly refused ${JSON.stringify(figures.rejectedCorrectly)}; ` +
      `wrongly refused ${JSON.stringify(figures.wronglyRejectedByCode)}; ${figures.junkVerified} random kids (${figures.junkAccepted} accepted); ` +
      `new key right after a rotation: ${figures.newKeyRightAfterRotation.verified} verified, ${figures.newKeyRightAfterRotation.refused} refused; ` +
      `${figures.replaysVerified} replays of ended keys (${figures.replaysAcceptedAfterBound} accepted after the bound); ` +
      `${figures.interleavedReads} reads across a label move`,
  );
}
