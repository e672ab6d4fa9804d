/** The benchmark's results as text: one table per mode, then the Lambda and the targets. */
import { type Measurement } from './harness';
import { type BenchResults } from './run-bench';

function microseconds(ns: number): string {
  return (ns / 1000).toFixed(2);
}

function kilobytes(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

function pad(text: string, width: number, alignRight = false): string {
  return alignRight ? text.padStart(width) : text.padEnd(width);
}

function caseRows(cases: readonly Measurement[]): string[] {
  const header = `${pad('case', 34)} ${pad('median µs', 10, true)} ${pad('min–max µs', 16, true)} ${pad('spread', 7, true)} ${pad('× floor', 8, true)} ${pad('(min–max)', 12, true)}`;
  return [
    header,
    '-'.repeat(header.length),
    ...cases.map(
      (result) =>
        `${pad(result.name, 34)} ${pad(microseconds(result.medianNs), 10, true)} ` +
        `${pad(`${microseconds(result.minNs)}–${microseconds(result.maxNs)}`, 16, true)} ` +
        `${pad(`${(result.spread * 100).toFixed(0)}%`, 7, true)} ` +
        `${pad(result.ratioToBaseline.toFixed(2), 8, true)} ` +
        `${pad(`${result.ratioRange[0].toFixed(2)}–${result.ratioRange[1].toFixed(2)}`, 12, true)}`,
    ),
  ];
}

export function formatBench(results: BenchResults): string {
  const { machine, settings } = results;
  const lines = [
    `Node ${machine.node} on ${machine.platform}, ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB)`,
    `${settings.rounds} rounds of about ${settings.batchMs} ms per case; in flight: ${settings.inFlight} calls at once`,
    '× floor: median over rounds of the case / a floor batch timed right before or after it',
  ];
  for (const mode of ['sequential', 'in-flight'] as const) {
    lines.push('', `${mode}:`, ...caseRows(results.cases.filter((result) => result.mode === mode)));
  }
  lines.push(
    '',
    `Secrets Manager calls per JwtKeyRing verification after warm-up: ${results.secretsManagerCallsPerVerification}`,
  );
  const { lambda } = results;
  if (lambda !== undefined) {
    lines.push(
      '',
      `rotation Lambda (index.js as synthesized): ${kilobytes(lambda.rotation.bytes)} KB, ` +
        `${kilobytes(lambda.rotation.gzipBytes)} KB gzip` +
        (lambda.rotation.sourceMapBytes > 0
          ? ` (source map ${kilobytes(lambda.rotation.sourceMapBytes)} KB); `
          : ', no source map; ') +
        `load ${lambda.rotation.loadMs.median.toFixed(1)} ms median (${lambda.rotation.loadMs.min.toFixed(1)}–${lambda.rotation.loadMs.max.toFixed(1)})`,
      `reference (the 2 SDK clients only):        ${kilobytes(lambda.reference.bytes)} KB, ` +
        `${kilobytes(lambda.reference.gzipBytes)} KB gzip; ` +
        `load ${lambda.reference.loadMs.median.toFixed(1)} ms median (${lambda.reference.loadMs.min.toFixed(1)}–${lambda.reference.loadMs.max.toFixed(1)})`,
      `load time ratio: ${lambda.loadRatio.toFixed(2)} (median of ${lambda.loads} back-to-back pairs of cold loads; ` +
        `quartiles ${lambda.loadRatioQuartiles[0].toFixed(2)}–${lambda.loadRatioQuartiles[1].toFixed(2)})`,
    );
  }
  lines.push('', 'targets:');
  for (const target of results.targets) {
    lines.push(
      `  ${target.met ? 'met   ' : 'MISSED'} ${target.name}: ${Number(target.value.toFixed(3))} (${target.limit})`,
    );
  }
  return lines.join('\n');
}
