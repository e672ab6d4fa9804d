/**
 * Legacy key documents: what `jwt-keys import` writes for a team's static secret. Short keys
 * are accepted on legacy documents only; the legacy member is strict; an HMAC (legacy) key has
 * no public half to publish.
 */
import {
  generateKeyDocument,
  graceForSuccessorOf,
  isLegacyKeyDocument,
  legacyKeyStrength,
  makeKeyDocument,
  makeLegacyKeyDocument,
  parseKeyDocument,
  publicJwk,
  serializeKeyDocument,
  type AsymmetricKeyDocument,
} from '../../key-document';

import { codeOf } from './support';

const NOW = new Date(Date.UTC(2026, 0, 1));
const LEGACY = { graceSeconds: 86_760, tokensWithoutExp: 'refuse' } as const;

function legacyDocument(key = Buffer.from('shh', 'utf8')) {
  return makeLegacyKeyDocument({ alg: 'HS256', kid: 'legacy-1', key, now: NOW, legacy: LEGACY });
}

describe('Function: makeLegacyKeyDocument', () => {
  it('writes an HS256 JWK with its legacy member, which parses back to the same document', () => {
    // WHEN
    const document = legacyDocument();
    const text = serializeKeyDocument(document);

    // THEN
    expect(JSON.parse(text)).toEqual({
      kty: 'oct',
      alg: 'HS256',
      use: 'sig',
      kid: 'legacy-1',
      k: Buffer.from('shh').toString('base64url'),
      createdAt: NOW.toISOString(),
      legacy: LEGACY,
    });
    const parsed = parseKeyDocument(text);
    expect(parsed).toEqual(document);
    expect(isLegacyKeyDocument(parsed)).toBe(true);
  });

  it('says how short the key is against its hash', () => {
    expect(legacyKeyStrength(legacyDocument())).toEqual({
      keyBytes: 3,
      minimumBytes: 32,
      short: true,
    });
    expect(legacyKeyStrength(legacyDocument(Buffer.alloc(32, 7)))).toMatchObject({ short: false });
  });

  it('fails on an empty key', () => {
    expect(() => legacyDocument(Buffer.alloc(0))).toThrow(RangeError);
  });
});

describe('Function: parseKeyDocument, legacy documents', () => {
  const base = JSON.parse(serializeKeyDocument(legacyDocument())) as Record<string, unknown>;

  it('accepts a short key on a legacy document only', () => {
    const plain = Object.fromEntries(Object.entries(base).filter(([name]) => name !== 'legacy'));
    expect(codeOf(() => parseKeyDocument(JSON.stringify(base)))).toBeUndefined();
    expect(codeOf(() => parseKeyDocument(JSON.stringify(plain)))).toBe(
      'ERR_KEY_DOCUMENT_KEY_TOO_SHORT',
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an empty key', { k: '' }, 'ERR_KEY_DOCUMENT_MISSING_KEY'],
    ['legacy that is not an object', { legacy: true }, 'ERR_KEY_DOCUMENT_BAD_LEGACY'],
    [
      'a negative grace',
      { legacy: { ...LEGACY, graceSeconds: -1 } },
      'ERR_KEY_DOCUMENT_BAD_LEGACY',
    ],
    [
      'a grace in text',
      { legacy: { ...LEGACY, graceSeconds: '3600' } },
      'ERR_KEY_DOCUMENT_BAD_LEGACY',
    ],
    ['no exp policy', { legacy: { graceSeconds: 60 } }, 'ERR_KEY_DOCUMENT_BAD_LEGACY'],
    [
      'an unknown exp policy',
      { legacy: { ...LEGACY, tokensWithoutExp: 'accept' } },
      'ERR_KEY_DOCUMENT_BAD_LEGACY',
    ],
    [
      'an unknown legacy member',
      { legacy: { ...LEGACY, graceSecs: 60 } },
      'ERR_KEY_DOCUMENT_BAD_LEGACY',
    ],
  ])('fails on %s', (_name, change, code) => {
    expect(codeOf(() => parseKeyDocument(JSON.stringify({ ...base, ...change })))).toBe(code);
  });

  it('fails on an asymmetric key marked legacy', async () => {
    const es = await makeKeyDocument({ alg: 'ES256', kid: 'es', now: NOW });
    const marked = { ...JSON.parse(serializeKeyDocument(es)), legacy: LEGACY };
    expect(codeOf(() => parseKeyDocument(JSON.stringify(marked)))).toBe(
      'ERR_KEY_DOCUMENT_BAD_LEGACY',
    );
  });

  it('never echoes the key in its messages', () => {
    const secret = 'my-static-secret';
    const text = JSON.stringify({
      ...base,
      k: Buffer.from(secret).toString('base64url'),
      legacy: { ...LEGACY, graceSeconds: 'x' },
    });
    try {
      parseKeyDocument(text);
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as Error).message).not.toContain(Buffer.from(secret).toString('base64url'));
      expect((error as Error).message).not.toContain(secret);
    }
  });
});

describe('Function: graceForSuccessorOf', () => {
  it('grants a legacy key the longer of its own grace and the configured one', () => {
    expect(graceForSuccessorOf(legacyDocument(), 3600)).toBe(86_760);
    expect(graceForSuccessorOf(legacyDocument(), 200_000)).toBe(200_000);
  });

  it('grants any other key the configured grace', () => {
    const plain = generateKeyDocument({ alg: 'HS256', kid: 'k', now: NOW });
    expect(graceForSuccessorOf(plain, 3600)).toBe(3600);
    expect(graceForSuccessorOf(undefined, 3600)).toBe(3600);
  });
});

describe('Function: publicJwk', () => {
  it.each([
    ['a legacy key', () => legacyDocument()],
    ['an HMAC key', () => generateKeyDocument({ alg: 'HS256', kid: 'k', now: NOW })],
  ])('refuses %s: it has no public half and is never published', (_name, make) => {
    expect(codeOf(() => publicJwk(make() as unknown as AsymmetricKeyDocument))).toBe(
      'ERR_KEY_DOCUMENT_NOT_PUBLISHABLE',
    );
  });
});
