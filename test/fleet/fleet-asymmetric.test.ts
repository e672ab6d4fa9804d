/**
 * The fleet with each asymmetric algorithm: a smaller fleet (6 instances, 75 days) with the same
 * traffic as fleet.test.ts (random kids before each rotation, replays, reads across the label
 * move, a revoke), deployed with that algorithm: the FirstKey resource makes the first key and
 * its standby, and every rotation promotes the standby the one before announced.
 */
import { runFleet } from '../../demo/fleet';

import { BASE, MINUTE, report } from './fleet-settings';

describe('fleet simulation with asymmetric keys', () => {
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
});
