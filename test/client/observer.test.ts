/**
 * What JwtKeyRing tells its observer: each token's outcome (accepted by stage, refused by code
 * with the token's kid and the stage of the key it names), each read of the keys with its
 * cause, and what it logs about refused tokens (rate-limited, never the token).
 */
import {
  JwksVerifier,
  JwtKeyRing,
  JwtKeyRingError,
  REFUSED_TOKEN_WARNING,
  verificationStageOf,
} from '../../client';
import { SUSPICIOUS_REFUSAL_CODES } from '../../contract/metrics';
import { type AsymmetricKeyDocument, makeLegacyKeyDocument, publicJwk } from '../../key-document';
import { EVENT_SOURCE, KEY_ROTATED } from '../../rotation-events';

import {
  FAILING_URLS,
  NOW as SET_READS_START,
  READS_OF_EACH_CAUSE,
  readFailing,
  readForEachCause,
} from './key-set-reads';
import {
  CURRENT,
  type Heard,
  NOW,
  PREVIOUS,
  recordingObserver,
  ringFor,
  TOKEN_CASES,
  verifyCase,
} from './observer-support';
import {
  asymmetricKey,
  asymmetricToken,
  compact,
  fakeSecrets,
  hmacToken,
  key,
  SECRET_ID,
} from './support';

const CLAIMS = { sub: 'user', iat: NOW / 1000, exp: NOW / 1000 + 600 };

describe('Interface: VerificationObserver', () => {
  describe('Method: accepted / refused', () => {
    it.each(TOKEN_CASES.map((tokenCase) => [tokenCase.name, tokenCase] as const))(
      'hears one outcome for a token: %s',
      async (_name, tokenCase) => {
        // GIVEN a ring with a recording observer, its keys loaded as the case needs
        const observer = recordingObserver();
        const { ring, clock } = await ringFor(tokenCase, observer);

        // WHEN the token is verified
        await verifyCase(ring, clock, tokenCase);

        // THEN the observer heard exactly that outcome
        expect(observer.heard).toEqual([tokenCase.heard]);
      },
    );

    it('the table covers every error code verify can reject with, and both stages', () => {
      const codes = new Set(
        TOKEN_CASES.flatMap((tokenCase) =>
          'refused' in tokenCase.heard ? [tokenCase.heard.refused.code] : [],
        ),
      );
      // The union in client/errors.ts, listed: a new code must join the table.
      expect([...codes].sort()).toEqual(
        [
          'ERR_INVALID_ARGUMENT',
          'ERR_JWT_ALG_NOT_ALLOWED',
          'ERR_JWT_CLAIMS_MALFORMED',
          'ERR_JWT_CLAIM_INVALID',
          'ERR_JWT_CRIT_UNSUPPORTED',
          'ERR_JWT_EXPIRED',
          'ERR_JWT_EXP_MISSING',
          'ERR_JWT_MALFORMED',
          'ERR_JWT_NOT_YET_VALID',
          'ERR_JWT_PREVIOUS_KEY_EXPIRED',
          'ERR_JWT_SIGNATURE_INVALID',
          'ERR_JWT_TOO_LARGE',
          'ERR_JWT_TYP_INVALID',
          'ERR_JWT_UNKNOWN_KID',
          'ERR_KEY_DOCUMENT_INVALID',
          'ERR_KEY_STORE_UNAVAILABLE',
        ].sort(),
      );
    });

    it.each(['none', 'None', 'NONE'])(
      'counts an unsecured token (alg %s) as suspicious, signed or not, whatever its kid',
      async (alg) => {
        // GIVEN a ring with a recording observer, and unsecured tokens of every shape
        const observer = recordingObserver();
        const { ring } = await ringFor(TOKEN_CASES[0]!, observer);
        const signature = TOKEN_CASES[0]!.token.split('.')[2]!;
        const tokens = [
          compact({ alg, kid: CURRENT.kid }, CLAIMS),
          compact({ alg, kid: CURRENT.kid }, CLAIMS, signature),
          compact({ alg, kid: 'guessed' }, CLAIMS),
          compact({ alg }, CLAIMS),
        ];

        // WHEN
        const codes = await Promise.all(
          tokens.map((token) =>
            ring.verify(token).then(
              () => 'accepted',
              (error: JwtKeyRingError) => error.code,
            ),
          ),
        );

        // THEN each is refused for its algorithm, and each counts among the suspicious refusals
        expect(codes).toEqual(tokens.map(() => 'ERR_JWT_ALG_NOT_ALLOWED'));
        const suspicious = observer.heard.filter(
          (heard) =>
            'refused' in heard &&
            (SUSPICIOUS_REFUSAL_CODES as readonly string[]).includes(heard.refused.code),
        );
        expect(suspicious).toHaveLength(tokens.length);
      },
    );

    it('an observer that throws changes no outcome', async () => {
      // GIVEN an observer whose every method throws
      const boom = (): never => {
        throw new Error('observer down');
      };
      const { ring } = await ringFor(TOKEN_CASES[0]!, {
        accepted: boom,
        refused: boom,
        keysRefreshed: boom,
      });

      // WHEN / THEN a good token still verifies, a bad one is refused with its own code
      await expect(ring.verify(TOKEN_CASES[0]!.token)).resolves.toMatchObject({
        kid: CURRENT.kid,
      });
      await expect(ring.verify('not-a-token')).rejects.toMatchObject({
        code: 'ERR_JWT_MALFORMED',
      });
      // AND a read of the keys still succeeds
      await expect(ring.refresh()).resolves.toBeUndefined();
    });

    it('reports an attacker-chosen kid cut to 64 printable characters', async () => {
      // GIVEN a token whose kid is long and holds control characters and spaces
      const observer = recordingObserver();
      const { ring } = await ringFor(TOKEN_CASES[0]!, observer);
      const kid = `evil\n\u0000 ${'x'.repeat(1000)}`;

      // WHEN it is verified
      await ring.verify(hmacToken({ alg: 'HS256', kid }, CLAIMS, CURRENT)).catch(() => undefined);

      // THEN the observer hears a printable, capped kid, saying how long the real one was
      const [heard] = observer.heard;
      expect(heard).toEqual({
        refused: {
          code: 'ERR_JWT_UNKNOWN_KID',
          kid: `evil???${'x'.repeat(57)}...(1007 chars)`,
          stage: undefined,
        },
      });
    });
  });

  describe('Method: keysRefreshed', () => {
    it('hears each read of the keys with its cause, outcome and the current key age', async () => {
      // GIVEN a ring with a 60 s cache over a secret whose current key names its standby
      const observer = recordingObserver();
      const secrets = fakeSecrets();
      const current = key('k2', NOW - 3_600_000, { nextKid: 'k3', graceSeconds: 3600 });
      secrets.setKey('AWSCURRENT', current);
      secrets.setKey('AWSPREVIOUS', PREVIOUS);
      let now = NOW;
      const ring = new JwtKeyRing({
        secretId: SECRET_ID,
        client: secrets.client,
        clock: () => now,
        cacheTtlMs: 60_000,
        observer,
      });
      const token = (kid: string): string =>
        hmacToken({ alg: 'HS256', kid }, CLAIMS, key(kid, NOW));

      // WHEN the keys are read for each reason there is
      await ring.verify(token('k2')).catch(() => undefined); // initial
      now += 61_000;
      await ring.verify(token('k2')).catch(() => undefined); // ttl
      await ring.verify(token('guessed')).catch(() => undefined); // unknown_kid
      await ring.verify(token('k3')).catch(() => undefined); // next_kid
      await ring.refresh(); // manual
      secrets.failWith = 'ThrottlingException';
      now += 61_000;
      await ring.verify(token('k2')).catch(() => undefined); // ttl, failed

      // THEN it heard each, the successful ones with the current key's age
      const age = (at: number): number => Math.floor((at - (NOW - 3_600_000)) / 1000);
      expect(observer.refreshes).toEqual([
        expect.objectContaining({
          cause: 'initial',
          outcome: 'ok',
          currentKid: 'k2',
          currentKeyAgeSeconds: age(NOW),
        }),
        expect.objectContaining({
          cause: 'ttl',
          outcome: 'ok',
          currentKeyAgeSeconds: age(NOW + 61_000),
        }),
        expect.objectContaining({ cause: 'unknown_kid', outcome: 'ok' }),
        expect.objectContaining({ cause: 'next_kid', outcome: 'ok' }),
        expect.objectContaining({ cause: 'manual', outcome: 'ok' }),
        { cause: 'ttl', outcome: 'failed', at: NOW + 122_000, code: 'ERR_KEY_STORE_UNAVAILABLE' },
      ]);
      expect(observer.refreshes[0]).toMatchObject({
        currentKeyCreatedAt: NOW - 3_600_000,
        at: NOW,
      });
    });

    it('hears the read a rotation event starts as cause "event"', async () => {
      const observer = recordingObserver();
      const secrets = fakeSecrets();
      secrets.setKey('AWSCURRENT', CURRENT);
      const ring = new JwtKeyRing({
        secretId: SECRET_ID,
        client: secrets.client,
        clock: () => NOW,
        observer,
      });
      await ring.handleRotationEvent({
        source: EVENT_SOURCE,
        'detail-type': KEY_ROTATED,
        detail: {
          secretArn: `arn:aws:secretsmanager:us-east-1:111122223333:secret:${SECRET_ID}-AbCdEf`,
          algorithm: 'HS256',
          current: { kid: CURRENT.kid, versionId: 'v2' },
        },
      });
      expect(observer.refreshes.map((refresh) => refresh.cause)).toEqual(['event']);
    });
  });

  describe('Function: verificationStageOf', () => {
    it.each([
      [{ stage: 'AWSCURRENT' }, 'current'],
      [{ stage: 'AWSPREVIOUS' }, 'previous'],
      [{ stage: 'AWSCURRENT', legacy: true }, 'legacy'],
      [{ stage: 'AWSPREVIOUS', legacy: false }, 'previous'],
      [{}, 'published'],
    ])('maps %j to %s', (verified, stage) => {
      expect(verificationStageOf(verified)).toBe(stage);
    });
  });
});

describe('Class: JwtKeyRingError (what a refusal knew)', () => {
  const REFUSED = TOKEN_CASES.filter((tokenCase) => 'refused' in tokenCase.heard);

  it.each(REFUSED.map((tokenCase) => [tokenCase.name, tokenCase] as const))(
    'JwtKeyRing: the error carries the kid, stage, claim and reason the observer hears: %s',
    async (_name, tokenCase) => {
      // GIVEN a ring with its keys loaded as the case needs
      const { ring, clock } = await ringFor(tokenCase, recordingObserver());
      clock.now = NOW + (tokenCase.at ?? 0);

      // WHEN the token is refused
      const error = await ring
        .verify(tokenCase.token, tokenCase.verifyOptions)
        .catch((caught: unknown) => caught);

      // THEN it is a coded error whose fields are what the observer hears
      const heard = (tokenCase.heard as Extract<Heard, { refused: unknown }>).refused;
      expect(error).toBeInstanceOf(JwtKeyRingError);
      expect(error).toMatchObject({ name: 'JwtKeyRingError', code: heard.code });
      const { kid, stage, claim, reason } = error as JwtKeyRingError;
      expect({ kid, stage, claim, reason }).toEqual({
        kid: heard.kid,
        stage: heard.stage,
        claim: tokenCase.claim?.claim,
        reason: tokenCase.claim?.reason,
      });
      // AND never the token, nor its signature
      const said = JSON.stringify({ ...(error as object), message: (error as Error).message });
      expect(said).not.toContain(tokenCase.token.split('.')[2] || tokenCase.token);
    },
  );

  it.each<[string, Record<string, unknown>, { claim: string; reason: string }]>([
    ['an iat that is not a number', { iat: 'yesterday' }, { claim: 'iat', reason: 'invalid' }],
    ['an exp that is not a number', { exp: '1' }, { claim: 'exp', reason: 'invalid' }],
    ['no iss', { iss: undefined }, { claim: 'iss', reason: 'missing' }],
    ['no aud', { aud: undefined }, { claim: 'aud', reason: 'missing' }],
    ['another aud', { aud: ['other'] }, { claim: 'aud', reason: 'check_failed' }],
  ])('names the claim as jose does, for %s', async (_name, claims, expected) => {
    // GIVEN a ring that checks iss and aud
    const { ring } = await ringFor(TOKEN_CASES[0]!, recordingObserver());
    const token = hmacToken(
      { alg: 'HS256', kid: CURRENT.kid },
      { ...CLAIMS, iss: 'https://issuer', aud: 'api', ...claims },
      CURRENT,
    );

    // WHEN / THEN
    await expect(ring.verify(token)).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_INVALID',
      kid: CURRENT.kid,
      stage: 'current',
      ...expected,
    });
  });

  it('a token refused by the legacy key names no kid, and the stage legacy', async () => {
    // GIVEN a secret whose current key is a legacy key (tokens without a kid)
    const secrets = fakeSecrets();
    const legacy = makeLegacyKeyDocument({
      alg: 'HS256',
      kid: 'k-legacy',
      key: Buffer.from('the static secret of old'),
      now: new Date(NOW - 60_000),
      legacy: { graceSeconds: 3600, tokensWithoutExp: 'refuse' },
    });
    secrets.setKey('AWSCURRENT', legacy);
    const ring = new JwtKeyRing({ secretId: SECRET_ID, client: secrets.client, clock: () => NOW });
    const token = hmacToken({ alg: 'HS256' }, CLAIMS, legacy);

    // WHEN its signature is forged
    const error = await ring.verify(`${token.slice(0, -4)}AAAA`).catch((caught: unknown) => caught);

    // THEN
    expect(error).toMatchObject({ code: 'ERR_JWT_SIGNATURE_INVALID', stage: 'legacy' });
    expect((error as JwtKeyRingError).kid).toBeUndefined();
  });
});

describe('refused-token warnings', () => {
  it('10,000 refused tokens leave a bounded number of warnings whose suppressed counts add up', async () => {
    // GIVEN a ring with a logger, its keys loaded
    const warnings: { message: string; fields: Record<string, unknown> }[] = [];
    const logger = {
      warn: (message: string, fields: Record<string, unknown> = {}) =>
        warnings.push({ message, fields }),
    };
    const { ring, clock } = await ringFor(TOKEN_CASES[0]!, recordingObserver(), logger);
    const forged = `${TOKEN_CASES[0]!.token.slice(0, -4)}AAAA`;
    const signature = forged.split('.')[2]!;
    const unknown = hmacToken({ alg: 'HS256', kid: 'guessed' }, CLAIMS, CURRENT);

    // WHEN 5,000 forged and 5,000 unknown-kid tokens arrive over 150 s (one per 15 ms)
    for (let index = 0; index < 10_000; index += 1) {
      clock.now = NOW + index * 15;
      await ring.verify(index % 2 === 0 ? forged : unknown).catch(() => undefined);
    }

    // THEN there is at most one warning per code per minute: 3 per code over 150 s
    const refusals = warnings.filter((warning) => warning.message === REFUSED_TOKEN_WARNING);
    const byCode = (code: string) => refusals.filter((warning) => warning.fields.code === code);
    for (const code of ['ERR_JWT_SIGNATURE_INVALID', 'ERR_JWT_UNKNOWN_KID']) {
      const logged = byCode(code);
      expect(logged).toHaveLength(3);
      // AND each says how many of that code it stands for since the previous one: the first
      // stands for itself, the next ones for the tokens of a minute (4,000 per code per minute)
      expect(logged.map((warning) => warning.fields.suppressed)).toEqual([0, 1999, 1999]);
    }
    // AND each names the code, the kid and the stage of the key it names, and the secret
    expect(byCode('ERR_JWT_SIGNATURE_INVALID')[0]!.fields).toEqual({
      secretId: SECRET_ID,
      code: 'ERR_JWT_SIGNATURE_INVALID',
      kid: CURRENT.kid,
      stage: 'current',
      suppressed: 0,
    });
    expect(byCode('ERR_JWT_UNKNOWN_KID')[0]!.fields).toEqual({
      secretId: SECRET_ID,
      code: 'ERR_JWT_UNKNOWN_KID',
      kid: 'guessed',
      suppressed: 0,
    });
    // AND no warning holds the token, its payload or its signature
    const logged = JSON.stringify(warnings);
    expect(logged).not.toContain(signature);
    expect(logged).not.toContain(forged.split('.')[1]!);
  });

  it('a logger alone (no observer) gets the warnings too; verify resolves as before', async () => {
    const warned: unknown[] = [];
    const secrets = fakeSecrets();
    secrets.setKey('AWSCURRENT', CURRENT);
    const ring = new JwtKeyRing({
      secretId: SECRET_ID,
      client: secrets.client,
      clock: () => NOW,
      logger: { warn: (message, fields) => warned.push({ message, fields }) },
    });
    const token = hmacToken({ alg: 'HS256', kid: CURRENT.kid }, CLAIMS, CURRENT);
    await expect(ring.verify(token)).resolves.toMatchObject({ stage: 'AWSCURRENT' });
    const error = await ring.verify(`${token}x`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JwtKeyRingError);
    expect(warned).toEqual([
      {
        message: REFUSED_TOKEN_WARNING,
        fields: expect.objectContaining({ code: (error as JwtKeyRingError).code }),
      },
    ]);
  });

  it('is silent with neither observer nor logger', async () => {
    // The wrapper is not there: verify is the ring's own promise, rejected with its own error.
    const secrets = fakeSecrets();
    secrets.setKey('AWSCURRENT', CURRENT);
    secrets.setKey('AWSPREVIOUS', PREVIOUS);
    const ring = new JwtKeyRing({ secretId: SECRET_ID, client: secrets.client, clock: () => NOW });
    await expect(ring.verify('x')).rejects.toMatchObject({ code: 'ERR_JWT_MALFORMED' });
  });
});

describe('Class: JwksVerifier (observer)', () => {
  it('reports accepted tokens as published, refused ones by code', async () => {
    // GIVEN a verifier over a key set of one ES256 key, served by an injected fetch
    const signing = await asymmetricKey('ES256', 'pub-1', NOW);
    const body = JSON.stringify({ keys: [publicJwk(signing)] });
    const observer = recordingObserver();
    const verifier = new JwksVerifier({
      jwksUri: 'https://keys.example/.well-known/jwks.json',
      fetch: () =>
        Promise.resolve(new Response(body, { headers: { 'content-type': 'application/json' } })),
      clock: () => NOW,
      observer,
    });
    const claims = { sub: 'user', exp: NOW / 1000 + 600 };
    const good = asymmetricToken({ alg: 'ES256', kid: 'pub-1' }, claims, signing);

    // WHEN a good token, a forged one and one with an unknown kid are verified
    await verifier.verify(good);
    await verifier.verify(`${good.slice(0, -6)}AAAAAA`).catch(() => undefined);
    await verifier
      .verify(asymmetricToken({ alg: 'ES256', kid: 'nobody' }, claims, signing))
      .catch(() => undefined);

    // THEN the observer heard each, the key set's key as `published`
    expect(observer.heard).toEqual([
      { accepted: { stage: 'published', kid: 'pub-1', alg: 'ES256' } },
      { refused: { code: 'ERR_JWT_SIGNATURE_INVALID', kid: 'pub-1', stage: 'published' } },
      { refused: { code: 'ERR_JWT_UNKNOWN_KID', kid: 'nobody', stage: undefined } },
    ]);
  });

  it.each<[string, (good: string, signing: AsymmetricKeyDocument) => string, object]>([
    [
      'an unknown kid',
      (_good, signing) =>
        asymmetricToken({ alg: 'ES256', kid: 'nobody' }, { exp: NOW / 1000 + 600 }, signing),
      { code: 'ERR_JWT_UNKNOWN_KID', kid: 'nobody', stage: undefined },
    ],
    [
      'an expired token',
      (_good, signing) =>
        asymmetricToken({ alg: 'ES256', kid: 'pub-1' }, { exp: NOW / 1000 - 3600 }, signing),
      {
        code: 'ERR_JWT_EXPIRED',
        kid: 'pub-1',
        stage: 'published',
        claim: 'exp',
        reason: 'check_failed',
      },
    ],
    [
      'a bad signature',
      (good) => `${good.slice(0, -6)}AAAAAA`,
      { code: 'ERR_JWT_SIGNATURE_INVALID', kid: 'pub-1', stage: 'published' },
    ],
    ['a malformed token', () => 'not-a-token', { code: 'ERR_JWT_MALFORMED' }],
  ])('refuses %s with an error carrying what it knew', async (_name, tokenOf, expected) => {
    // GIVEN a verifier over a key set of one ES256 key
    const signing = await asymmetricKey('ES256', 'pub-1', NOW);
    const verifier = new JwksVerifier({
      jwksUri: 'https://keys.example/.well-known/jwks.json',
      fetch: () => Promise.resolve(Response.json({ keys: [publicJwk(signing)] })),
      clock: () => NOW,
      observer: recordingObserver(),
    });
    const good = asymmetricToken(
      { alg: 'ES256', kid: 'pub-1' },
      { exp: NOW / 1000 + 600 },
      signing,
    );

    // WHEN
    const error = await verifier.verify(tokenOf(good, signing)).catch((caught: unknown) => caught);

    // THEN exactly these fields are set
    expect(error).toBeInstanceOf(JwtKeyRingError);
    const { code, kid, stage, claim, reason } = error as JwtKeyRingError;
    expect({ code, kid, stage, claim, reason }).toEqual({
      kid: undefined,
      stage: undefined,
      claim: undefined,
      reason: undefined,
      ...expected,
    });
  });

  it('names the kid on a refusal because the key set cannot be read, and no stage', async () => {
    // GIVEN a key set URL that fails
    const verifier = new JwksVerifier({
      jwksUri: 'https://keys.example/.well-known/jwks.json',
      fetch: () => Promise.resolve(new Response('error', { status: 500 })),
      clock: () => NOW,
    });
    const token = compact({ alg: 'ES256', kid: 'pub-1' }, { exp: NOW / 1000 + 600 }, 'AAAA');

    // WHEN / THEN
    await expect(verifier.verify(token)).rejects.toMatchObject({
      code: 'ERR_KEY_STORE_UNAVAILABLE',
      kid: 'pub-1',
      stage: undefined,
    });
  });

  it('hears each fetch of the key set with its cause and outcome', async () => {
    // GIVEN / WHEN a verifier reads its set for each cause there is, the last read failing
    const observer = recordingObserver();
    await readForEachCause(observer, { now: SET_READS_START });

    // THEN it heard exactly those reads, as JwtKeyRing's reads are told (no current key here)
    expect(observer.refreshes).toEqual(
      READS_OF_EACH_CAUSE.map((read) => ({ ...read, at: expect.any(Number) as number })),
    );
    expect(observer.refreshes.map((refresh) => refresh.at)).toEqual([
      SET_READS_START,
      SET_READS_START + 61_000,
      SET_READS_START + 92_000,
      SET_READS_START + 92_000,
      SET_READS_START + 200_000,
    ]);
  });

  it.each(FAILING_URLS)(
    'hears one failed initial read when the URL fails with %s',
    async (_name, fail, code) => {
      const observer = recordingObserver();
      await expect(readFailing(observer, fail)).resolves.toBe(code);
      expect(observer.refreshes).toEqual([
        { cause: 'initial', outcome: 'failed', at: SET_READS_START, code },
      ]);
    },
  );
});
