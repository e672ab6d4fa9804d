/**
 * How long makeKeyDocument takes per algorithm, on this machine: what a createSecret, a standby
 * key or a first key spends making its key. Not a test (timings vary with the machine and its
 * load); run it to report figures:
 *
 *   npx tsx scripts/key-generation-timing.ts [runs per algorithm, default 20]
 */
import { performance } from 'node:perf_hooks';

import {
  JWT_ALGORITHMS,
  type JwtAlgorithm,
  makeKeyDocument,
  type RsaModulusBits,
} from '../key-document';

const runs = Number(process.argv[2] ?? 20);

async function timings(alg: JwtAlgorithm, rsaModulusBits?: RsaModulusBits): Promise<number[]> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await makeKeyDocument({
      alg,
      kid: `timing-${run}`,
      now: new Date(),
      ...(rsaModulusBits !== undefined && { rsaModulusBits }),
    });
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const cases: [string, JwtAlgorithm, RsaModulusBits | undefined][] = [
    ...JWT_ALGORITHMS.map((alg): [string, JwtAlgorithm, undefined] => [alg, alg, undefined]),
    ['RS256 (3072)', 'RS256', 3072],
    ['RS256 (4096)', 'RS256', 4096],
  ];
  console.log(`${runs} runs each, milliseconds (min / median / p90 / max / mean)`);
  for (const [name, alg, bits] of cases) {
    const sorted = await timings(alg, bits);
    const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
    const figures = [
      sorted[0] ?? NaN,
      percentile(sorted, 0.5),
      percentile(sorted, 0.9),
      sorted.at(-1) ?? NaN,
      mean,
    ];
    console.log(
      `${name.padEnd(14)} ${figures.map((value) => value.toFixed(2).padStart(9)).join(' ')}`,
    );
  }
}

void main();
