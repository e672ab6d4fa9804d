/**
 * The deployed entry: configuration validated at cold start, and the real Powertools logger's
 * output (what CloudWatch would hold) free of key material across a rotation.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { loadConfig } from '../../lambda/rotation/config';
import { type LocalAws, startLocalAws } from '../../local-aws';
import { createKeySecret } from '../support/rotation-rig';

/** Where an asymmetric key's function publishes, as the construct sets it. */
const KEY_SET_ENV = {
  EVENT_BUS_NAME: 'bus',
  KEY_SET_BUCKET: 'jwt-keys-keyset-1a2b',
  KEY_SET_DISTRIBUTION_ID: 'E2QWRUHAPOMQZL',
  KEY_SET_ISSUER: 'https://d111111abcdef8.cloudfront.net',
};

describe('Function: loadConfig', () => {
  it('defaults to HS256, 2048-bit RSA moduli and a 24-hour grace period', () => {
    expect(loadConfig({ EVENT_BUS_NAME: 'bus' })).toEqual({
      algorithm: 'HS256',
      rsaModulusBits: 2048,
      gracePeriodSeconds: 86_400,
      eventBusName: 'bus',
    });
  });

  it('reads every setting', () => {
    expect(
      loadConfig({
        JWT_ALGORITHM: 'HS512',
        GRACE_PERIOD_SECONDS: '0',
        EVENT_BUS_NAME: 'arn:aws:events:x',
      }),
    ).toEqual({
      algorithm: 'HS512',
      rsaModulusBits: 2048,
      gracePeriodSeconds: 0,
      eventBusName: 'arn:aws:events:x',
    });
  });

  it.each(['ES256', 'EdDSA', 'RS256'] as const)(
    'accepts the asymmetric algorithm %s with where its key set is published',
    (alg) => {
      expect(loadConfig({ ...KEY_SET_ENV, JWT_ALGORITHM: alg })).toEqual({
        algorithm: alg,
        rsaModulusBits: 2048,
        gracePeriodSeconds: 86_400,
        eventBusName: 'bus',
        keySet: {
          bucketName: 'jwt-keys-keyset-1a2b',
          distributionId: 'E2QWRUHAPOMQZL',
          issuer: 'https://d111111abcdef8.cloudfront.net',
          maxAgeSeconds: 300,
        },
      });
    },
  );

  it('reads the key set max-age', () => {
    expect(
      loadConfig({ ...KEY_SET_ENV, JWT_ALGORITHM: 'ES256', KEY_SET_MAX_AGE_SECONDS: '60' }).keySet,
    ).toMatchObject({ maxAgeSeconds: 60 });
  });

  it.each([2048, 3072, 4096] as const)('reads JWT_RSA_MODULUS_BITS %d', (bits) => {
    expect(
      loadConfig({
        ...KEY_SET_ENV,
        JWT_ALGORITHM: 'RS256',
        JWT_RSA_MODULUS_BITS: String(bits),
      }).rsaModulusBits,
    ).toBe(bits);
  });

  it.each([
    [{ EVENT_BUS_NAME: 'bus', JWT_ALGORITHM: 'RS384' }, /JWT_ALGORITHM .* got "RS384"/],
    [{ EVENT_BUS_NAME: 'bus', JWT_ALGORITHM: 'PS256' }, /JWT_ALGORITHM .* got "PS256"/],
    [{ EVENT_BUS_NAME: 'bus', JWT_RSA_MODULUS_BITS: '1024' }, /JWT_RSA_MODULUS_BITS .* got "1024"/],
    [{ EVENT_BUS_NAME: 'bus', JWT_RSA_MODULUS_BITS: '8192' }, /JWT_RSA_MODULUS_BITS .* got "8192"/],
    [
      { EVENT_BUS_NAME: 'bus', JWT_RSA_MODULUS_BITS: '2048 ' },
      /JWT_RSA_MODULUS_BITS .* got "2048 "/,
    ],
    [{ EVENT_BUS_NAME: 'bus', JWT_ALGORITHM: 'none' }, /JWT_ALGORITHM .* got "none"/],
    [{ EVENT_BUS_NAME: 'bus', GRACE_PERIOD_SECONDS: '-5' }, /GRACE_PERIOD_SECONDS .* got "-5"/],
    [{ EVENT_BUS_NAME: 'bus', GRACE_PERIOD_SECONDS: '1.5' }, /GRACE_PERIOD_SECONDS .* got "1.5"/],
    [{ EVENT_BUS_NAME: 'bus', GRACE_PERIOD_SECONDS: '24h' }, /GRACE_PERIOD_SECONDS .* got "24h"/],
    [{}, /EVENT_BUS_NAME/],
    [{ EVENT_BUS_NAME: '  ' }, /EVENT_BUS_NAME/],
    // An asymmetric key's function must publish; an HMAC key's never does.
    [{ EVENT_BUS_NAME: 'bus', JWT_ALGORITHM: 'ES256' }, /KEY_SET_BUCKET must name .* got nothing/],
    [
      { ...KEY_SET_ENV, JWT_ALGORITHM: 'EdDSA', KEY_SET_DISTRIBUTION_ID: undefined },
      /KEY_SET_DISTRIBUTION_ID must name/,
    ],
    [{ ...KEY_SET_ENV, JWT_ALGORITHM: 'RS256', KEY_SET_ISSUER: ' ' }, /KEY_SET_ISSUER must name/],
    [{ ...KEY_SET_ENV, JWT_ALGORITHM: 'HS256' }, /KEY_SET_BUCKET, .* must not be set: HS256/],
    [
      { EVENT_BUS_NAME: 'bus', JWT_ALGORITHM: 'HS512', KEY_SET_ISSUER: 'https://x.example' },
      /KEY_SET_ISSUER must not be set/,
    ],
    [
      { ...KEY_SET_ENV, JWT_ALGORITHM: 'ES256', KEY_SET_BUCKET: 'My_Bucket' },
      /KEY_SET_BUCKET must be an S3 bucket name, got "My_Bucket"/,
    ],
    [
      { ...KEY_SET_ENV, JWT_ALGORITHM: 'ES256', KEY_SET_DISTRIBUTION_ID: 'E2/../x' },
      /KEY_SET_DISTRIBUTION_ID must be a CloudFront distribution id/,
    ],
    ...[
      'http://d111111abcdef8.cloudfront.net',
      'https://d111111abcdef8.cloudfront.net/',
      'https://keys.example.com/tenant',
      'https://keys.example.com?x=1',
      'https://user:pw@keys.example.com',
      'http://127.0.0.1:8080',
      'keys.example.com',
    ].map((issuer) => [
      { ...KEY_SET_ENV, JWT_ALGORITHM: 'RS256', KEY_SET_ISSUER: issuer },
      new RegExp(`KEY_SET_ISSUER must .* got ${JSON.stringify(issuer).replace(/[.?/]/g, '\\$&')}`),
    ]),
    ...['-1', '1.5', '5m', '86401'].map((maxAge) => [
      { ...KEY_SET_ENV, JWT_ALGORITHM: 'ES256', KEY_SET_MAX_AGE_SECONDS: maxAge },
      new RegExp(
        `KEY_SET_MAX_AGE_SECONDS must be a whole number of seconds from 0 to 86400, got "${maxAge}"`,
      ),
    ]),
  ] as [Record<string, string | undefined>, RegExp][])(
    'fails when the environment is wrong (%j)',
    (env, message) => {
      expect(() => loadConfig(env)).toThrow(message);
      expect(() => loadConfig(env)).toThrow(expect.objectContaining({ code: 'ERR_CONFIGURATION' }));
    },
  );
});

describe('Module: handler (the bundling entry)', () => {
  let local: LocalAws;
  const saved = { ...process.env };

  beforeEach(async () => {
    local = await startLocalAws();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: local.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: local.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      EVENT_BUS_NAME: 'jwt-keys',
      GRACE_PERIOD_SECONDS: '3600',
      JWT_ALGORITHM: 'HS384',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
    });
  });

  afterEach(async () => {
    process.env = { ...saved };
    jest.restoreAllMocks();
    await local.close();
  });

  it('fails at cold start when a setting is wrong, naming it', () => {
    process.env.JWT_ALGORITHM = 'HS1';
    jest.isolateModules(() => {
      // jest.isolateModules is synchronous: a fresh module load needs require, not import().
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      expect(() => require('../../lambda/rotation/handler')).toThrow(/JWT_ALGORITHM .* got "HS1"/);
    });
  });

  it('rotates with the environment it was given, and logs JSON lines without key material', async () => {
    // GIVEN the module loaded as Lambda loads it, its output captured
    const lines: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(chunk.toString());
        return true;
      });
    }
    jest
      .spyOn(console, 'log')
      .mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
    jest
      .spyOn(console, 'info')
      .mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
    jest
      .spyOn(console, 'warn')
      .mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
    jest
      .spyOn(console, 'error')
      .mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
    let handler!: (event: unknown) => Promise<unknown>;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      ({ handler } = require('../../lambda/rotation/handler') as { handler: typeof handler });
    });
    const sm = new SecretsManagerClient(local.clientConfig());
    const arn = await createKeySecret(sm, 'app/jwt', Date.now());
    const functionArn = local.registerFunction('rotation', (event) => handler(event));

    // WHEN
    const { RotateSecretCommand, GetSecretValueCommand } =
      await import('@aws-sdk/client-secrets-manager');
    await sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: functionArn }));
    await local.rotationsSettled();
    const current = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
    const previous = await sm.send(
      new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS' }),
    );
    sm.destroy();
    jest.restoreAllMocks();

    // THEN the new key has the configured algorithm and grace; the logs are JSON, without keys
    const document = JSON.parse(current.SecretString!) as {
      alg: string;
      previousKeyGraceSeconds: number;
      k: string;
    };
    expect(document).toMatchObject({ alg: 'HS384', previousKeyGraceSeconds: 3600 });
    expect(local.rotationResults).toEqual([expect.objectContaining({ outcome: 'succeeded' })]);
    const logged = lines.join('\n');
    const records = lines
      .flatMap((line) => line.split('\n'))
      .filter((line) => line.startsWith('{'));
    expect(records.length).toBeGreaterThanOrEqual(8);
    expect(records.map((line) => JSON.parse(line) as { service: string })[0]).toMatchObject({
      service: 'jwt-key-rotation',
      level: 'INFO',
    });
    // AND the rotation was counted as a CloudWatch embedded metric, by secret name
    expect(records.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ SecretName: 'app/jwt', KeyRotated: 1, _aws: expect.any(Object) }),
    );
    for (const value of [current.SecretString!, previous.SecretString!]) {
      const { k } = JSON.parse(value) as { k: string };
      expect(logged).not.toContain(k);
      expect(logged).not.toContain(Buffer.from(k, 'base64url').toString('hex'));
      expect(logged).not.toContain(Buffer.from(k, 'base64url').toString('base64'));
    }
  });
});
