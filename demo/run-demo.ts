/**
 * The demo as a function, so CI runs exactly what `npm run demo` shows and asserts its summary.
 */
import { type JwtAlgorithm } from '../key-document';

import { type FleetFigures, type FleetOptions, runFleet } from './fleet';
import { printSummary, shortDate } from './report';

export const DEMO_SETTINGS: FleetOptions = {
  instances: 3,
  days: 240,
  rotationDays: 90,
  gracePeriodSeconds: 24 * 3600,
  tokenLifetimeSeconds: 15 * 60,
  cacheTtlMs: 5 * 60_000,
  denseStepMs: 10 * 60_000,
  sparseStepMs: 48 * 3600_000,
  verificationsPerStep: 3,
  revokeAtDay: 120,
  pushEvents: true,
};

export async function runDemo(
  print: (line: string) => void,
  options: { readonly algorithm?: JwtAlgorithm } = {},
): Promise<{ figures: FleetFigures; ok: boolean }> {
  const algorithm = options.algorithm ?? 'HS256';
  print(
    `rotating-jwt-keys demo: 3 app instances, ${algorithm}, rotation every 90 days, 24 h grace,`,
  );
  print('15-minute tokens, 5-minute key cache, an emergency revoke on day 120; simulated clock.\n');
  const figures = await runFleet({
    ...DEMO_SETTINGS,
    algorithm,
    onTimeline: (entry) => print(`${shortDate(entry.at)}  ${entry.kind.padEnd(7)}  ${entry.text}`),
  });
  const ok = printSummary(figures, print);
  return { figures, ok };
}
