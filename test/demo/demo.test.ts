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

  it.each(['ES256', 'RS256'] as const)(
    'runs it with an asymmetric key (npm run demo -- --algorithm %s): the standby key announced, then promoted; a verifier with no secret reads the published key set',
    async (algorithm) => {
      // GIVEN / WHEN
      const lines: string[] = [];
      const { figures, ok } = await runDemo((line) => lines.push(line), { algorithm });
      const output = lines.join('\n');

      // THEN the same promises hold
      expect(ok).toBe(true);
      expect(figures.deploy.rotations).toBe(0);
      expect(figures.rotations).toBe(3);
      expect(figures.revocations).toBe(1);
      expect(figures.wronglyRejected).toBe(0);
      expect(figures.acceptedAfterBound).toBe(0);
      expect(figures.acceptedByPreviousKey).toBeGreaterThan(0);
      // AND the secret starts empty: CloudFormation makes no ES256 key, FirstKey does
      expect(output).toContain('cdk deploy: the secret, with no value (CloudFormation cannot make');
      expect(output).toContain(
        `with its standby key ${figures.deploy.standbyKid.slice(0, 8)} (${algorithm})`,
      );
      // AND each rotation announces the next standby key, which the next scheduled one promotes
      const announced = [...output.matchAll(/standby key (\w{8}) announced \(nextKid\)/g)].map(
        (match) => match[1],
      );
      expect(announced).toHaveLength(3);
      expect(output).toContain(`key rotated: AWSCURRENT ${figures.deploy.standbyKid.slice(0, 8)},`);
      expect(output).toContain(`key rotated: AWSCURRENT ${announced[1]!},`);
      expect(output).not.toContain('key initial');

      // AND the verifier with no secret (JwksVerifier on the distribution) judged every token the
      // fleet verified: no valid token refused, no retired or revoked key accepted after max-age
      const jwks = figures.jwks!;
      expect(jwks.verifications).toBe(figures.verifications);
      expect(jwks.wronglyRejected).toBe(0);
      expect(jwks.acceptedAfterBound).toBe(0);
      expect(jwks.expiredAccepted).toBe(0);
      expect(jwks.accepted).toBeGreaterThan(0);
      // AND it refused the revoked key's tokens, by kid, once the set no longer held it
      expect(jwks.rejectedCorrectly.ERR_JWT_UNKNOWN_KID).toBeGreaterThan(0);
      const revoked = /key (\w{8}) retired \(revoked\)/.exec(output)![1]!;
      expect(output).toMatch(
        new RegExp(`jwks +verifier with no secret refuses key ${revoked}: ERR_JWT_UNKNOWN_KID`),
      );
      // AND it accepted the promoted standby key, which the set held from the deploy on
      expect(output).toMatch(
        new RegExp(
          `jwks +published key set: ${figures.deploy.firstKid.slice(0, 8)}, ${figures.deploy.standbyKid.slice(0, 8)}\n`,
        ),
      );
      expect(output).toContain(
        `verifier with no secret accepts key ${figures.deploy.standbyKid.slice(0, 8)}`,
      );
      // AND the summary gives its numbers; it fetched the set through the distribution
      expect(output).toMatch(/verifier with no secret \(JwksVerifier on the published key set/);
      expect(output).toMatch(/ {4}wrongly rejected +0 /);
      expect(output).toMatch(/ {4}accepted after bound 0 /);
      expect(jwks.requests.viewer).toBeGreaterThan(0);
      // (a bound for a hung run on a loaded machine: ~90 s there, ~15 s alone)
    },
    300_000,
  );
});
