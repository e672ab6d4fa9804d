/**
 * `npm run demo` in CI: the same run, its printed summary asserted. At least two scheduled
 * rotations, a retirement after grace and an emergency revoke, with no valid token refused and
 * no token of a retired or revoked key accepted.
 */
import { runDemo } from '../../demo/run-demo';

describe('npm run demo', () => {
  it('runs the lifecycle and prints a summary whose promises hold', async () => {
    // GIVEN / WHEN
    const lines: string[] = [];
    const { figures, ok } = await runDemo((line) => lines.push(line));
    const output = lines.join('\n');

    // THEN the lifecycle happened: deploy rotation + 2 scheduled + the revoke's rotation
    expect(ok).toBe(true);
    expect(figures.rotations).toBe(4);
    expect(figures.retirements).toBeGreaterThanOrEqual(2);
    expect(figures.revocations).toBe(1);
    expect(figures.wronglyRejected).toBe(0);
    expect(figures.acceptedAfterBound).toBe(0);
    expect(figures.expiredAccepted).toBe(0);
    expect(figures.acceptedByPreviousKey).toBeGreaterThan(0);
    expect(figures.rejectedCorrectly.ERR_JWT_UNKNOWN_KID).toBeGreaterThan(0);

    // AND the timeline and summary say so
    expect(output).toMatch(/deploy {3}cdk deploy/);
    expect(output.match(/rotated {2}key rotated/g)).toHaveLength(4);
    expect(output).toMatch(/retired \(grace-period-ended\)/);
    expect(output).toMatch(/retired \(revoked\)/);
    expect(output).toContain('still verifies (AWSPREVIOUS, in grace)');
    expect(output).toMatch(/wrongly rejected +0 /);
    expect(output).toMatch(/accepted after bound 0 /);
    // A bound for a hung run, not a speed check: the demo takes ~10 s on CI's 2 cores.
  }, 120_000);
});
