/**
 * The example service across a rotation, on the local endpoint with the real rotation handler,
 * deployed as the stack deploys (the template's key, the FirstKey custom resource, the schedule
 * created without rotating): a token from before the rotation keeps working (previous key, in
 * grace), new logins use the new key, and after the grace period and the retirement the old
 * token is refused.
 */
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';

import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { JwtKeyRing } from '../../client';
import { simulateDeploy } from '../../demo/wiring';
import { createApp } from '../../examples/http-service';
import { type RotationRig, startRotationRig } from '../support/rotation-rig';

describe('examples/http-service', () => {
  let rig: RotationRig;
  let base: string;
  let close: () => Promise<void>;
  let client: SecretsManagerClient;
  /** The refreshes the rotation events started: awaited before asserting what follows them. */
  let refreshes: Promise<boolean>[];
  /** The first key, written at deploy by the FirstKey custom resource. */
  let firstKid: string;

  beforeEach(async () => {
    // A 5-minute grace, shorter than the 15-minute tokens, so its end is what refuses them.
    refreshes = [];
    rig = await startRotationRig({ gracePeriodSeconds: 300 });
    const deployed = await simulateDeploy(rig.local, rig.sm, {
      secretName: 'app/jwt',
      functionArn: rig.functionArn,
      rotationDays: 90,
    });
    const arn = deployed.secretArn;
    client = new SecretsManagerClient(rig.local.clientConfig());
    const ring = new JwtKeyRing({
      secretId: arn,
      client,
      clock: () => rig.now,
      cacheTtlMs: 60_000,
    });
    rig.local.subscribe((event) => refreshes.push(ring.handleRotationEvent(event)));
    const server = createApp(ring).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
    (rig as { arn?: string }).arn = arn;
    firstKid = deployed.firstKid;
  });

  afterEach(async () => {
    await close();
    client.destroy();
    await rig.close();
  });

  async function login(user: string): Promise<string> {
    const response = await fetch(`${base}/login`, {
      method: 'POST',
      body: JSON.stringify({ user }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { token: string }).token;
  }

  async function protectedRoute(
    token: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${base}/protected`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('keeps a token from before a rotation valid through the grace period, then refuses it', async () => {
    // GIVEN a token issued before a rotation, signed by the key the deploy made
    const arn = (rig as { arn?: string }).arn!;
    const before = await login('alice');
    expect(kidOf(before)).toBe(firstKid);
    expect(await protectedRoute(before)).toEqual({
      status: 200,
      body: { subject: 'alice', verifiedWith: 'AWSCURRENT' },
    });

    // WHEN the key rotates a minute later (the event reaches the service at once)
    rig.now += 60_000;
    await rig.rotate(arn);
    await Promise.all(refreshes);

    // THEN the old token verifies with the previous key, new logins with the new one
    rig.now += 5 * 60_000 - 1;
    expect(await protectedRoute(before)).toEqual({
      status: 200,
      body: { subject: 'alice', verifiedWith: 'AWSPREVIOUS' },
    });
    const after = await login('bob');
    expect(await protectedRoute(after)).toEqual({
      status: 200,
      body: { subject: 'bob', verifiedWith: 'AWSCURRENT' },
    });

    // WHEN the grace period ends, while the old token itself is still unexpired
    rig.now += 1;

    // THEN it is refused at once, by the grace end read from the secret
    expect(await protectedRoute(before)).toEqual({
      status: 401,
      body: { error: 'ERR_JWT_PREVIOUS_KEY_EXPIRED' },
    });

    // AND after the retirement (the event refreshes the service) the key is gone altogether
    await rig.handler({ action: 'retire', secretId: arn });
    await Promise.all(refreshes);
    expect(await protectedRoute(before)).toEqual({
      status: 401,
      body: { error: 'ERR_JWT_UNKNOWN_KID' },
    });
    expect(await protectedRoute(after)).toMatchObject({ status: 200 });
  });

  it('answers 401 with the error code for a forged token, 400 for a login without a user', async () => {
    const token = await login('mallory');
    const forged = `${token.slice(0, -4)}AAAA`;
    expect(await protectedRoute(forged)).toEqual({
      status: 401,
      body: { error: 'ERR_JWT_SIGNATURE_INVALID' },
    });
    const response = await fetch(`${base}/login`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(400);
  });
});

function kidOf(token: string): unknown {
  return (
    JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid?: unknown }
  ).kid;
}
