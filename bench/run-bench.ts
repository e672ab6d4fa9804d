/**
 * One benchmark run: every JWT case for HS256 and HS512, sequential and in flight, side by
 * side in this process; then the rotation Lambda's bundle and load time. Ratios are to the
 * floor of the same algorithm, operation and mode, measured in the same rounds.
 */
import { cpus, totalmem } from 'node:os';

import { type HmacAlgorithm } from '../key-document';
import { startLocalAws } from '../local-aws';

import { measure, type Measurement } from './harness';
import { createJwtBench, type JwtBench } from './jwt-cases';
import { type LambdaBundleResults, measureLambdaBundle } from './lambda-bundle';

export interface BenchSettings {
  readonly algorithms: readonly HmacAlgorithm[];
  readonly rounds: number;
  readonly batchMs: number;
  readonly inFlight: number;
  /** Cold loads of each Lambda bundle; 0 skips the Lambda part. */
  readonly lambdaLoads: number;
  /** Scratch space inside the project for the synthesized assembly. */
  readonly workDir: string;
}

export interface Target {
  readonly name: string;
  readonly limit: string;
  readonly value: number;
  readonly met: boolean;
}

export interface BenchResults {
  readonly machine: {
    readonly node: string;
    readonly cpu: string;
    readonly cores: number;
    readonly memoryGiB: number;
    readonly platform: string;
  };
  readonly settings: Omit<BenchSettings, 'workDir'>;
  readonly startedAt: string;
  /** ratioToBaseline: to the floor of the same algorithm, operation and mode. */
  readonly cases: readonly Measurement[];
  /** Secrets Manager calls the key rings made per verification after warm-up. */
  readonly secretsManagerCallsPerVerification: number;
  readonly lambda?: LambdaBundleResults;
  readonly targets: readonly Target[];
}

export async function runBench(settings: BenchSettings): Promise<BenchResults> {
  const startedAt = new Date().toISOString();
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
      },
      settings: {
        algorithms: settings.algorithms,
        rounds: settings.rounds,
        batchMs: settings.batchMs,
        inFlight: settings.inFlight,
        lambdaLoads: settings.lambdaLoads,
      },
      startedAt,
      cases,
      secretsManagerCallsPerVerification: callsPerVerification,
      ...(lambda !== undefined && { lambda }),
      targets: targets(cases, callsPerVerification, lambda),
    };
  } finally {
    for (const bench of benches) bench.close();
    await local.close();
  }
}

function targets(
  cases: readonly Measurement[],
  callsPerVerification: number,
  lambda: LambdaBundleResults | undefined,
): Target[] {
  const list: Target[] = cases
    .filter((result) => / (verify|sign) JwtKeyRing$/.test(result.name))
    .map((result) => ({
      name: `${result.name} (${result.mode}) / floor`,
      limit: '<= 1.5',
      value: result.ratioToBaseline,
      met: result.ratioToBaseline <= 1.5,
    }));
  list.push({
    name: 'Secrets Manager calls per verification (steady state)',
    limit: '= 0',
    value: callsPerVerification,
    met: callsPerVerification === 0,
  });
  if (lambda !== undefined) {
    list.push(
      {
        name: 'rotation Lambda bundle, gzip KB',
        limit: '<= 100',
        value: lambda.rotation.gzipBytes / 1024,
        met: lambda.rotation.gzipBytes <= 100 * 1024,
      },
      {
        name: 'rotation Lambda load time / reference',
        limit: '<= 1.1',
        value: lambda.loadRatio,
        met: lambda.loadRatio <= 1.1,
      },
    );
  }
  return list;
}
