/**
 * JWT claims checks with jose's semantics (jwtVerify), plus `exp` required: numbers for the
 * time claims, `exp` expired once `exp <= now - tolerance`, `nbf` in the future once
 * `nbf > now + tolerance`, `iss` and `aud` checked when configured. A refusal names the claim
 * and why (`claim`, `reason`), as jose's JWTClaimValidationFailed does.
 */
import { JwtKeyRingError } from './errors';

export interface ClaimsPolicy {
  /** Epoch seconds. */
  readonly now: number;
  readonly toleranceSeconds: number;
  readonly issuer?: string | readonly string[];
  readonly audience?: string | readonly string[];
  /**
   * Whether a token without `exp` is refused. Only a legacy key whose document says
   * `accept-until-grace-end` verifies such tokens (its grace bounds them). @default true
   */
  readonly requireExp?: boolean;
}

export interface JwtPayload {
  /** Always present, except on a token a legacy key accepted without it (VerifiedToken.legacy). */
  readonly exp: number;
  readonly iat?: number;
  readonly nbf?: number;
  readonly iss?: string;
  readonly sub?: string;
  readonly aud?: string | string[];
  readonly jti?: string;
  readonly [claim: string]: unknown;
}

export function checkClaims(payload: Record<string, unknown>, policy: ClaimsPolicy): JwtPayload {
  // No arrays or closures made per call: this runs on every verification (npm run bench).
  const { iat, nbf, exp, iss, aud } = payload;
  if (iat !== undefined && typeof iat !== 'number') throw notANumber('iat');
  if (nbf !== undefined && typeof nbf !== 'number') throw notANumber('nbf');
  if (exp === undefined && policy.requireExp !== false) {
    throw new JwtKeyRingError('ERR_JWT_EXP_MISSING', 'the token has no "exp" claim', {
      claim: 'exp',
      reason: 'missing',
    });
  }
  if (exp !== undefined && typeof exp !== 'number') throw notANumber('exp');
  if (policy.issuer !== undefined && !(typeof iss === 'string' && isOneOf(iss, policy.issuer))) {
    throw unexpected('iss', iss);
  }
  if (policy.audience !== undefined && !namesAudience(aud, policy.audience)) {
    throw unexpected('aud', aud);
  }
  if (typeof nbf === 'number' && nbf > policy.now + policy.toleranceSeconds) {
    throw new JwtKeyRingError('ERR_JWT_NOT_YET_VALID', '"nbf" claim timestamp check failed', {
      claim: 'nbf',
      reason: 'check_failed',
    });
  }
  if (typeof exp === 'number' && exp <= policy.now - policy.toleranceSeconds) {
    throw new JwtKeyRingError('ERR_JWT_EXPIRED', '"exp" claim timestamp check failed', {
      claim: 'exp',
      reason: 'check_failed',
    });
  }
  return payload as JwtPayload;
}

function isOneOf(value: unknown, allowed: string | readonly string[]): boolean {
  return typeof allowed === 'string' ? value === allowed : allowed.includes(value as string);
}

/** Whether `aud` (a string, or an array of them) names one of the expected audiences. */
function namesAudience(aud: unknown, expected: string | readonly string[]): boolean {
  if (typeof aud === 'string') return isOneOf(aud, expected);
  if (!Array.isArray(aud)) return false;
  for (const value of aud as unknown[]) if (isOneOf(value, expected)) return true;
  return false;
}

function notANumber(claim: string): JwtKeyRingError {
  return new JwtKeyRingError('ERR_JWT_CLAIM_INVALID', `"${claim}" claim must be a number`, {
    claim,
    reason: 'invalid',
  });
}

/** As jose: a checked claim that is absent is `missing`, one of another value `check_failed`. */
function unexpected(claim: 'iss' | 'aud', value: unknown): JwtKeyRingError {
  return new JwtKeyRingError('ERR_JWT_CLAIM_INVALID', `unexpected "${claim}" claim value`, {
    claim,
    reason: value === undefined ? 'missing' : 'check_failed',
  });
}
