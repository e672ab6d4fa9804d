/**
 * The verifiers' error: JwtVerificationError, with JwtKeyRingError kept as its first name (the
 * same class, so code written for either goes on working).
 */
import {
  JwtKeyRingError as RingErrorFromClient,
  JwtVerificationError as VerificationErrorFromClient,
} from '../../client';
import { JwtKeyRingError, JwtVerificationError } from '../../client/jwks';

describe('Class: JwtVerificationError', () => {
  it('is JwtKeyRingError: one class, exported by both entry points', () => {
    // GIVEN / WHEN
    const error = new JwtKeyRingError('ERR_JWT_EXPIRED', 'expired', {
      kid: 'kid-1',
      stage: 'published',
      claim: 'exp',
      reason: 'check_failed',
    });

    // THEN
    expect(JwtKeyRingError).toBe(JwtVerificationError);
    expect(RingErrorFromClient).toBe(JwtVerificationError);
    expect(VerificationErrorFromClient).toBe(JwtVerificationError);
    expect(error).toBeInstanceOf(JwtVerificationError);
    expect(new JwtVerificationError('ERR_JWT_EXPIRED', 'expired')).toBeInstanceOf(JwtKeyRingError);
    // The name stays the one logs and `error.name` checks were written for.
    expect(error).toMatchObject({
      name: 'JwtKeyRingError',
      code: 'ERR_JWT_EXPIRED',
      kid: 'kid-1',
      stage: 'published',
      claim: 'exp',
      reason: 'check_failed',
    });
  });
});
