/**
 * What a fleet run is told (FleetOptions) and what it reports (FleetFigures), with the
 * timeline it narrates on the way.
 */
import { type JwtAlgorithm } from '../../key-document';
import { type ObservedFigures } from '../telemetry';

export interface FleetOptions {
  /** The algorithm the stack is deployed with. @default 'HS256' */
  readonly algorithm?: JwtAlgorithm;
  readonly instances: number;
  /** Simulated span, from the deploy. */
  readonly days: number;
  readonly rotationDays: number;
  readonly gracePeriodSeconds: number;
  readonly tokenLifetimeSeconds: number;
  readonly cacheTtlMs: number;
  /** Clock skew between instances is simulated by the verifier's tolerance. @default 60 */
  readonly clockToleranceSeconds?: number;
  /** Time between two actions of an instance near rotations, retirements and the revoke. */
  readonly denseStepMs: number;
  /** Time between two actions of an instance elsewhere. */
  readonly sparseStepMs: number;
  /** Tokens each instance verifies at each action. */
  readonly verificationsPerStep: number;
  /** Day of the emergency revoke (jwt-keys revoke-previous), if any. */
  readonly revokeAtDay?: number;
  /** Hand rotation events to every instance (push refresh). @default false */
  readonly pushEvents?: boolean;
  /** Chance, per instance and step, of a token with a random kid (refused). @default 0 */
  readonly junkKidRate?: number;
  /**
   * A second before each scheduled rotation every instance meets a random kid; a second after
   * it, one instance signs with the new key and every other one verifies that token.
   * @default false
   */
  readonly junkBeforeRotations?: boolean;
  /**
   * Chance, per instance and step, of a replayed long-lived token (3 days) of a key that was
   * retired or revoked: refused one cache period after the key ended. @default 0
   */
  readonly replayRate?: number;
  /**
   * At each scheduled rotation, one instance's refresh straddles the label move: one of its two
   * reads answered before the move, the other after (alternately AWSPREVIOUS and AWSCURRENT
   * first). @default false
   */
  readonly interleaveReads?: boolean;
  readonly start?: number;
  /** Seed of the deterministic choice of tokens to verify. @default 1 */
  readonly seed?: number;
  readonly onTimeline?: (entry: TimelineEntry) => void;
}

export interface TimelineEntry {
  readonly at: number;
  readonly kind:
    'deploy' | 'rotated' | 'retired' | 'revoke' | 'verdict' | 'phase' | 'traffic' | 'jwks';
  readonly text: string;
}

export interface FleetFigures {
  /** What the deploy left: the first key and its standby, which the first rotation promotes. */
  readonly deploy: {
    readonly firstKid: string;
    readonly standbyKid: string;
    /** Key rotated events published by the deploy (the schedule is created without rotating). */
    readonly rotations: number;
  };
  readonly instances: number;
  readonly simulatedDays: number;
  readonly rotations: number;
  readonly retirements: number;
  readonly revocations: number;
  readonly tokensIssued: number;
  readonly verifications: number;
  readonly accepted: number;
  /** Accepted tokens that only the AWSPREVIOUS key (in its grace period) could verify. */
  readonly acceptedByPreviousKey: number;
  /** Rejections that were right, by error code. */
  readonly rejectedCorrectly: Record<string, number>;
  /** Unexpired tokens of keys not revoked that were refused: must be 0 with a sufficient grace. */
  readonly wronglyRejected: number;
  readonly wronglyRejectedByCode: Record<string, number>;
  /** Tokens of retired or revoked keys accepted later than one cache period after: must be 0. */
  readonly acceptedAfterBound: number;
  readonly expiredAccepted: number;
  /** Tokens with random kids verified, and accepted (must be 0). */
  readonly junkVerified: number;
  readonly junkAccepted: number;
  /**
   * Tokens of the new key, signed a second after a rotation, verified by every other instance a
   * second after a random kid spent its unknown-kid budget; and how many were refused (they
   * count in wronglyRejected too).
   */
  readonly newKeyRightAfterRotation: {
    readonly verified: number;
    readonly refused: number;
    /** The same, per scheduled rotation, in order, with the kid of the key it promoted. */
    readonly byRotation: readonly {
      readonly kid: string;
      readonly verified: number;
      readonly refused: number;
    }[];
  };
  /**
   * Replayed tokens of retired or revoked keys verified, and accepted later than the bound
   * (those count in acceptedAfterBound too).
   */
  readonly replaysVerified: number;
  readonly replaysAcceptedAfterBound: number;
  /** Refreshes whose two reads straddled a label move. */
  readonly interleavedReads: number;
  readonly secretsManagerCallsPerInstance: {
    readonly min: number;
    readonly max: number;
    readonly mean: number;
  };
  readonly events: number;
  /** What the instances' observer counted: every verification and read of the keys. */
  readonly observed: ObservedFigures;
  /** The verifier with no secret reading the published key set (asymmetric algorithms only). */
  readonly jwks?: JwksFigures;
}

/** A JwksVerifier's verdicts on the same tokens, judged with the key set's bound. */
export interface JwksFigures {
  readonly jwksUrl: string;
  /** How long after a key leaves the set it may still verify (max-age). */
  readonly boundMs: number;
  readonly verifications: number;
  readonly accepted: number;
  readonly rejectedCorrectly: Record<string, number>;
  /** Unexpired tokens of keys not revoked that it refused: must be 0. */
  readonly wronglyRejected: number;
  /** Tokens of retired or revoked keys it accepted later than the bound: must be 0. */
  readonly acceptedAfterBound: number;
  readonly expiredAccepted: number;
  /** Requests for the JWKS the distribution answered, and those read from the bucket. */
  readonly requests: { readonly viewer: number; readonly origin: number };
}
