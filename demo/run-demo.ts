/**
 * The demo as a function, so CI runs exactly what `npm run demo` shows and asserts its summary.
 */
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
  sparseStepMs: 12 * 3600_000,
  verificationsPerStep: 3,
  revokeAtDay: 120,
  pushEvents: true,
};

export async function runDemo(
  print: (line: string) => void,
): Promise<{ figures: FleetFigures; ok: boolean }> {
  print('rotating-jwt-keys demo: 3 app instances, HS256, rotation every 90 days, 24 h grace,');
  print('15-minute tokens, 5-minute key cache, an emergency revoke on day 120; simulated clock.\n');
  const figures = await runFleet({
    ...DEMO_SETTINGS,
    onTimeline: (entry) => print(`${shortDate(entry.at)}  ${entry.kind.padEnd(7)}  ${entry.text}`),
  });
  const ok = printSummary(figures, print);
  return { figures, ok };
}
