/**
 * VerifiedHeaders: a verifier decodes a header it has seen on a verified token only once. The
 * shortcut must skip decoding and nothing else (a token carrying a remembered header is still
 * checked in full), must be filled by verified tokens only, and must stay small.
 */
import { JwtKeyRing } from '../../client';
import { VerifiedHeaders } from '../../client/verified-headers';

import { fakeSecrets, hmacToken, key, SECRET_ID } from './support';

const T0 = Date.UTC(2026, 0, 1);
const NOW_SECONDS = T0 / 1000;

describe('Class: VerifiedHeaders', () => {
  it('finds a header only after it was remembered, frozen, by its exact encoded form', () => {
    // GIVEN
    const headers = new VerifiedHeaders();
    const header = { alg: 'HS256', kid: 'k1', typ: 'JWT' };

    // WHEN
    const before = headers.find('encoded');
    const remembered = headers.remember('encoded', header);

    // THEN
    expect(before).toBeUndefined();
    expect(Object.isFrozen(remembered)).toBe(true);
    expect(headers.find('encoded')).toBe(remembered);
    expect(headers.find('encoded ')).toBeUndefined();
  });

  it('never remembers a header holding an object or an array (it would be shared and mutable)', () => {
    // GIVEN
    const headers = new VerifiedHeaders();
    const withObject = { alg: 'RS256', kid: 'k1', jwk: { kty: 'RSA' } };
    const withArray = { alg: 'RS256', kid: 'k1', x5c: ['MII'] };

    // WHEN
    headers.remember('a', withObject);
    headers.remember('b', withArray);

    // THEN
    expect(headers.find('a')).toBeUndefined();
    expect(headers.find('b')).toBeUndefined();
    expect(Object.isFrozen(withObject)).toBe(false);
  });

  it('holds at most 8, forgetting the oldest first', () => {
    // GIVEN
    const headers = new VerifiedHeaders();

    // WHEN nine headers are remembered
    for (let index = 0; index < 9; index += 1) headers.remember(`h${index}`, { kid: `k${index}` });

    // THEN the first is gone, the other eight are there
    expect(headers.find('h0')).toBeUndefined();
    for (let index = 1; index < 9; index += 1) {
      expect(headers.find(`h${index}`)).toEqual({ kid: `k${index}` });
    }
  });
});

describe('JwtKeyRing with remembered headers', () => {
  const document = key('k1', T0);
  const header = { alg: 'HS256', kid: 'k1', typ: 'JWT' };

  function ring(): JwtKeyRing {
    const secrets = fakeSecrets();
    secrets.setKey('AWSCURRENT', document);
    return new JwtKeyRing({ secretId: SECRET_ID, client: secrets.client, clock: () => T0 });
  }

  function token(payload: Record<string, unknown>): string {
    return hmacToken(header, { exp: NOW_SECONDS + 600, ...payload }, document);
  }

  it('hands every token with the same header one frozen header object', async () => {
    // GIVEN
    const keys = ring();

    // WHEN two tokens with the same header verify
    const first = await keys.verify(token({ sub: 'a' }));
    const second = await keys.verify(token({ sub: 'b' }));

    // THEN
    expect(second.protectedHeader).toBe(first.protectedHeader);
    expect(Object.isFrozen(first.protectedHeader)).toBe(true);
    expect(first.protectedHeader).toEqual(header);
    expect(second.payload.sub).toBe('b');
  });

  it('still checks the signature and the claims of a token whose header it remembers', async () => {
    // GIVEN the header is remembered
    const keys = ring();
    const valid = token({ sub: 'a' });
    await keys.verify(valid);

    // WHEN tokens with that header but a wrong signature, no exp, or an expired exp arrive
    const [encodedHeader, encodedPayload] = valid.split('.');
    const forged = `${encodedHeader}.${encodedPayload}.${'A'.repeat(43)}`;
    const withoutExp = hmacToken(header, { sub: 'a' }, document);
    const expired = token({ exp: NOW_SECONDS - 3600 });
    const nonCanonicalPayload = `${encodedHeader}.${encodedPayload}=.${valid.split('.')[2]}`;

    // THEN each is refused as before
    await expect(keys.verify(forged)).rejects.toMatchObject({ code: 'ERR_JWT_SIGNATURE_INVALID' });
    await expect(keys.verify(withoutExp)).rejects.toMatchObject({ code: 'ERR_JWT_EXP_MISSING' });
    await expect(keys.verify(expired)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
    await expect(keys.verify(nonCanonicalPayload)).rejects.toMatchObject({
      code: 'ERR_JWT_MALFORMED',
    });
  });

  it('remembers no header of a refused token', async () => {
    // GIVEN
    const keys = ring();
    const remember = jest.spyOn(VerifiedHeaders.prototype, 'remember');

    // WHEN only refused tokens arrive, then a valid one
    await expect(keys.verify(token({ exp: NOW_SECONDS - 3600 }))).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    });
    await expect(
      keys.verify(hmacToken({ ...header, extra: 1 }, { exp: NOW_SECONDS + 600 }, key('k1', T0))),
    ).rejects.toMatchObject({ code: 'ERR_JWT_SIGNATURE_INVALID' });
    const refusedCalls = remember.mock.calls.length;
    await keys.verify(token({ sub: 'a' }));

    // THEN only the valid token's header was remembered
    expect(refusedCalls).toBe(0);
    expect(remember).toHaveBeenCalledTimes(1);
    remember.mockRestore();
  });
});
