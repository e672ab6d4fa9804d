import {
  generateKeyDocument,
  keyMembersOf,
  NEW_HMAC_KEY_BYTES,
  parseKeyDocument,
  previousKeyGraceEndsAt,
  promotedDocument,
  serializeKeyDocument,
  type HmacAlgorithm,
  type KeyDocument,
  type KeyDocumentErrorCode,
} from '../../key-document';

import { codeOf } from './support';

const NOW = new Date('2026-01-01T00:00:00.000Z');
const VALID_K = Buffer.alloc(32, 7).toString('base64url');

function documentWith(overrides: Record<string, unknown>): string {
  return JSON.stringify({
    kty: 'oct',
    alg: 'HS256',
    use: 'sig',
    kid: 'v1',
    k: VALID_K,
    ...overrides,
  });
}

describe('Function: generateKeyDocument', () => {
  it.each<HmacAlgorithm>(['HS256', 'HS384', 'HS512'])(
    'makes a %s key of 64 random bytes that parses back unchanged',
    (alg) => {
      // WHEN
      const document = generateKeyDocument({ alg, kid: 'version-1', now: NOW });

      // THEN
      expect(Buffer.from(document.k, 'base64url')).toHaveLength(64);
      expect(document).toMatchObject({ kty: 'oct', alg, use: 'sig', kid: 'version-1' });
      expect(document.createdAt).toBe(NOW.toISOString());
      expect(parseKeyDocument(serializeKeyDocument(document))).toEqual(document);
    },
  );

  it.each<HmacAlgorithm>(['HS256', 'HS384', 'HS512'])(
    'asks the random source for 64 bytes for %s',
    (alg) => {
      // GIVEN
      const requested: number[] = [];
      const randomBytes = (size: number): Uint8Array => {
        requested.push(size);
        return new Uint8Array(size).fill(1);
      };

      // WHEN
      generateKeyDocument({ alg, kid: 'x', now: NOW, randomBytes });

      // THEN
      expect(requested).toEqual([NEW_HMAC_KEY_BYTES]);
      expect(NEW_HMAC_KEY_BYTES).toBe(64);
    },
  );

  it('names the previous and the next key when told', () => {
    // WHEN
    const document = generateKeyDocument({
      alg: 'HS256',
      kid: 'version-2',
      now: NOW,
      previousKid: 'version-1',
      nextKid: 'version-3',
    });

    // THEN
    expect(document).toMatchObject({ previousKid: 'version-1', nextKid: 'version-3' });
    expect(parseKeyDocument(serializeKeyDocument(document))).toEqual(document);
  });

  it('draws the key bytes from the random source', () => {
    // GIVEN
    const requested: number[] = [];
    const randomBytes = (size: number) => {
      requested.push(size);
      return new Uint8Array(size).fill(0xab);
    };

    // WHEN
    const document = generateKeyDocument({ alg: 'HS512', kid: 'x', now: NOW, randomBytes });

    // THEN
    expect(requested).toEqual([64]);
    expect(Buffer.from(document.k, 'base64url').every((byte) => byte === 0xab)).toBe(true);
  });

  it('gives two calls different keys', () => {
    const first = generateKeyDocument({ alg: 'HS256', kid: 'a', now: NOW });
    const second = generateKeyDocument({ alg: 'HS256', kid: 'b', now: NOW });
    expect(first.k).not.toBe(second.k);
  });

  it('fails when the random source returns too few bytes', () => {
    expect(() =>
      generateKeyDocument({
        alg: 'HS256',
        kid: 'x',
        now: NOW,
        randomBytes: () => new Uint8Array(3),
      }),
    ).toThrow(RangeError);
  });
});

describe('Function: parseKeyDocument', () => {
  it('accepts a document without use, createdAt or grace (a hand-made or first key)', () => {
    const document = parseKeyDocument(
      JSON.stringify({
        kty: 'oct',
        alg: 'HS384',
        kid: 'first',
        k: Buffer.alloc(48, 1).toString('base64url'),
      }),
    );
    expect(document.use).toBe('sig');
    expect(document.createdAt).toBeUndefined();
    expect(previousKeyGraceEndsAt(document)).toBeUndefined();
  });

  it('reads the grace end from createdAt and previousKeyGraceSeconds', () => {
    const document = parseKeyDocument(
      documentWith({ createdAt: '2026-01-01T00:00:00Z', previousKeyGraceSeconds: 3600 }),
    );
    expect(previousKeyGraceEndsAt(document)).toBe(Date.parse('2026-01-01T01:00:00Z'));
  });

  it.each<[string, string, KeyDocumentErrorCode]>([
    ['not JSON', 'this is not json', 'ERR_KEY_DOCUMENT_NOT_JSON'],
    ['an empty string', '', 'ERR_KEY_DOCUMENT_NOT_JSON'],
    ['a JSON array', '[]', 'ERR_KEY_DOCUMENT_NOT_OBJECT'],
    ['JSON null', 'null', 'ERR_KEY_DOCUMENT_NOT_OBJECT'],
    ['a JSON string', '"abc"', 'ERR_KEY_DOCUMENT_NOT_OBJECT'],
    ['kty RSA', documentWith({ kty: 'RSA' }), 'ERR_KEY_DOCUMENT_WRONG_KTY'],
    ['no kty', documentWith({ kty: undefined }), 'ERR_KEY_DOCUMENT_WRONG_KTY'],
    [
      'alg RS256 with kty oct (the alg decides the kty)',
      documentWith({ alg: 'RS256' }),
      'ERR_KEY_DOCUMENT_WRONG_KTY',
    ],
    ['alg none', documentWith({ alg: 'none' }), 'ERR_KEY_DOCUMENT_WRONG_ALG'],
    ['alg A256GCM', documentWith({ alg: 'A256GCM' }), 'ERR_KEY_DOCUMENT_WRONG_ALG'],
    ['lower-case alg', documentWith({ alg: 'hs256' }), 'ERR_KEY_DOCUMENT_WRONG_ALG'],
    ['no alg', documentWith({ alg: undefined }), 'ERR_KEY_DOCUMENT_WRONG_ALG'],
    ['use enc', documentWith({ use: 'enc' }), 'ERR_KEY_DOCUMENT_WRONG_USE'],
    ['key_ops encrypt', documentWith({ key_ops: ['encrypt'] }), 'ERR_KEY_DOCUMENT_WRONG_KEY_OPS'],
    ['no kid', documentWith({ kid: undefined }), 'ERR_KEY_DOCUMENT_MISSING_KID'],
    ['empty kid', documentWith({ kid: '' }), 'ERR_KEY_DOCUMENT_MISSING_KID'],
    ['numeric kid', documentWith({ kid: 7 }), 'ERR_KEY_DOCUMENT_MISSING_KID'],
    [
      'kid of 257 characters',
      documentWith({ kid: 'x'.repeat(257) }),
      'ERR_KEY_DOCUMENT_MISSING_KID',
    ],
    ['no k', documentWith({ k: undefined }), 'ERR_KEY_DOCUMENT_MISSING_KEY'],
    ['empty k', documentWith({ k: '' }), 'ERR_KEY_DOCUMENT_MISSING_KEY'],
    [
      'padded base64',
      documentWith({ k: Buffer.alloc(32, 7).toString('base64') }),
      'ERR_KEY_DOCUMENT_NON_CANONICAL_KEY',
    ],
    [
      'standard base64 characters',
      documentWith({ k: `${VALID_K.slice(0, -2)}+/` }),
      'ERR_KEY_DOCUMENT_NON_CANONICAL_KEY',
    ],
    [
      'non-zero trailing bits',
      documentWith({
        k: `${VALID_K.slice(0, -1)}${String.fromCharCode(VALID_K.charCodeAt(42) + 1)}`,
      }),
      'ERR_KEY_DOCUMENT_NON_CANONICAL_KEY',
    ],
    ['white space in k', documentWith({ k: ` ${VALID_K}` }), 'ERR_KEY_DOCUMENT_NON_CANONICAL_KEY'],
    [
      'HS256 with 31 bytes',
      documentWith({ k: Buffer.alloc(31, 1).toString('base64url') }),
      'ERR_KEY_DOCUMENT_KEY_TOO_SHORT',
    ],
    [
      'HS384 with 47 bytes',
      documentWith({ alg: 'HS384', k: Buffer.alloc(47, 1).toString('base64url') }),
      'ERR_KEY_DOCUMENT_KEY_TOO_SHORT',
    ],
    [
      'HS512 with 63 bytes',
      documentWith({ alg: 'HS512', k: Buffer.alloc(63, 1).toString('base64url') }),
      'ERR_KEY_DOCUMENT_KEY_TOO_SHORT',
    ],
    [
      'createdAt not a date',
      documentWith({ createdAt: 'yesterday' }),
      'ERR_KEY_DOCUMENT_BAD_CREATED_AT',
    ],
    [
      'createdAt without zone',
      documentWith({ createdAt: '2026-01-01T00:00:00' }),
      'ERR_KEY_DOCUMENT_BAD_CREATED_AT',
    ],
    ['negative grace', documentWith({ previousKeyGraceSeconds: -1 }), 'ERR_KEY_DOCUMENT_BAD_GRACE'],
    [
      'fractional grace',
      documentWith({ previousKeyGraceSeconds: 1.5 }),
      'ERR_KEY_DOCUMENT_BAD_GRACE',
    ],
    [
      'grace as a string',
      documentWith({ previousKeyGraceSeconds: '60' }),
      'ERR_KEY_DOCUMENT_BAD_GRACE',
    ],
  ])('fails when the value is %s', (_case, text, code) => {
    expect(codeOf(() => parseKeyDocument(text))).toBe(code);
  });

  it('names the source in the message and never echoes the key', () => {
    // GIVEN a hand-written secret holding a short key
    const shortKey = Buffer.alloc(16, 0x5a).toString('base64url');

    // WHEN
    let message = '';
    try {
      parseKeyDocument(documentWith({ k: shortKey }), { source: 'secret "jwt" (AWSCURRENT)' });
    } catch (error) {
      message = (error as Error).message;
    }

    // THEN
    expect(message).toContain('secret "jwt" (AWSCURRENT)');
    expect(message).toContain('HS256');
    expect(message).not.toContain(shortKey);
  });

  it('does not leak a non-JSON value in its message', () => {
    const secretLookingText = 'hunter2-super-secret-value';
    const error = (() => {
      try {
        parseKeyDocument(secretLookingText);
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    expect(error?.message).not.toContain('hunter2');
  });
});

describe('Function: promotedDocument', () => {
  const standby = generateKeyDocument({ alg: 'HS256', kid: 'standby', now: NOW, nextKid: 'x' });
  const members = {
    createdAt: '2026-02-01T00:00:00.000Z',
    previousKeyGraceSeconds: 3600,
    nextKid: 'next',
    previousKid: 'old',
  };

  it("keeps the standby's kid and key members and writes ours anew", () => {
    // WHEN
    const promoted = promotedDocument(standby, members);

    // THEN
    expect(promoted).toEqual({ ...keyMembersOf(standby), use: 'sig', kid: 'standby', ...members });
    expect(parseKeyDocument(serializeKeyDocument(promoted))).toEqual(promoted);
  });

  it('carries over no member it does not name (an allow-list, not a deny-list)', () => {
    // GIVEN a standby holding a member the format may gain later, and a legacy member
    const extended = { ...standby, futureMember: 'x', legacy: {} } as unknown as KeyDocument;

    // WHEN
    const promoted = promotedDocument(extended, members) as unknown as Record<string, unknown>;

    // THEN
    expect(Object.keys(promoted).sort()).toEqual([
      'alg',
      'createdAt',
      'k',
      'kid',
      'kty',
      'nextKid',
      'previousKeyGraceSeconds',
      'previousKid',
      'use',
    ]);
  });

  it('names no previous key when there is none, or when it is its own kid', () => {
    expect(promotedDocument(standby, { ...members, previousKid: undefined })).not.toHaveProperty(
      'previousKid',
    );
    expect(promotedDocument(standby, { ...members, previousKid: 'standby' })).not.toHaveProperty(
      'previousKid',
    );
  });
});
