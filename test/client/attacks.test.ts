/**
 * Hand-made attack tokens (RFC 8725 and the classic JWT attacks) and the time-claim boundaries.
 * Every token here is refused with the stable code a caller would switch on.
 */
import { createHmac, createPublicKey } from 'node:crypto';

import { type JwtKeyRing } from '../../client';
import {
  ASYMMETRIC_ALGORITHMS,
  type AsymmetricKeyDocument,
  generateKeyDocument,
  publicJwk,
} from '../../key-document';

import {
  asymmetricTarget,
  GOOD_CLAIMS,
  hmacTarget,
  NOW,
  timeClaimBoundaries,
  tokenAttacks,
} from './attack-table';
import {
  asymmetricKey,
  asymmetricToken,
  compact,
  hmacToken,
  key,
  strictJwksVerifier,
  strictRing,
} from './support';

const K1 = key('k1', NOW);
const ATTACKER = generateKeyDocument({ alg: 'HS256', kid: 'k1', now: new Date(NOW) });
const HEADER = { alg: 'HS256', kid: 'k1', typ: 'JWT' };

/** What the tables need of a verifier: JwtKeyRing and JwksVerifier both are one. */
interface TokenVerifier {
  verify(token: string): Promise<{ readonly payload: unknown }>;
}

function ring(): JwtKeyRing {
  return strictRing(K1, NOW);
}

const good = hmacToken(HEADER, GOOD_CLAIMS, K1);
const [goodHeader, goodPayload, goodSignature] = good.split('.') as [string, string, string];
const signatureOneByteShort = Buffer.from(goodSignature, 'base64url')
  .subarray(0, 31)
  .toString('base64url');

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Sets the lowest bit of the last character, a bit no byte uses when the length is not a multiple of 4. */
function withSpareBitSet(part: string): string {
  const last = BASE64URL.indexOf(part.slice(-1));
  return part.slice(0, -1) + BASE64URL.charAt(last | 1);
}

describe('attack tokens', () => {
  it('accepts the well-formed token the attacks start from', async () => {
    await expect(ring().verify(good)).resolves.toMatchObject({ payload: GOOD_CLAIMS });
  });

  it.each<[string, string, string]>([
    ...tokenAttacks(hmacTarget(K1, ATTACKER)),
    [
      'alg switched to HS512, signed with the same key',
      hmacToken({ alg: 'HS512', kid: 'k1' }, GOOD_CLAIMS, K1, 'sha512'),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'alg switched to HS384, signed with the same key',
      hmacToken({ alg: 'HS384', kid: 'k1' }, GOOD_CLAIMS, K1, 'sha384'),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'RS256 header, HMAC with the key as "public key"',
      hmacToken({ alg: 'RS256', kid: 'k1' }, GOOD_CLAIMS, K1),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'ES256 header',
      hmacToken({ alg: 'ES256', kid: 'k1' }, GOOD_CLAIMS, K1),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'Ed25519 header (RFC 9864), HMAC with the key',
      hmacToken({ alg: 'Ed25519', kid: 'k1' }, GOOD_CLAIMS, K1),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    // Dropping the last character of a 43-character HS256 signature leaves 31 bytes and four
    // spare bits, which are zero for 1 key in 16: the two outcomes are pinned down separately.
    [
      'signature truncated by one character, spare bits set',
      `${goodHeader}.${goodPayload}.${withSpareBitSet(signatureOneByteShort)}`,
      'ERR_JWT_MALFORMED',
    ],
    [
      'signature one byte short',
      `${goodHeader}.${goodPayload}.${signatureOneByteShort}`,
      'ERR_JWT_SIGNATURE_INVALID',
    ],
  ])('refuses %s', async (_name, token, code) => {
    await expect(ring().verify(token)).rejects.toMatchObject({ name: 'JwtKeyRingError', code });
  });

  it('reads a __proto__ claim as data, never into the prototype', async () => {
    // GIVEN a validly signed token whose payload carries __proto__
    const token = hmacToken(
      HEADER,
      `{"__proto__":{"admin":true},"iss":"https://issuer","aud":"api","exp":${NOW / 1000 + 600}}`,
      K1,
    );

    // WHEN
    const { payload } = await ring().verify(token);

    // THEN
    expect(({} as { admin?: boolean }).admin).toBeUndefined();
    expect((payload as { admin?: boolean }).admin).toBeUndefined();
  });
});

describe('time-claim boundaries (tolerance 60 s)', () => {
  it.each(timeClaimBoundaries())('%s', async (_name, claims, code) => {
    const token = hmacToken(HEADER, { ...GOOD_CLAIMS, ...claims }, K1);
    await expect(codeOf(ring(), token)).resolves.toBe(code);
  });
});

/**
 * The verifiers of asymmetric keys: JwtKeyRing (the key read from the secret) and JwksVerifier
 * (its public half read from a key set), given the same victim key and policy.
 */
const ASYMMETRIC_VERIFIERS: [string, (victim: AsymmetricKeyDocument) => TokenVerifier][] = [
  ['JwtKeyRing', (victim) => strictRing(victim, NOW)],
  ['JwksVerifier', (victim) => strictJwksVerifier(victim, NOW)],
];

/** A victim key and an attacker's key under the same kid, per algorithm: made once, shared. */
const KEY_PAIRS = new Map<
  AsymmetricKeyDocument['alg'],
  Promise<{ victim: AsymmetricKeyDocument; attacker: AsymmetricKeyDocument }>
>();

function keysOf(
  alg: AsymmetricKeyDocument['alg'],
): Promise<{ victim: AsymmetricKeyDocument; attacker: AsymmetricKeyDocument }> {
  let pair = KEY_PAIRS.get(alg);
  if (pair === undefined) {
    pair = Promise.all([asymmetricKey(alg, 'k1', NOW), asymmetricKey(alg, 'k1', NOW)]).then(
      ([victim, attacker]) => ({ victim, attacker }),
    );
    KEY_PAIRS.set(alg, pair);
  }
  return pair;
}

/** RSA key generation takes seconds on a loaded machine. */
const KEY_GENERATION_TIMEOUT_MS = 60_000;

describe.each(ASYMMETRIC_VERIFIERS)('%s: the attack table', (_verifierName, verifierFor) => {
  describe.each(ASYMMETRIC_ALGORITHMS)('against a %s key', (alg) => {
    let victim: AsymmetricKeyDocument;
    let attacker: AsymmetricKeyDocument;
    beforeAll(async () => {
      ({ victim, attacker } = await keysOf(alg));
    }, KEY_GENERATION_TIMEOUT_MS);

    it('refuses every attack of the table, each with its code', async () => {
      // GIVEN the table built for this key
      const attacks = tokenAttacks(asymmetricTarget(victim, attacker));
      const verifier = verifierFor(victim);

      // WHEN
      const codes = await Promise.all(attacks.map(([, token]) => codeOf(verifier, token)));

      // THEN
      expect(attacks.map(([name], index) => [name, codes[index]])).toEqual(
        attacks.map(([name, , code]) => [name, code]),
      );
    });

    it('holds the time-claim boundaries', async () => {
      const boundaries = timeClaimBoundaries();
      const verifier = verifierFor(victim);
      const codes = await Promise.all(
        boundaries.map(([, claims]) =>
          codeOf(verifier, asymmetricToken(headerOf(alg), { ...GOOD_CLAIMS, ...claims }, victim)),
        ),
      );
      expect(codes).toEqual(boundaries.map(([, , code]) => code));
    });
  });
});

/**
 * The same attacks against each asymmetric key type, and the algorithm-confusion attacks that
 * only they allow: the algorithm comes from the key the kid names, never from the token.
 */
describe.each(
  ASYMMETRIC_ALGORITHMS.flatMap((alg) =>
    ASYMMETRIC_VERIFIERS.map(([name, verifierFor]) => [alg, name, verifierFor] as const),
  ),
)('attack tokens against a %s key, verified by %s', (alg, _verifierName, verifierFor) => {
  let victim: AsymmetricKeyDocument;
  let attacker: AsymmetricKeyDocument;
  let asymmetricRing: TokenVerifier;
  /** A valid token of another asymmetric algorithm, signed with a key of that type. */
  let otherAlgorithms: [string, string][];
  beforeAll(async () => {
    ({ victim, attacker } = await keysOf(alg));
    asymmetricRing = verifierFor(victim);
    otherAlgorithms = [];
    for (const other of ASYMMETRIC_ALGORITHMS.filter((candidate) => candidate !== alg)) {
      // A key of another type under the same kid (another algorithm's attacker key).
      const foreign = (await keysOf(other)).attacker;
      otherAlgorithms.push([
        other,
        asymmetricToken({ alg: other, kid: 'k1' }, GOOD_CLAIMS, foreign),
      ]);
      if (other === 'EdDSA') {
        // The same Ed25519 key's token under RFC 9864's name: still not this key's algorithm.
        otherAlgorithms.push([
          'Ed25519',
          asymmetricToken({ alg: 'Ed25519', kid: 'k1' }, GOOD_CLAIMS, foreign),
        ]);
      }
    }
  }, KEY_GENERATION_TIMEOUT_MS);

  /** Every form of the public key an attacker might feed to HMAC as its secret. */
  function publicKeyForms(): [string, Buffer][] {
    const jwk = publicJwk(victim);
    const publicKey = createPublicKey({ key: { ...jwk }, format: 'jwk' });
    const member = (name: string): Buffer => Buffer.from(jwk[name] ?? '', 'base64url');
    return [
      ['PEM (SPKI)', Buffer.from(publicKey.export({ type: 'spki', format: 'pem' }))],
      ['DER (SPKI)', publicKey.export({ type: 'spki', format: 'der' })],
      ['the public JWK as JSON', Buffer.from(JSON.stringify(jwk))],
      [
        'the raw public member bytes',
        alg === 'RS256'
          ? member('n')
          : alg === 'ES256'
            ? Buffer.concat([Buffer.from([4]), member('x'), member('y')])
            : member('x'),
      ],
    ];
  }

  it('accepts the well-formed token the attacks start from', async () => {
    const token = asymmetricToken(headerOf(alg), GOOD_CLAIMS, victim);
    await expect(asymmetricRing.verify(token)).resolves.toMatchObject({ payload: GOOD_CLAIMS });
  });

  it.each(['HS256', 'HS384', 'HS512'] as const)(
    'fails when an %s token is signed with the public key as the HMAC secret, in every form',
    async (hmacAlg) => {
      // GIVEN HMAC tokens whose secret is the public key in some form, under the key's kid
      const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[hmacAlg];
      const forms = publicKeyForms();
      const tokens = forms.map(([, secret]) => {
        const input = compact({ alg: hmacAlg, kid: 'k1' }, GOOD_CLAIMS).slice(0, -1);
        return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
      });

      // WHEN
      const codes = await Promise.all(tokens.map((token) => codeOf(asymmetricRing, token)));

      // THEN each is refused for its algorithm, before any signature is computed
      expect(codes).toEqual(forms.map(() => 'ERR_JWT_ALG_NOT_ALLOWED'));
    },
  );

  it.each<[string, () => string, string]>([
    [
      'alg none, no signature',
      () => compact({ alg: 'none', kid: 'k1' }, GOOD_CLAIMS),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'alg none with the valid signature',
      () => {
        const signature = asymmetricToken(headerOf(alg), GOOD_CLAIMS, victim).split('.')[2]!;
        return compact({ alg: 'none', kid: 'k1' }, GOOD_CLAIMS, signature);
      },
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'the algorithm name in another case',
      () => asymmetricToken({ alg: alg.toLowerCase(), kid: 'k1' }, GOOD_CLAIMS, victim),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'RFC 9864’s Ed25519 in another case (ed25519, ED25519)',
      () =>
        asymmetricToken(
          { alg: alg === 'EdDSA' ? 'ed25519' : 'ED25519', kid: 'k1' },
          GOOD_CLAIMS,
          victim,
        ),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'Ed25519 with the forgery of small-order keys (R = identity, S = 0)',
      () =>
        compact(
          { alg: 'Ed25519', kid: 'k1' },
          GOOD_CLAIMS,
          Buffer.concat([Buffer.from([1]), Buffer.alloc(63)]).toString('base64url'),
        ),
      alg === 'EdDSA' ? 'ERR_JWT_SIGNATURE_INVALID' : 'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'Ed25519, signed by another key of the same type under the same kid',
      () => asymmetricToken({ alg: 'Ed25519', kid: 'k1' }, GOOD_CLAIMS, attacker),
      alg === 'EdDSA' ? 'ERR_JWT_SIGNATURE_INVALID' : 'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'PS256 instead of RS256 (the same key type, another scheme)',
      () => asymmetricToken({ alg: 'PS256', kid: 'k1' }, GOOD_CLAIMS, victim),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'signed by another key of the same type under the same kid',
      () => asymmetricToken(headerOf(alg), GOOD_CLAIMS, attacker),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'the attacker’s public key embedded in the header (jwk)',
      () => asymmetricToken({ ...headerOf(alg), jwk: publicJwk(attacker) }, GOOD_CLAIMS, attacker),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'a jku pointing at the attacker’s key set',
      () =>
        asymmetricToken({ ...headerOf(alg), jku: 'https://attacker/jwks' }, GOOD_CLAIMS, attacker),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'an all-zero signature of the right length (CVE-2022-21449)',
      () => {
        const [header, payload, signature] = asymmetricToken(
          headerOf(alg),
          GOOD_CLAIMS,
          victim,
        ).split('.');
        const zeros = Buffer.alloc(Buffer.from(signature!, 'base64url').length).toString(
          'base64url',
        );
        return `${header!}.${payload!}.${zeros}`;
      },
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'the valid signature with a zero byte prepended',
      () => {
        const [header, payload, signature] = asymmetricToken(
          headerOf(alg),
          GOOD_CLAIMS,
          victim,
        ).split('.');
        const longer = Buffer.concat([Buffer.from([0]), Buffer.from(signature!, 'base64url')]);
        return `${header!}.${payload!}.${longer.toString('base64url')}`;
      },
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'the valid signature of other claims',
      () => {
        const [header, , signature] = asymmetricToken(headerOf(alg), GOOD_CLAIMS, victim).split(
          '.',
        );
        const admin = Buffer.from(JSON.stringify({ ...GOOD_CLAIMS, admin: true })).toString(
          'base64url',
        );
        return `${header!}.${admin}.${signature!}`;
      },
      'ERR_JWT_SIGNATURE_INVALID',
    ],
  ])('fails when the token is %s', async (_name, token, code) => {
    await expect(asymmetricRing.verify(token())).rejects.toMatchObject({ code });
  });

  it('accepts Ed25519 (RFC 9864’s name of EdDSA on Ed25519) from an Ed25519 key only', async () => {
    // GIVEN the victim key's own token, its header naming the algorithm Ed25519
    const token = asymmetricToken({ alg: 'Ed25519', kid: 'k1' }, GOOD_CLAIMS, victim);

    // WHEN
    const code = await codeOf(asymmetricRing, token);

    // THEN an Ed25519 key verifies it; an ES256 or RS256 key refuses it for its algorithm
    expect(code).toBe(alg === 'EdDSA' ? undefined : 'ERR_JWT_ALG_NOT_ALLOWED');
  });

  it('fails when the token is validly signed by a key of another asymmetric algorithm', async () => {
    const codes = await Promise.all(
      otherAlgorithms.map(async ([other, token]) => [other, await codeOf(asymmetricRing, token)]),
    );
    expect(codes).toEqual(otherAlgorithms.map(([other]) => [other, 'ERR_JWT_ALG_NOT_ALLOWED']));
  });

  it('fails when an ES256 signature is DER-encoded (only r‖s is JOSE)', async () => {
    // GIVEN a token validly signed, its ECDSA signature in DER (70-72 bytes) instead of r‖s
    if (alg !== 'ES256') return;
    const token = asymmetricToken(headerOf(alg), GOOD_CLAIMS, victim, { der: true });

    // WHEN / THEN
    await expect(asymmetricRing.verify(token)).rejects.toMatchObject({
      code: 'ERR_JWT_SIGNATURE_INVALID',
    });
  });

  it('an HMAC key refuses a token of this algorithm signed by any key', async () => {
    const token = asymmetricToken({ alg, kid: 'k1' }, GOOD_CLAIMS, victim);
    await expect(ring().verify(token)).rejects.toMatchObject({ code: 'ERR_JWT_ALG_NOT_ALLOWED' });
  });

  it('an HMAC key refuses an Ed25519 token signed by any key', async () => {
    const token = asymmetricToken({ alg: 'Ed25519', kid: 'k1' }, GOOD_CLAIMS, victim);
    await expect(ring().verify(token)).rejects.toMatchObject({ code: 'ERR_JWT_ALG_NOT_ALLOWED' });
  });
});

/** The code a ring refuses a token with; undefined when it accepts. */
function codeOf(keyRing: TokenVerifier, token: string): Promise<string | undefined> {
  return keyRing.verify(token).then(
    () => undefined,
    (error: { code: string }) => error.code,
  );
}

function headerOf(alg: string): Record<string, string> {
  return { alg, kid: 'k1', typ: 'JWT' };
}
