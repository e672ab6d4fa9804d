/**
 * One benchmark run: every JWT case for each algorithm, sequential and in flight, side by side
 * in this process; then key generation through the rotation Lambda's key maker, and the
 * rotation Lambda's bundle and load time. Ratios are to the floor of the same algorithm,
 * operation and mode, measured in the same rounds.
 */
import { cpus, loadavg, totalmem } from 'node:os';

import { type JwtAlgorithm } from '../key-document';
import { startLocalAws } from '../local-aws';

import { measure, type Measurement } from './harness';
import { createJwtBench, type JwtBench, type UnsupportedCase } from './jwt-cases';
import {
  type KeyGenerationResult,
  type KeyGenerationSettings,
  measureKeyGeneration,
} from './key-generation';
import { type LambdaBundleResults, measureLambdaBundle } from './lambda-bundle';
import { benchTargets, type Target } from './targets';

export { type Target } from './targets';

export interface BenchSettings {
  readonly algorithms: readonly JwtAlgorithm[];
  readonly rounds: number;
  readonly batchMs: number;
  readonly inFlight: number;
  /** Keys made per algorithm; runs and rsaRuns of 0 skip those. */
  readonly keyGeneration: KeyGenerationSettings;
  /** Cold loads of each Lambda bundle; 0 skips the Lambda part. */
  readonly lambdaLoads: number;
  /** Scratch space inside the project for the synthesized assembly. */
  readonly workDir: string;
}

export interface BenchResults {
  readonly machine: {
    readonly node: string;
    readonly cpu: string;
    readonly cores: number;
    readonly memoryGiB: number;
    readonly platform: string;
    /** The 1, 5 and 15 minute load averages when the run started and when it ended. */
    readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  };
  readonly settings: Omit<BenchSettings, 'workDir'>;
  readonly startedAt: string;
  /** ratioToBaseline: to the floor of the same algorithm, operation and mode. */
  readonly cases: readonly Measurement[];
  /** Libraries that have no case for an algorithm, and why. */
  readonly unsupported: readonly UnsupportedCase[];
  /** Secrets Manager calls the key rings made per verification after warm-up. */
  readonly secretsManagerCallsPerVerification: number;
  readonly keyGeneration: readonly KeyGenerationResult[];
  readonly lambda?: LambdaBundleResults;
  readonly targets: readonly Target[];
}

export async function runBench(settings: BenchSettings): Promise<BenchResults> {
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg();
  const local = await startLocalAws();
  const benches: JwtBench[] = [];
  try {
    for (const alg of settings.algorithms) benches.push(await createJwtBench(local, alg));
    const total = (count: (bench: JwtBench) => number): number =>
      benches.reduce((sum, bench) => sum + count(bench), 0);
    const callsBefore = total((bench) => bench.secretsManagerCalls());
    const verificationsBefore = total((bench) => bench.ringVerifications());
    const cases = await measure(
      benches.flatMap((bench) => bench.groups),
      settings,
    );
    const callsDuring = total((bench) => bench.secretsManagerCalls()) - callsBefore;
    const callsPerVerification =
      callsDuring / (total((bench) => bench.ringVerifications()) - verificationsBefore);

    const keyGeneration = await measureKeyGeneration(settings.keyGeneration);
    const lambda =
      settings.lambdaLoads > 0
        ? measureLambdaBundle(settings.workDir, settings.lambdaLoads)
        : undefined;
    return {
      machine: {
        node: process.version,
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        platform: `${process.platform} ${process.arch}`,
        loadAverage: { start: loadAtStart, end: loadavg() },
      },
      settings: {
        algorithms: settings.algorithms,
        rounds: settings.rounds,
        batchMs: settings.batchMs,
        inFlight: settings.inFlight,
        keyGeneration: settings.keyGeneration,
        lambdaLoads: settings.lambdaLoads,
      },
      startedAt,
      cases,
      unsupported: benches.flatMap((bench) => bench.unsupported),
      secretsManagerCallsPerVerification: callsPerVerification,
      keyGeneration,
      ...(lambda !== undefined && { lambda }),
      targets: benchTargets(cases, callsPerVerification, lambda),
    };
  } finally {
    for (const bench of benches) bench.close();
    await local.close();
  }
}
