/**
 * `npm run demo` in CI: the same run, its printed summary asserted. The deploy as the stack does
 * it (the template's key, the first key with its standby from the FirstKey custom resource, the
 * schedule created without rotating), at least two scheduled rotations, a retirement after grace
 * and an emergency revoke, with no valid token refused and no token of a retired or revoked key
 * accepted.
 */
import { runDemo } from '../../demo/run-demo';

describe('npm run demo', () => {
  it('runs the lifecycle and prints a summary whose promises hold', async () => {
    // GIVEN / WHEN
    const lines: string[] = [];
    const { figures, ok } = await runDemo((line) => lines.push(line));
    const output = lines.join('\n');

    // THEN the lifecycle happened: the deploy rotates nothing; 2 scheduled + the revoke's rotation
    expect(ok).toBe(true);
    expect(figures.deploy.rotations).toBe(0);
    expect(figures.rotations).toBe(3);
    expect(figures.retirements).toBeGreaterThanOrEqual(2);
    expect(figures.revocations).toBe(1);
    expect(figures.wronglyRejected).toBe(0);
    expect(figures.acceptedAfterBound).toBe(0);
    expect(figures.expiredAccepted).toBe(0);
    expect(figures.acceptedByPreviousKey).toBeGreaterThan(0);
    expect(figures.rejectedCorrectly.ERR_JWT_UNKNOWN_KID).toBeGreaterThan(0);

    // AND the timeline and summary say so
    expect(output).toMatch(/deploy {3}cdk deploy: the secret, with the template's generated key/);
    expect(output).toContain(
      `FirstKey custom resource (Create): first key ${figures.deploy.firstKid.slice(0, 8)} made ` +
        `at deploy with its standby key ${figures.deploy.standbyKid.slice(0, 8)}`,
    );
    expect(output).toMatch(/rotation schedule every 90 days, created without rotating/);
    // AND the first scheduled rotation promoted the standby key the deploy made
    expect(output).toContain(`key rotated: AWSCURRENT ${figures.deploy.standbyKid.slice(0, 8)},`);
    expect(output).toMatch(/key initial retired \(grace-period-ended\)/);
    expect(output.match(/rotated {2}key rotated/g)).toHaveLength(3);
    expect(output).toMatch(/retired \(grace-period-ended\)/);
    expect(output).toMatch(/retired \(revoked\)/);
    expect(output).toContain('still verifies (AWSPREVIOUS, in grace)');
    expect(output).toMatch(/wrongly rejected +0 /);
    expect(output).toMatch(/accepted after bound 0 /);

    // AND the summary's verification counts come from the instances' observer, which saw every
    // verification the fleet judged (the demo verifies no junk or replayed tokens), by stage
    // and by code, and every read of the keys with its cause
    const { observed } = figures;
    const total = (counts: Readonly<Record<string, number | undefined>>): number =>
      Object.values(counts).reduce<number>((sum, count) => sum + (count ?? 0), 0);
    expect(total(observed.accepted)).toBe(figures.accepted);
    expect(observed.accepted.previous).toBe(figures.acceptedByPreviousKey);
    const judgedRefusals: Record<string, number> = { ...figures.rejectedCorrectly };
    for (const [code, count] of Object.entries(figures.wronglyRejectedByCode)) {
      judgedRefusals[code] = (judgedRefusals[code] ?? 0) + count;
    }
    expect(observed.refused).toEqual(judgedRefusals);
    expect(output).toContain(
      `verifications        ${figures.verifications}: ${figures.accepted} accepted, ` +
        `${figures.acceptedByPreviousKey} of them by the previous key in its grace period; ` +
        `${total(observed.refused)} refused`,
    );
    expect(observed.refreshes).toMatchObject({
      manual: figures.instances,
      ttl: expect.any(Number) as unknown,
      event: expect.any(Number) as unknown,
    });
    expect(output).toMatch(/key reads +3 manual, \d+ ttl, \d+ event/);
    // AND an HMAC key publishes nothing: no verifier without the secret
    expect(figures.jwks).toBeUndefined();
    expect(output).not.toContain('verifier with no secret');
    // A bound for a hung run, not a speed check: the demo takes ~10 s on CI's 2 cores.
  }, 300_000);
});
