/**
 * A fleet of 20 application instances across 3 scheduled rotations, retirements and an
 * emergency revoke, each instance a JwtKeyRing with its own cache phase, on the local endpoint
 * with an accelerated clock, among tokens with random kids (one per instance a second before
 * each rotation), replays of long-lived tokens of retired and revoked keys, and an instance
 * whose reads straddle each rotation's label move. The figures: no valid token refused when
 * grace >= token lifetime + cache period + skew; no token of a retired or revoked key accepted
 * after the cache bound; and a negative control where the grace is too short, which must show
 * refusals. FLEET_LARGE=1 runs a bigger fleet for longer. The same traffic with each
 * asymmetric algorithm is fleet-asymmetric.test.ts (its own file: the two run side by side).
 */
import { runFleet } from '../../demo/fleet';

import { BASE, report } from './fleet-settings';

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
