/**
 * JwtKeyRing and a legacy key (an imported static secret): a token without kid verifies with it
 * and only with it, with its own algorithm, within its grace, without exp only when the import
 * chose so; it never signs.
 */
import { JwtKeyRing, JwtKeyRingError } from '../../client';
import { type KeyDocument, makeLegacyKeyDocument } from '../../key-document';
import { KEY_ROTATED } from '../../rotation-events';

import { fakeSecrets, type FakeSecrets, hmacToken, key, SECRET_ID } from './support';

const T0 = Date.UTC(2026, 0, 1);
const GRACE_S = 3600;

function legacy(tokensWithoutExp: 'refuse' | 'accept-until-grace-end'): KeyDocument {
  return makeLegacyKeyDocument({
    alg: 'HS256',
    kid: 'legacy',
    key: Buffer.from('shh'),
    now: new Date(T0 - 1000),
    legacy: { graceSeconds: GRACE_S, tokensWithoutExp },
  });
}

describe('Class: JwtKeyRing, legacy key', () => {
  let secrets: FakeSecrets;
  let now: number;
  let ring: JwtKeyRing;

  beforeEach(() => {
    secrets = fakeSecrets();
    now = T0;
    ring = new JwtKeyRing({ secretId: SECRET_ID, client: secrets.client, clock: () => now });
  });

  async function outcome(token: string): Promise<string> {
    try {
      const verified = await ring.verify(token);
      return verified.legacy ? `legacy ${verified.stage}` : `ok ${verified.stage}`;
    } catch (error) {
      if (error instanceof JwtKeyRingError) return error.code;
      throw error;
    }
  }

  const iat = Math.floor(T0 / 1000);
  const kidless = (document: KeyDocument, payload: Record<string, unknown>, alg = 'HS256') =>
    hmacToken({ alg, typ: 'JWT' }, { iat, ...payload }, document);

  describe('while it is AWSCURRENT (between the import and its rotation)', () => {
    it('verifies a kid-less token with it, refuses one without exp unless accepted, and never signs', async () => {
      // GIVEN
      const refusing = legacy('refuse');
      secrets.setKey('AWSCURRENT', refusing);

      // THEN
      expect(await outcome(kidless(refusing, { exp: iat + 600 }))).toBe('legacy AWSCURRENT');
      expect(await outcome(kidless(refusing, {}))).toBe('ERR_JWT_EXP_MISSING');
      await expect(ring.sign({ sub: 'u' })).rejects.toMatchObject({
        code: 'ERR_LEGACY_KEY_CANNOT_SIGN',
      });
    });

    it('accepts a token without exp when the import chose to', async () => {
      const accepting = legacy('accept-until-grace-end');
      secrets.setKey('AWSCURRENT', accepting);

      expect(await outcome(kidless(accepting, {}))).toBe('legacy AWSCURRENT');
    });
  });

  describe('as AWSPREVIOUS', () => {
    const current = key('k1', T0, { graceSeconds: GRACE_S, previousKid: 'legacy' });
    const accepting = legacy('accept-until-grace-end');

    beforeEach(() => {
      secrets.setKey('AWSCURRENT', current);
      secrets.setKey('AWSPREVIOUS', accepting);
    });

    it('verifies kid-less tokens until the grace ends, not a millisecond later', async () => {
      const token = kidless(accepting, {});
      now = T0 + GRACE_S * 1000 - 1;
      expect(await outcome(token)).toBe('legacy AWSPREVIOUS');
      now = T0 + GRACE_S * 1000;
      expect(await outcome(token)).toBe('ERR_JWT_PREVIOUS_KEY_EXPIRED');
    });

    it.each<[string, () => string, string]>([
      [
        'a token naming the legacy kid',
        () => hmacToken({ alg: 'HS256', kid: 'legacy' }, { exp: iat + 60 }, accepting),
        'ERR_JWT_UNKNOWN_KID',
      ],
      [
        'a kid-less token of another algorithm',
        () => kidless(accepting, { exp: iat + 60 }, 'HS512'),
        'ERR_JWT_ALG_NOT_ALLOWED',
      ],
      [
        'a kid-less token signed with the current key',
        () => kidless(current, { exp: iat + 60 }),
        'ERR_JWT_SIGNATURE_INVALID',
      ],
      [
        'an empty kid',
        () => hmacToken({ alg: 'HS256', kid: '' }, { exp: iat + 60 }, accepting),
        'ERR_JWT_UNKNOWN_KID',
      ],
      [
        'a kid that is no string',
        () => hmacToken({ alg: 'HS256', kid: 7 }, { exp: iat + 60 }, accepting),
        'ERR_JWT_UNKNOWN_KID',
      ],
    ])('refuses %s', async (_name, make, code) => {
      expect(await outcome(make())).toBe(code);
    });

    it('keeps requiring exp for tokens of the current key', async () => {
      const token = hmacToken({ alg: 'HS256', kid: 'k1', typ: 'JWT' }, { iat }, current);
      expect(await outcome(token)).toBe('ERR_JWT_EXP_MISSING');
    });

    it('signs with the current key, whose tokens are not legacy', async () => {
      expect(await ring.verify(await ring.sign())).toMatchObject({ legacy: false, kid: 'k1' });
    });
  });

  it('refuses a kid-less token when the secret holds no legacy key', async () => {
    const plain = key('k1', T0);
    secrets.setKey('AWSCURRENT', plain);
    expect(await outcome(kidless(plain, { exp: iat + 60 }))).toBe('ERR_JWT_UNKNOWN_KID');
  });
});

describe('Class: JwtKeyRing, events for a replica', () => {
  it('takes an event naming the primary ARN when it was given the replica ARN', async () => {
    // GIVEN a ring in eu-west-1 that knows the secret by its replica's ARN
    const secrets = fakeSecrets();
    secrets.setKey('AWSCURRENT', key('k1', T0));
    const primary = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SECRET_ID}-AbCdEf`;
    const replica = primary.replace(':us-east-1:', ':eu-west-1:');
    const ring = new JwtKeyRing({ secretId: replica, client: secrets.client, clock: () => T0 });
    const event = (secretArn: string) => ({
      source: 'rotating-jwt-keys',
      'detail-type': KEY_ROTATED,
      detail: {
        secretArn,
        algorithm: 'HS256',
        rotatedAt: new Date(T0).toISOString(),
        current: { versionId: 'v-k2', kid: 'k2' },
        previous: { versionId: 'v-k1', kid: 'k1' },
        previousGraceEndsAt: null,
        droppedEarly: null,
      },
    });

    // WHEN / THEN
    expect(await ring.handleRotationEvent(event(primary))).toBe(true);
    expect(await ring.handleRotationEvent(event(primary.replace('AbCdEf', 'ZzZzZz')))).toBe(false);
  });
});
