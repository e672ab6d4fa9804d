/**
 * Mutations of a valid token for fuzzing the verifier: bit flips, truncation, base64url and
 * JSON mutations of the header and payload, header field swaps. None re-signs, so no mutation
 * that changes the token may be accepted.
 */
import fc from 'fast-check';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function decode(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function encode(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString(
    'base64url',
  );
}

const jsonValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('none', 'HS256', 'HS384', 'HS512', 'RS256', 'k1', 'JWT', '', '__proto__'),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
);

/** A mutation: a function from a valid token to a (usually) different one. */
export function tokenMutation(): fc.Arbitrary<(token: string) => string> {
  return fc.oneof(
    // Flip one bit of one character of the text.
    fc.tuple(fc.nat(), fc.integer({ min: 0, max: 6 })).map(([position, bit]) => (token: string) => {
      const index = position % token.length;
      const flipped = String.fromCharCode(token.charCodeAt(index) ^ (1 << bit));
      return token.slice(0, index) + flipped + token.slice(index + 1);
    }),
    // Replace one character with another base64url character.
    fc.tuple(fc.nat(), fc.nat({ max: 63 })).map(([position, replacement]) => (token: string) => {
      const index = position % token.length;
      return token.slice(0, index) + BASE64URL[replacement] + token.slice(index + 1);
    }),
    // Truncate, or append bytes.
    fc.nat().map((length) => (token: string) => token.slice(0, length % token.length)),
    fc.string({ minLength: 1, maxLength: 8 }).map((tail) => (token: string) => token + tail),
    // Change, add or delete one member of the header or the payload, re-encoded, not re-signed.
    fc
      .tuple(
        fc.constantFrom(0, 1),
        fc.constantFrom(
          'alg',
          'kid',
          'typ',
          'crit',
          'exp',
          'nbf',
          'iss',
          'aud',
          'sub',
          'b64',
          'jwk',
          'x',
        ),
        fc.option(jsonValue),
      )
      .map(([part, member, value]) => (token: string) => {
        const parts = token.split('.');
        const decoded = decode(parts[part] ?? '');
        const object =
          typeof decoded === 'object' && decoded !== null
            ? { ...(decoded as Record<string, unknown>) }
            : {};
        if (value === null) delete object[member];
        else object[member] = value;
        parts[part] = encode(object);
        return parts.join('.');
      }),
    // Swap the header and payload, or a part with another.
    fc.constantFrom<[number, number]>([0, 1], [0, 2], [1, 2]).map(([a, b]) => (token: string) => {
      const parts = token.split('.');
      [parts[a], parts[b]] = [parts[b] ?? '', parts[a] ?? ''];
      return parts.join('.');
    }),
    // Re-encode a part as text that is not a JSON object, or as standard base64 with padding.
    fc
      .tuple(fc.constantFrom(0, 1), fc.string({ maxLength: 20 }))
      .map(([part, text]) => (token: string) => {
        const parts = token.split('.');
        parts[part] = encode(text);
        return parts.join('.');
      }),
    fc.constantFrom(0, 1, 2).map((part) => (token: string) => {
      const parts = token.split('.');
      parts[part] = Buffer.from(parts[part] ?? '', 'base64url').toString('base64');
      return parts.join('.');
    }),
  );
}
