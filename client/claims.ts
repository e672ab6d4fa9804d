/**
 * JWT claims checks with jose's semantics (jwtVerify), plus `exp` required: numbers for the
 * time claims, `exp` expired once `exp <= now - tolerance`, `nbf` in the future once
 * `nbf > now + tolerance`, `iss` and `aud` checked when configured.
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
  for (const claim of ['iat', 'nbf'] as const) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'number') {
      throw invalid(`"${claim}" claim must be a number`);
    }
  }
  if (payload.exp === undefined && policy.requireExp !== false)
    throw new JwtKeyRingError('ERR_JWT_EXP_MISSING', 'the token has no "exp" claim');
  if (payload.exp !== undefined && typeof payload.exp !== 'number')
    throw invalid('"exp" claim must be a number');
  if (policy.issuer !== undefined) {
    const allowed = typeof policy.issuer === 'string' ? [policy.issuer] : policy.issuer;
    if (typeof payload.iss !== 'string' || !allowed.includes(payload.iss)) {
      throw invalid('unexpected "iss" claim value');
    }
  }
  if (policy.audience !== undefined) {
    const expected = typeof policy.audience === 'string' ? [policy.audience] : policy.audience;
    const actual = typeof payload.aud === 'string' ? [payload.aud] : payload.aud;
    if (!Array.isArray(actual) || !actual.some((value) => expected.includes(value as string))) {
      throw invalid('unexpected "aud" claim value');
    }
  }
  if (typeof payload.nbf === 'number' && payload.nbf > policy.now + policy.toleranceSeconds) {
    throw new JwtKeyRingError('ERR_JWT_NOT_YET_VALID', '"nbf" claim timestamp check failed');
  }
  if (typeof payload.exp === 'number' && payload.exp <= policy.now - policy.toleranceSeconds) {
    throw new JwtKeyRingError('ERR_JWT_EXPIRED', '"exp" claim timestamp check failed');
  }
  return payload as JwtPayload;
}

function invalid(message: string): JwtKeyRingError {
  return new JwtKeyRingError('ERR_JWT_CLAIM_INVALID', message);
}
