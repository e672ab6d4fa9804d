/**
 * A fleet of 20 application instances across 3 scheduled rotations, retirements and an
 * emergency revoke, each instance a JwtKeyRing with its own cache phase, on the local endpoint
 * with an accelerated clock, among tokens with random kids (one per instance a second before
 * each rotation), replays of long-lived tokens of retired and revoked keys, and an instance
 * whose reads straddle each rotation's label move. The figures: no valid token refused when
 * grace >= token lifetime + cache period + skew; no token of a retired or revoked key accepted
 * after the cache bound; and a negative control where the grace is too short, which must show
 * refusals. FLEET_LARGE=1 runs a bigger fleet for longer.
 */
import { type FleetFigures, type FleetOptions, runFleet } from '../../demo/fleet';

const LARGE = process.env.FLEET_LARGE === '1';
const MINUTE = 60_000;

const BASE: FleetOptions = {
  instances: LARGE ? 50 : 20,
  days: LARGE ? 400 : 105,
  rotationDays: 30,
  // 30-minute tokens, a 10-minute cache, 60 s skew: the grace must be >= 41 minutes.
  gracePeriodSeconds: 2 * 3600,
  tokenLifetimeSeconds: 30 * 60,
  cacheTtlMs: 10 * MINUTE,
  clockToleranceSeconds: 60,
  denseStepMs: (LARGE ? 2 : 5) * MINUTE,
  sparseStepMs: 24 * 60 * MINUTE,
  verificationsPerStep: 2,
  revokeAtDay: 100,
  junkKidRate: 0.2,
  junkBeforeRotations: true,
  replayRate: 0.25,
  interleaveReads: true,
};

function report(name: string, figures: FleetFigures): void {
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

describe('fleet simulation', () => {
  it('breaks no valid token and accepts no retired or revoked key past the bound', async () => {
    // GIVEN / WHEN
    const figures = await runFleet(BASE);
    report('fleet', figures);

    // THEN the lifecycle happened: the deploy (its first key and standby, no rotation), 3
    // scheduled rotations and the revoke's rotation
    expect(figures.instances).toBeGreaterThanOrEqual(20);
    expect(figures.deploy.rotations).toBe(0);
    expect(figures.rotations).toBeGreaterThanOrEqual(4);
    expect(figures.retirements).toBeGreaterThanOrEqual(1);
    expect(figures.revocations).toBe(1);
    // AND the promises held. The new key's first tokens, a second after a random kid spent
    // each instance's unknown-kid budget, verify only because the current key document names
    // the new key (nextKid, written by the rotation with its standby key): read at once.
    expect(figures.newKeyRightAfterRotation.refused).toBe(0);
    // AND so for the first scheduled rotation too, which promotes the standby the deploy made:
    // the first key the FirstKey resource wrote names it
    const [first] = figures.newKeyRightAfterRotation.byRotation;
    expect(first).toEqual({
      kid: figures.deploy.standbyKid,
      verified: figures.instances - 1,
      refused: 0,
    });
    expect(figures.wronglyRejected).toBe(0);
    expect(figures.acceptedAfterBound).toBe(0);
    expect(figures.expiredAccepted).toBe(0);
    expect(figures.junkAccepted).toBe(0);
    expect(figures.replaysAcceptedAfterBound).toBe(0);
    // AND the measurement saw what it must judge: tokens of the previous key, refusals, random
    // kids, the new key's first tokens, replays of ended keys and reads across a label move
    expect(figures.acceptedByPreviousKey).toBeGreaterThan(0);
    expect(figures.rejectedCorrectly.ERR_JWT_EXPIRED).toBeGreaterThan(0);
    expect(figures.junkVerified).toBeGreaterThan(figures.instances * figures.rotations);
    expect(figures.newKeyRightAfterRotation.verified).toBeGreaterThan(0);
    expect(figures.replaysVerified).toBeGreaterThan(0);
    expect(figures.interleavedReads).toBeGreaterThanOrEqual(3);
    // AND keys were read rarely: about one refresh (2 calls) per cache period of activity
    expect(figures.secretsManagerCallsPerInstance.max).toBeLessThan(
      (figures.tokensIssued / figures.instances) * 3,
    );
  }, 600_000);

  // A smaller fleet per asymmetric algorithm (the same traffic: random kids before each
  // rotation, replays, reads across the label move, a revoke), so CI stays within its time.
  it.each(['ES256', 'EdDSA', 'RS256'] as const)(
    'with %s keys: breaks no valid token and accepts no ended key past the bound',
    async (algorithm) => {
      // GIVEN / WHEN
      const deployLines: string[] = [];
      const figures = await runFleet({
        ...BASE,
        algorithm,
        onTimeline: (entry) => {
          if (entry.kind === 'deploy') deployLines.push(entry.text);
        },
        instances: 6,
        days: 75,
        revokeAtDay: 70,
        denseStepMs: 10 * MINUTE,
      });
      report(`fleet ${algorithm}`, figures);

      // THEN the stack was deployed with that algorithm (the traffic is seeded, so the figures
      // match across algorithms: the keys are what differs)
      expect(deployLines.join('\n')).toContain(`(${algorithm})`);
      // AND the deploy's standby and every rotation's: the new key verifies at once
      expect(figures.rotations).toBeGreaterThanOrEqual(3);
      expect(figures.revocations).toBe(1);
      expect(figures.newKeyRightAfterRotation.byRotation[0]).toEqual({
        kid: figures.deploy.standbyKid,
        verified: figures.instances - 1,
        refused: 0,
      });
      expect(figures.newKeyRightAfterRotation.refused).toBe(0);
      expect(figures.wronglyRejected).toBe(0);
      expect(figures.acceptedAfterBound).toBe(0);
      expect(figures.expiredAccepted).toBe(0);
      expect(figures.junkAccepted).toBe(0);
      expect(figures.replaysAcceptedAfterBound).toBe(0);
      expect(figures.acceptedByPreviousKey).toBeGreaterThan(0);
    },
    600_000,
  );

  it('negative control: with a grace shorter than the token lifetime, valid tokens are refused', async () => {
    // GIVEN a 10-minute grace for 30-minute tokens
    const figures = await runFleet({
      ...BASE,
      instances: 5,
      days: 65,
      revokeAtDay: undefined,
      gracePeriodSeconds: 600,
    });
    report('negative control', figures);

    // THEN the measurement can fail: tokens signed before a rotation break before they expire
    expect(figures.wronglyRejected).toBeGreaterThan(0);
    expect(Object.keys(figures.wronglyRejectedByCode)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ERR_JWT_PREVIOUS_KEY_EXPIRED|ERR_JWT_UNKNOWN_KID/),
      ]),
    );
  }, 600_000);
});
