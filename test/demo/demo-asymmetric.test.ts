/**
 * `npm run demo -- --algorithm ES256` (and RS256) in CI: the lifecycle with an asymmetric key, the standby
 * key announced and promoted, and a verifier with no secret reading the published key set. Its
 * own file so that it runs beside the HMAC demo on the other jest worker.
 */
import { runDemo } from '../../demo/run-demo';

describe('npm run demo -- --algorithm', () => {
  // ES256 and RS256 (the one API Gateway's JWT authorizer accepts); EdDSA runs the same code and
  // is in the fleet. Each run takes about 8 s since the demo acts densely only around its moments.
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
