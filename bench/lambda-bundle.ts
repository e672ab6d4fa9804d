/**
 * The rotation Lambda's weight: the index.js `cdk synth` stages (the bundle `npm run build`
 * made: what ships), its size and gzip size, and its module load time next to a reference, a
 * minimal handler that imports and constructs the same two SDK clients, bundled with the same
 * esbuild settings. Both leave @aws-sdk/* to the runtime, so the difference is this project's
 * own code and libraries. Each load is timed in a fresh Node process (a cold start); loads come
 * in pairs, one of each, and the ratio is the median of the pairs' ratios, which cancels most of
 * a noisy machine's drift.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { buildSync } from 'esbuild';

import { LAMBDA_BUILD_OPTIONS, synthesizeRotationBundle } from '../scripts/build-rotation-bundle';

import { median, quantile } from './harness';

const REFERENCE_HANDLER = `
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const secrets = new SecretsManagerClient({});
const events = new EventBridgeClient({});

export const handler = async (): Promise<unknown> => ({ secrets: typeof secrets, events: typeof events });
`;

/** Times one require() of the file, in milliseconds, inside the child process. */
const LOAD_PROBE = `
const { performance } = require('node:perf_hooks');
const started = performance.now();
require(process.argv[1]);
process.stdout.write(String(performance.now() - started));
`;

export interface BundleFigures {
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sourceMapBytes: number;
  readonly loadMs: { readonly median: number; readonly min: number; readonly max: number };
}

export interface LambdaBundleResults {
  readonly rotation: BundleFigures;
  readonly reference: BundleFigures;
  /** Median over pairs of loads (one of each, back to back) of rotation / reference. */
  readonly loadRatio: number;
  /** The first and third quartiles of those pairs' ratios: how far one pair can be trusted. */
  readonly loadRatioQuartiles: readonly [number, number];
  readonly loads: number;
}

function loadOnce(file: string, environment: Readonly<Record<string, string>>): number {
  const output = execFileSync(process.execPath, ['-e', LOAD_PROBE, file], {
    env: {
      ...process.env,
      // What the template gives the function (NODE_OPTIONS included, if it sets any); the cold
      // start validates its configuration. The bus name is a deploy-time reference: a stand-in.
      ...environment,
      EVENT_BUS_NAME: 'jwt-keys',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    encoding: 'utf8',
  });
  return Number(output);
}

function figures(file: string, loads: readonly number[]): BundleFigures {
  const code = readFileSync(file);
  let sourceMapBytes = 0;
  try {
    sourceMapBytes = statSync(`${file}.map`).size;
  } catch {
    // No source map beside it.
  }
  return {
    bytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    sourceMapBytes,
    loadMs: { median: median(loads), min: Math.min(...loads), max: Math.max(...loads) },
  };
}

/** `workDir` must be inside the project, so the bundles resolve @aws-sdk/* from node_modules. */
export function measureLambdaBundle(workDir: string, loads: number): LambdaBundleResults {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const { indexFile: rotationFile, literalEnvironment } = synthesizeRotationBundle(
    join(workDir, 'assembly'),
  );
  // Both run with the function's environment, so options like NODE_OPTIONS weigh on both alike.
  const load = (file: string): number => loadOnce(file, literalEnvironment);

  const referenceSource = join(workDir, 'reference-handler.ts');
  const referenceFile = join(workDir, 'reference', 'index.js');
  writeFileSync(referenceSource, REFERENCE_HANDLER);
  buildSync({
    ...LAMBDA_BUILD_OPTIONS,
    entryPoints: [referenceSource],
    outfile: referenceFile,
    logLevel: 'silent',
  });

  const rotationLoads: number[] = [];
  const referenceLoads: number[] = [];
  // One untimed load of each first: the files and the SDK reach the OS cache alike.
  load(rotationFile);
  load(referenceFile);
  for (let index = 0; index < loads; index += 1) {
    // Which goes first alternates, so neither always inherits the other's warm caches.
    if (index % 2 === 0) {
      referenceLoads.push(load(referenceFile));
      rotationLoads.push(load(rotationFile));
    } else {
      rotationLoads.push(load(rotationFile));
      referenceLoads.push(load(referenceFile));
    }
  }
  const pairRatios = rotationLoads.map((load, index) => load / referenceLoads[index]!);
  return {
    rotation: figures(rotationFile, rotationLoads),
    reference: figures(referenceFile, referenceLoads),
    loadRatio: median(pairRatios),
    loadRatioQuartiles: [quantile(pairRatios, 0.25), quantile(pairRatios, 0.75)],
    loads,
  };
}
