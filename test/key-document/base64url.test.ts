/**
 * Canonical base64url: a string is canonical exactly when re-encoding its bytes gives it back.
 * The decoder checks the decoded length, base64's two characters and the last character's unused
 * bits instead of matching the alphabet and re-encoding (it runs three times per verified token);
 * this holds it to the definition, over characters Node's decoder treats in every way it can:
 * skipped, ending the data, the other alphabet, and read by their low byte (above U+00FF).
 */
import fc from 'fast-check';

import { decodeCanonicalBase64url } from '../../key-document';

/** The definition, slow and obviously right. */
function byReencoding(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('Function: decodeCanonicalBase64url', () => {
  it.each([
    ['', ''],
    ['QQ', '41'],
    ['QUI', '4142'],
    ['QUJD', '414243'],
    ['_-8', 'ffef'],
  ])('decodes the canonical %j', (text, hex) => {
    expect(decodeCanonicalBase64url(text)?.toString('hex')).toBe(hex);
  });

  it.each([
    ['QR', 'non-zero bits after the data (2 characters left)'],
    ['QUJ', 'non-zero bits after the data (3 characters left)'],
    ['Q', 'a length that is 1 modulo 4'],
    ['QQ==', 'padding'],
    ['Q+8', 'a base64 (not base64url) character'],
    ['QU I', 'a space'],
    ['QUJ\u0144', 'a character above U+00FF whose low byte is in the alphabet'],
    ['Q\u0141JD', 'another one, inside'],
    ['QUJD\ud800', 'a lone surrogate'],
    ['QU=D', 'padding inside'],
  ])('refuses %j: %s', (text) => {
    expect(decodeCanonicalBase64url(text)).toBeUndefined();
  });

  it('agrees with re-encoding on random strings over the alphabet and beyond', () => {
    const character = fc.constantFrom(
      ...`${BASE64URL}=+/. \n\u0000é\u0141\u012d\u015f\u0130\ud800\udfff`.split(''),
    );
    const near = fc
      .tuple(fc.uint8Array({ maxLength: 20 }), fc.nat(), character)
      .map(([bytes, at, replacement]) => {
        const text = Buffer.from(bytes).toString('base64url');
        const index = at % (text.length + 1);
        return text.slice(0, index) + replacement + text.slice(index + 1);
      });
    fc.assert(
      fc.property(fc.oneof(near, fc.string({ unit: character, maxLength: 12 })), (text) => {
        const expected = byReencoding(text);
        const actual = decodeCanonicalBase64url(text);
        expect(actual === undefined).toBe(expected === undefined);
        if (expected !== undefined) expect(actual!.equals(expected)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });
});
