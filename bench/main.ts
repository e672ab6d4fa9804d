/**
 * `npm run bench`: the JWT cases of every algorithm, key generation and the rotation Lambda's
 * weight, in one run. Prints a table with each case's ratio to the floor and whether each
 * target was met, and writes everything to bench/results/latest.json. BENCH_ROUNDS,
 * BENCH_BATCH_MS, BENCH_KEYGEN_RUNS, BENCH_RSA_KEYGEN_RUNS, BENCH_LAMBDA_LOADS and
 * BENCH_JWKS_FLOOD (tokens with unknown kids) change the run's size; BENCH_ALGORITHMS
 * (comma-separated) picks algorithms, to repeat a suspicious case.
 * A benchmark, not a test: a missed target is reported, never a failure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { isJwtAlgorithm, type JwtAlgorithm, RSA_MODULUS_BITS } from '../key-document';

import {
  formatJwksVerifierBench,
  isJwksAlgorithm,
  runJwksVerifierBench,
} from './jwks-verifier-bench';
import { formatObserverBench, runObserverBench } from './observer-bench';
import { formatBench } from './report';
import { runBench } from './run-bench';

const ROOT = join(__dirname, '..');

function setting(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new Error(`${name} must be a whole number, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

const DEFAULT_ALGORITHMS: readonly JwtAlgorithm[] = ['HS256', 'HS512', 'ES256', 'EdDSA', 'RS256'];

function algorithms(): readonly JwtAlgorithm[] {
  const value = process.env.BENCH_ALGORITHMS;
  if (value === undefined || value === '') return DEFAULT_ALGORITHMS;
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !isJwtAlgorithm(name));
  if (unknown.length > 0) {
    throw new Error(`BENCH_ALGORITHMS names no algorithm we sign with: ${unknown.join(', ')}`);
  }
  return names as JwtAlgorithm[];
}

async function main(): Promise<void> {
  const results = await runBench({
    algorithms: algorithms(),
    rounds: setting('BENCH_ROUNDS', 31),
    batchMs: setting('BENCH_BATCH_MS', 25),
    inFlight: 64,
    keyGeneration: {
      runs: setting('BENCH_KEYGEN_RUNS', 50),
      // RSA searches for primes: a 4096-bit key took 2-13 s on this shared machine, so 10 of
      // each size (30 in all) instead of 50.
      rsaRuns: setting('BENCH_RSA_KEYGEN_RUNS', 10),
      rsaModulusBits: RSA_MODULUS_BITS,
    },
    lambdaLoads: setting('BENCH_LAMBDA_LOADS', 101),
    workDir: join(ROOT, 'bench', 'results', 'build'),
  });
  console.log(formatBench(results));
  const observers = await runObserverBench({
    rounds: setting('BENCH_ROUNDS', 31),
    batchMs: setting('BENCH_BATCH_MS', 25),
    inFlight: 64,
  });
  console.log(formatObserverBench(observers));
  // The verify-only client, for the algorithms a JWKS publishes (not HMAC): none, if none picked.
  const jwksAlgorithms = algorithms().filter(isJwksAlgorithm);
  const jwksVerifier =
    jwksAlgorithms.length === 0
      ? undefined
      : await runJwksVerifierBench({
          algorithms: jwksAlgorithms,
          rounds: setting('BENCH_ROUNDS', 31),
          batchMs: setting('BENCH_BATCH_MS', 25),
          inFlight: 64,
          simulatedMs: 60 * 60_000,
          floodTokens: setting('BENCH_JWKS_FLOOD', 10_000),
          floodBurst: 100,
        });
  if (jwksVerifier !== undefined) console.log(formatJwksVerifierBench(jwksVerifier));
  const output = join(ROOT, 'bench', 'results', 'latest.json');
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(output, `${JSON.stringify({ ...results, observers, jwksVerifier }, null, 2)}\n`);
  console.log(`\nresults: ${output}`);
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
