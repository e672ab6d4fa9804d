/**
 * The benchmark's results as text: one table per mode, the libraries left out, key generation,
 * then the Lambda and the targets.
 */
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

function keyGenerationRows(results: BenchResults['keyGeneration']): string[] {
  const header = `${pad('key', 12)} ${pad('n', 4, true)} ${pad('median ms', 10, true)} ${pad('p90 ms', 9, true)} ${pad('max ms', 9, true)} ${pad('min ms', 9, true)}`;
  return [
    header,
    '-'.repeat(header.length),
    ...results.map(
      (result) =>
        `${pad(result.name, 12)} ${pad(String(result.runs), 4, true)} ` +
        [result.medianMs, result.p90Ms, result.maxMs, result.minMs]
          .map((ms, index) => pad(ms.toFixed(1), index === 0 ? 10 : 9, true))
          .join(' '),
    ),
  ];
}

function loads(values: readonly number[]): string {
  return values.map((value) => value.toFixed(2)).join(' ');
}

export function formatBench(results: BenchResults): string {
  const { machine, settings } = results;
  const lines = [
    `Node ${machine.node} on ${machine.platform}, ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB)`,
    `load average (1, 5, 15 min): ${loads(machine.loadAverage.start)} at the start, ${loads(machine.loadAverage.end)} at the end`,
    `${settings.rounds} rounds of about ${settings.batchMs} ms per case; in flight: ${settings.inFlight} calls at once`,
    '× floor: median over rounds of the case / a floor batch timed right before or after it',
  ];
  for (const mode of ['sequential', 'in-flight'] as const) {
    lines.push('', `${mode}:`, ...caseRows(results.cases.filter((result) => result.mode === mode)));
  }
  for (const { alg, library, reason } of results.unsupported) {
    lines.push(`no ${alg} case for ${library}: ${reason}`);
  }
  lines.push(
    '',
    `Secrets Manager calls per JwtKeyRing verification after warm-up: ${results.secretsManagerCallsPerVerification}`,
  );
  if (results.keyGeneration.length > 0) {
    lines.push(
      '',
      'key generation through makeKeyDocument (what createSecret calls), one key at a time:',
      ...keyGenerationRows(results.keyGeneration),
    );
  }
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
