/**
 * The JWKS bench's HTTP fetch counts: what bench/jwks-verifier-bench.ts measures and
 * bench/targets.ts judges, kept apart from both so neither imports the other's module.
 */
export interface FetchCount {
  readonly fetches: number;
  readonly limit: number;
  readonly simulatedMs: number;
}

export interface JwksFetchCounts {
  /** During the timed run, after warm-up: per JwksVerifier verification. */
  readonly perVerification: number;
  readonly timedVerifications: number;
  /** An hour (or simulatedMs) of injected time at max-age=300. */
  readonly overTime: FetchCount & {
    readonly maxAgeSeconds: number;
    readonly verifications: number;
  };
  /** Tokens with random unknown kids, after the set was fetched. */
  readonly unknownKidFlood: FetchCount & {
    readonly tokens: number;
    readonly refused: number;
    readonly refreshIntervalMs: number;
  };
}
