/** The label that dates a late promotion, and the grace end it moves. */
import {
  currentSinceOf,
  currentSinceStage,
  isCurrentSinceStage,
  parseKeyDocument,
  previousKeyGraceEndsAt,
} from '../../key-document';

const PROMOTED = Date.parse('2026-11-23T10:15:00Z');

describe('current-since labels', () => {
  it('names the second of the promotion, readable and within the label alphabet', () => {
    const label = currentSinceStage(PROMOTED);
    expect(label).toBe('JWTKEY_CURRENT_SINCE_20261123T101500Z');
    expect(label).toMatch(/^[A-Z0-9_]{1,256}$/);
    expect(isCurrentSinceStage(label)).toBe(true);
    expect(currentSinceOf(['AWSCURRENT', label])).toBe(PROMOTED);
  });

  it('rounds up to the next second, so the grace it starts is never shorter', () => {
    expect(currentSinceOf([currentSinceStage(PROMOTED + 1)])).toBe(PROMOTED + 1000);
  });

  it('reads the latest of several labels and ignores the ones that do not parse', () => {
    const later = PROMOTED + 3_600_000;
    expect(
      currentSinceOf([
        currentSinceStage(later),
        'JWTKEY_CURRENT_SINCE_20261399T101500Z',
        'JWTKEY_CURRENT_SINCE_soon',
        currentSinceStage(PROMOTED),
      ]),
    ).toBe(later);
    expect(currentSinceOf(['AWSCURRENT', 'JWTKEY_CURRENT_SINCE_20260230T000000Z'])).toBeUndefined();
    expect(currentSinceOf(undefined)).toBeUndefined();
  });

  it('moves the grace end to the promotion, never before the key was made', () => {
    const document = parseKeyDocument(
      JSON.stringify({
        kty: 'oct',
        alg: 'HS256',
        use: 'sig',
        kid: 'v2',
        k: Buffer.alloc(32, 7).toString('base64url'),
        createdAt: '2026-11-20T10:15:00.000Z',
        previousKeyGraceSeconds: 3600,
      }),
    );
    expect(previousKeyGraceEndsAt(document)).toBe(Date.parse('2026-11-20T11:15:00Z'));
    expect(previousKeyGraceEndsAt(document, PROMOTED)).toBe(PROMOTED + 3_600_000);
    // A label older than the key cannot shorten its stated grace.
    expect(previousKeyGraceEndsAt(document, Date.parse('2026-11-01T00:00:00Z'))).toBe(
      Date.parse('2026-11-20T11:15:00Z'),
    );
  });
});
