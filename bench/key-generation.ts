/**
 * How long a new key takes to make, per algorithm, through makeKeyDocument: the function the
 * rotation Lambda's createSecret (and its standby key and first key) calls. One key at a time,
 * as a rotation makes them. RSA generation searches for primes, so its time is a wide
 * distribution: reported as median, p90 and max over n runs.
 */
import { performance } from 'node:perf_hooks';

import { type AsymmetricAlgorithm, makeKeyDocument, type RsaModulusBits } from '../key-document';

import { quantile } from './harness';

export interface KeyGenerationSettings {
  /** Keys made per ES256 and EdDSA case. */
  readonly runs: number;
  /** Keys made per RSA modulus size (fewer: a 4096-bit key can take seconds). */
  readonly rsaRuns: number;
  readonly rsaModulusBits: readonly RsaModulusBits[];
}

export interface KeyGenerationResult {
  /** 'ES256', 'EdDSA', 'RS256-2048', … */
  readonly name: string;
  readonly runs: number;
  /** Milliseconds per key. */
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
}

interface KeyGenerationCase {
  readonly name: string;
  readonly alg: AsymmetricAlgorithm;
  readonly rsaModulusBits?: RsaModulusBits;
  readonly runs: number;
}

export async function measureKeyGeneration(
  settings: KeyGenerationSettings,
): Promise<KeyGenerationResult[]> {
  const cases: KeyGenerationCase[] = [
    { name: 'ES256', alg: 'ES256', runs: settings.runs },
    { name: 'EdDSA', alg: 'EdDSA', runs: settings.runs },
    ...settings.rsaModulusBits.map((bits) => ({
      name: `RS256-${bits}`,
      alg: 'RS256' as const,
      rsaModulusBits: bits,
      runs: settings.rsaRuns,
    })),
  ];
  const results: KeyGenerationResult[] = [];
  for (const generation of cases) {
    if (generation.runs === 0) continue;
    const samples: number[] = [];
    for (let run = 0; run < generation.runs; run += 1) {
      const started = performance.now();
      await makeKeyDocument({
        alg: generation.alg,
        kid: `bench-generation-${run}`,
        now: new Date(),
        ...(generation.rsaModulusBits !== undefined && {
          rsaModulusBits: generation.rsaModulusBits,
        }),
      });
      samples.push(performance.now() - started);
    }
    results.push({
      name: generation.name,
      runs: samples.length,
      medianMs: quantile(samples, 0.5),
      p90Ms: quantile(samples, 0.9),
      minMs: Math.min(...samples),
      maxMs: Math.max(...samples),
    });
  }
  return results;
}
