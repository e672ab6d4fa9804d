/**
 * examples/jwks-service.ts end to end: the real rotation handler publishes the key set to S3 on
 * the local endpoint, the local distribution serves it, and the verify-only service (no secret,
 * no AWS client) accepts what a signing service's JwtKeyRing issues across a rotation, then
 * refuses the retired key's tokens within the README's bound (max-age, 5 minutes, or the
 * verifier's 1-minute minimum cache period past it: 6 minutes at most).
 */
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';

import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';

import { JwksVerifier, JwtKeyRing } from '../../client';
import { FIRST_KEY_RESOURCE_TYPE, type FirstKeyResourceProperties } from '../../contract';
import { createJwksApp, verifierOptionsFromEnvironment } from '../../examples/jwks-service';
import { HOUR_MS, type RotationRig, startRotationRig } from '../support/rotation-rig';

const MINUTE_MS = 60_000;

describe('examples/jwks-service', () => {
  let rig: RotationRig;
  let base: string;
  let close: () => Promise<void>;
  let ring: JwtKeyRing;
  let arn: string;

  beforeEach(async () => {
    // GIVEN the stack as deployed (ES256, a one-hour grace): the secret, FirstKey, the key set
    rig = await startRotationRig({ algorithm: 'ES256', gracePeriodSeconds: 3600 }, { keySet: {} });
    const keySet = rig.keySet!;
    arn = (await rig.sm.send(new CreateSecretCommand({ Name: 'orders/jwt' }))).ARN!;
    const deployed = await rig.local.runCustomResource(rig.functionArn, {
      requestType: 'Create',
      resourceType: FIRST_KEY_RESOURCE_TYPE,
      logicalResourceId: 'JwtKeyFirstKey',
      resourceProperties: { SecretId: arn } satisfies FirstKeyResourceProperties,
    });
    expect(deployed.Status).toBe('SUCCESS');
    // AND the signing side, and the service configured as its README line says
    ring = new JwtKeyRing({
      secretId: arn,
      client: rig.sm,
      clock: () => rig.now,
      issuer: keySet.issuer,
      audience: 'orders-api',
    });
    const options = verifierOptionsFromEnvironment({
      JWKS_URI: `${keySet.distribution.url}/.well-known/jwks.json`,
      JWT_ISSUER: keySet.issuer,
      JWT_AUDIENCE: 'orders-api',
    });
    const server = createJwksApp(new JwksVerifier({ ...options, clock: () => rig.now }));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  }, 60_000);

  afterEach(async () => {
    await close();
    await rig.close();
  });

  async function protectedRoute(token: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${base}/protected`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: await response.json() };
  }

  it('accepts tokens across a rotation, and refuses the retired key within the bound', async () => {
    // GIVEN a token of the first key
    const first = (await rig.current(arn)).document;
    const before = await ring.sign({ sub: 'alice' }, { expiresIn: '3h' });
    expect(await protectedRoute(before)).toEqual({
      status: 200,
      body: { subject: 'alice', kid: first.kid },
    });

    // WHEN the key rotates a minute later
    rig.now += MINUTE_MS;
    await rig.rotate(arn);
    await ring.refresh();

    // THEN the promoted standby's first token passes (the service's cached set held it), and so
    // does the old token in its grace
    const after = await ring.sign({ sub: 'bob' }, { expiresIn: '3h' });
    expect(await protectedRoute(after)).toEqual({
      status: 200,
      body: { subject: 'bob', kid: first.nextKid },
    });
    expect(await protectedRoute(before)).toMatchObject({ status: 200 });

    // WHEN the grace ends and the retirement removes the old key (the service read it just before)
    rig.now += HOUR_MS - 2 * MINUTE_MS;
    expect(await protectedRoute(before)).toMatchObject({ status: 200 });
    rig.now += 3 * MINUTE_MS;
    await expect(
      rig.local.invokeFunction(rig.functionArn, { action: 'retire', secretId: arn }),
    ).resolves.toMatchObject({ outcome: 'retired' });

    // THEN after the bound (6 minutes) the old token, still unexpired, is refused by kid
    rig.now += 6 * MINUTE_MS + 1000;
    expect(await protectedRoute(before)).toEqual({
      status: 401,
      body: { error: 'ERR_JWT_UNKNOWN_KID' },
    });
    expect(await protectedRoute(after)).toMatchObject({ status: 200 });
  });

  it('answers 401 for a forged token or none, 503 when the key set cannot be read', async () => {
    const token = await ring.sign({ sub: 'mallory' }, { expiresIn: '1h' });
    expect(await protectedRoute(`${token.slice(0, -4)}AAAA`)).toEqual({
      status: 401,
      body: { error: 'ERR_JWT_SIGNATURE_INVALID' },
    });
    expect((await fetch(`${base}/protected`)).status).toBe(401);

    // WHEN the distribution fails on every request, past max-age and the staleness bound
    // (5 + 15 minutes: the cached set serves until then)
    rig.local.faults.inject({ operation: 'ViewerRequest', error: 'InternalError', times: 100 });
    rig.now += 20 * MINUTE_MS + 1000;
    expect(await protectedRoute(token)).toEqual({
      status: 503,
      body: { error: 'ERR_KEY_STORE_UNAVAILABLE' },
    });
  });

  it.each([
    [{}, /set JWKS_URI and JWT_ISSUER/],
    [{ JWKS_URI: 'https://keys.example.com/.well-known/jwks.json' }, /set JWT_ISSUER/],
    [{ JWT_ISSUER: 'https://keys.example.com', JWKS_URI: '' }, /set JWKS_URI /],
  ])('fails when the environment lacks a value (%j)', (env, message) => {
    expect(() => verifierOptionsFromEnvironment(env)).toThrow(message);
  });

  it('reads a comma-separated audience', () => {
    expect(
      verifierOptionsFromEnvironment({
        JWKS_URI: 'https://keys.example.com/.well-known/jwks.json',
        JWT_ISSUER: 'https://keys.example.com',
        JWT_AUDIENCE: 'orders-api, admin-api',
      }),
    ).toEqual({
      jwksUri: 'https://keys.example.com/.well-known/jwks.json',
      issuer: 'https://keys.example.com',
      audience: ['orders-api', 'admin-api'],
    });
  });
});
