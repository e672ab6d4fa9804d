/** The demo's summary: the figures and the two promises checked against them. */
import { type FleetFigures, type JwksFigures } from './fleet';

export function shortDate(at: number): string {
  return new Date(at).toISOString().slice(0, 16).replace('T', ' ');
}

/** Prints the figures; returns whether the promises held. */
export function printSummary(figures: FleetFigures, print: (line: string) => void): boolean {
  const calls = figures.secretsManagerCallsPerInstance;
  print('\nsummary');
  print(`  simulated            ${figures.simulatedDays} days, ${figures.instances} app instances`);
  print(`  rotations            ${figures.rotations} (key rotated events)`);
  print(
    `  retirements          ${figures.retirements} after grace, ${figures.revocations} revoked`,
  );
  print(`  tokens issued        ${figures.tokensIssued}`);
  // What the instances' observer counted, as their metrics would show it.
  const { accepted, refused, refreshes, refreshFailures } = figures.observed;
  const acceptedTotal = Object.values(accepted).reduce((sum, count) => sum + count, 0);
  const refusedTotal = Object.values(refused).reduce((sum, count) => sum + count, 0);
  print(
    `  verifications        ${acceptedTotal + refusedTotal}: ${acceptedTotal} accepted, ` +
      `${accepted.previous} of them by the previous key in its grace period; ${refusedTotal} refused`,
  );
  for (const [code, count] of Object.entries(refused).sort(([a], [b]) => a.localeCompare(b))) {
    print(`    refused            ${count} ${code}`);
  }
  const causes = Object.entries(refreshes)
    .map(([cause, count]) => `${count} ${cause}`)
    .join(', ');
  print(`  key reads            ${causes} (${refreshFailures} failed)`);
  print(`  wrongly rejected     ${figures.wronglyRejected} (valid tokens of live keys; must be 0)`);
  print(`  accepted after bound ${figures.acceptedAfterBound} (retired/revoked keys; must be 0)`);
  print(`  expired accepted     ${figures.expiredAccepted} (must be 0)`);
  print(
    `  Secrets Manager      ${calls.mean.toFixed(0)} calls per instance (min ${calls.min}, max ${calls.max})`,
  );
  print(`  events published     ${figures.events}`);
  const jwksHeld = figures.jwks === undefined || printJwksSummary(figures.jwks, print);
  return (
    figures.wronglyRejected === 0 &&
    figures.acceptedAfterBound === 0 &&
    figures.expiredAccepted === 0 &&
    jwksHeld
  );
}

/** The verifier with no secret: the same promises, with the key set's bound. */
function printJwksSummary(jwks: JwksFigures, print: (line: string) => void): boolean {
  const minutes = jwks.boundMs / 60_000;
  print(`  verifier with no secret (JwksVerifier on the published key set, ${jwks.jwksUrl})`);
  print(`    verifications      ${jwks.verifications}: ${jwks.accepted} accepted`);
  for (const [code, count] of Object.entries(jwks.rejectedCorrectly)) {
    print(`    rejected, rightly  ${count} ${code}`);
  }
  print(`    wrongly rejected   ${jwks.wronglyRejected} (valid tokens of live keys; must be 0)`);
  print(
    `    accepted after bound ${jwks.acceptedAfterBound} (retired/revoked keys, ${minutes} min ` +
      'after they left the set; must be 0)',
  );
  print(`    expired accepted   ${jwks.expiredAccepted} (must be 0)`);
  print(
    `    key set requests   ${jwks.requests.viewer} to the distribution, ` +
      `${jwks.requests.origin} read from the bucket`,
  );
  return jwks.wronglyRejected === 0 && jwks.acceptedAfterBound === 0 && jwks.expiredAccepted === 0;
}
