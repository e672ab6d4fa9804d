/**
 * The required interoperability run: the real rotation handler writes the key set to S3 on
 * local-aws, the local distribution serves it over HTTP with its edge cache, and unmodified
 * third-party verifiers (jose's createRemoteJWKSet + jwtVerify; jwks-rsa + jsonwebtoken;
 * aws-jwt-verify's JwtVerifier with AwsJwtVerifyJwksCache) and JwksVerifier, all created once before the first rotation with their default caching, verify
 * what JwtKeyRing signs across three rotations, a retirement and a revoke.
 *
 * Time: every clock is the rig's. The local endpoint, its edge cache, the function and the ring
 * take it as `clock`; jose (cooldown, cacheMaxAge), jwks-rsa (its memoized keys) and jsonwebtoken
 * (exp) read `Date`, jwks-rsa's cache (lru-cache) `performance.now()` and its rate limit
 * (limiter) `process.hrtime()`, so jest's fake timers fake those three alone (`doNotFake` lists every other API: sockets and timers stay real) and
 * `advance` moves them with the rig's clock. Nothing sleeps.
 *
 * Discovery: neither jose nor jwks-rsa reads an OpenID configuration (both take the JWKS URL), so
 * the test reads it as a user would, checks it names the issuer and a JWKS on the issuer's host,
 * and hands each verifier that path on the local distribution (where DNS would send the issuer).
 */
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { JwtVerifier } from 'aws-jwt-verify';
import jwt from 'jsonwebtoken';

import { AwsJwtVerifyJwksCache, JwksVerifier, JwtKeyRing } from '../../client';
import {
  FIRST_KEY_RESOURCE_TYPE,
  type FirstKeyResourceProperties,
  KEY_SET_DOCUMENTS,
  type MaintenanceEvent,
} from '../../contract';
import { type AsymmetricAlgorithm, PRIVATE_MEMBERS } from '../../key-document';
import { fakeDateOnly } from '../support/fake-date';
import {
  DAY_MS,
  HOUR_MS,
  type KeySetRig,
  type RotationRig,
  startRotationRig,
} from '../support/rotation-rig';

const MINUTE_MS = 60_000;
const AUDIENCE = 'orders-api';
const GRACE_SECONDS = 3600;
/**
 * The README's bound (leaked key runbook) for a key that leaves the set: CloudFront's copy goes
 * with the invalidation, at the latest at max-age (5 minutes); JwksVerifier honours max-age minus
 * Age, or its 1-minute minimum cache period, so 6 minutes at most; jose and jwks-rsa add their own
 * 10-minute cacheMaxAge: 15 minutes.
 */
const BOUND_MS = { JwksVerifier: 6 * MINUTE_MS, thirdParty: 15 * MINUTE_MS };

// RSA key generation takes seconds on a loaded machine, and a run makes about 10 keys.
jest.setTimeout(240_000);

interface Verifier {
  readonly name: string;
  /** The stated bound after which a removed key no longer verifies here. */
  readonly boundMs: number;
  verify(token: string): Promise<unknown>;
  /** True when the error says the key set holds no key for the token's kid. */
  keyMissing(error: unknown): boolean;
}

function errorProperty(error: unknown, name: 'code' | 'name'): unknown {
  return typeof error === 'object' && error !== null
    ? (error as Record<string, unknown>)[name]
    : undefined;
}

/** Every verifier for the algorithm (jsonwebtoken has no EdDSA), each made once, long-lived. */
async function verifiersOf(
  jwksUri: string,
  issuer: string,
  alg: AsymmetricAlgorithm,
  clock: () => number,
): Promise<Verifier[]> {
  const { createRemoteJWKSet, jwtVerify } = await import('jose');
  const joseKeys = createRemoteJWKSet(new URL(jwksUri)); // default cooldown and cacheMaxAge
  const ours = new JwksVerifier({ jwksUri, issuer, audience: AUDIENCE, clock });
  // aws-jwt-verify's own cache never ages: it takes ours, which honours max-age as JwksVerifier
  const awsJwtVerify = JwtVerifier.create(
    { issuer, audience: AUDIENCE, jwksUri },
    { jwksCache: new AwsJwtVerifyJwksCache({ clock }) },
  );
  const verifiers: Verifier[] = [
    {
      name: 'jose createRemoteJWKSet + jwtVerify',
      boundMs: BOUND_MS.thirdParty,
      verify: (token) =>
        jwtVerify(token, joseKeys, { issuer, audience: AUDIENCE, algorithms: [alg] }),
      keyMissing: (error) => errorProperty(error, 'code') === 'ERR_JWKS_NO_MATCHING_KEY',
    },
    {
      name: 'JwksVerifier',
      boundMs: BOUND_MS.JwksVerifier,
      verify: (token) => ours.verify(token),
      keyMissing: (error) => errorProperty(error, 'code') === 'ERR_JWT_UNKNOWN_KID',
    },
    {
      name: 'aws-jwt-verify JwtVerifier + AwsJwtVerifyJwksCache',
      boundMs: BOUND_MS.JwksVerifier,
      verify: (token) => awsJwtVerify.verify(token),
      keyMissing: (error) => errorProperty(error, 'code') === 'ERR_JWT_UNKNOWN_KID',
    },
  ];
  if (alg !== 'EdDSA') {
    // As jwks-rsa's README shows it, with its cache and rate limit on (their defaults otherwise).
    // Its cache (lru-cache) holds on to the performance object it finds when it loads: loaded
    // afresh here, under the fake clock, it ages with the test's time.
    jest.resetModules();
    const { JwksClient } = await import('jwks-rsa');
    const client = new JwksClient({ jwksUri, cache: true, rateLimit: true });
    verifiers.push({
      name: 'jwks-rsa + jsonwebtoken',
      boundMs: BOUND_MS.thirdParty,
      async verify(token) {
        const kid = jwt.decode(token, { complete: true })?.header.kid;
        const key = await client.getSigningKey(kid);
        return jwt.verify(token, key.getPublicKey(), {
          issuer,
          audience: AUDIENCE,
          algorithms: [alg as jwt.Algorithm],
        });
      },
      keyMissing: (error) => errorProperty(error, 'name') === 'SigningKeyNotFoundError',
    });
  }
  return verifiers;
}

/** The header's kid of a compact JWS. */
function kidOf(token: string): unknown {
  return (
    JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid?: unknown }
  ).kid;
}

/** Member names anywhere in a parsed JSON value. */
function memberNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(memberNames);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([name, inner]) => [name, ...memberNames(inner)]);
}

describe.each<AsymmetricAlgorithm>(['ES256', 'EdDSA', 'RS256'])(
  'third-party verifiers on the published key set across rotations, a retirement and a revoke (%s)',
  (alg) => {
    let rig: RotationRig;
    let keySet: KeySetRig;

    beforeEach(async () => {
      const start = Date.UTC(2026, 0, 1);
      fakeDateOnly(start);
      rig = await startRotationRig(
        { algorithm: alg, gracePeriodSeconds: GRACE_SECONDS },
        { keySet: {} },
      );
      // (lru-cache takes a start time of 0 for "no TTL": the fake performance.now() begins at 0)
      jest.advanceTimersByTime(1000);
      rig.now = Date.now();
      keySet = rig.keySet!;
    });

    afterEach(async () => {
      await rig.close();
      jest.useRealTimers();
    });

    it('every verifier accepts every valid token, and refuses retired and revoked ones after the bound', async () => {
      const advance = (ms: number): void => {
        rig.now += ms;
        jest.advanceTimersByTime(ms); // Date and performance.now() alike; no timer is faked
      };

      // GIVEN the function as Lambda runs it, checking both stored objects after every invocation
      const checkedBodies = new Set<string>();
      const checkStoredObjects = (): void => {
        for (const { objectKey } of Object.values(KEY_SET_DOCUMENTS)) {
          const object = rig.local.readObject(keySet.bucket, objectKey);
          if (object === undefined) continue;
          const body = object.body.toString('utf8');
          if (checkedBodies.has(body)) continue;
          checkedBodies.add(body);
          const parsed = JSON.parse(body) as unknown; // throws on anything but JSON
          const names = memberNames(parsed);
          expect(
            names.filter((name) => (PRIVATE_MEMBERS as readonly string[]).includes(name)),
          ).toEqual([]);
          if (objectKey === KEY_SET_DOCUMENTS.jwks.objectKey) {
            for (const entry of (parsed as { keys: Record<string, unknown>[] }).keys) {
              expect(entry).toMatchObject({ alg, use: 'sig', kid: expect.any(String) });
            }
          } else {
            expect(parsed).toEqual({
              issuer: keySet.issuer,
              jwks_uri: `${keySet.issuer}${KEY_SET_DOCUMENTS.jwks.path}`,
              id_token_signing_alg_values_supported: [alg],
            });
          }
        }
      };
      const lambda = rig.local.registerFunction('rotation-checked', async (event) => {
        const result = await rig.handler(event);
        checkStoredObjects();
        return result;
      });
      const maintain = (event: MaintenanceEvent): Promise<unknown> =>
        rig.local.invokeFunction(lambda, event);

      // AND the stack's deploy: the secret, then FirstKey
      const arn = (await rig.sm.send(new CreateSecretCommand({ Name: 'orders/jwt' }))).ARN!;
      const deployed = await rig.local.runCustomResource(lambda, {
        requestType: 'Create',
        resourceType: FIRST_KEY_RESOURCE_TYPE,
        logicalResourceId: 'JwtKeyFirstKey',
        resourceProperties: { SecretId: arn } satisfies FirstKeyResourceProperties,
      });
      expect(deployed.Status).toBe('SUCCESS');

      // AND the JWKS URL as a user finds it: the discovery document on the distribution
      const distribution = keySet.distribution;
      const configuration = (await (
        await fetch(`${distribution.url}${KEY_SET_DOCUMENTS.openIdConfiguration.path}`)
      ).json()) as { issuer: string; jwks_uri: string };
      expect(configuration.issuer).toBe(keySet.issuer);
      const published = new URL(configuration.jwks_uri);
      expect(published.origin).toBe(keySet.issuer);
      const jwksUri = `${distribution.url}${published.pathname}`;

      // AND verifiers made once, before any rotation, and the ring that signs
      const verifiers = await verifiersOf(jwksUri, keySet.issuer, alg, () => rig.now);
      const ring = new JwtKeyRing({
        secretId: arn,
        client: rig.sm,
        clock: () => rig.now,
        issuer: keySet.issuer,
        audience: AUDIENCE,
      });
      const sign = (sub: string): Promise<string> => ring.sign({ sub }, { expiresIn: '3h' });
      const refusedValid: string[] = [];
      let validChecks = 0;
      /** Every verifier must accept the token; any refusal is collected with its reason. */
      const expectAccepted = async (token: string, label: string): Promise<void> => {
        for (const verifier of verifiers) {
          validChecks += 1;
          await verifier.verify(token).catch((error: unknown) => {
            refusedValid.push(`${verifier.name} refused ${label}: ${String(error)}`);
          });
        }
      };
      /** Every verifier must refuse the token because the key set no longer holds its key. */
      const expectKeyGone = async (token: string, verifier: Verifier): Promise<void> => {
        const error = await verifier.verify(token).then(
          () => new Error(`${verifier.name} accepted it`),
          (refusal: unknown) => refusal,
        );
        const keyMissing = verifier.keyMissing(error);
        // (the refusal is shown when it has another reason)
        expect({
          verifier: verifier.name,
          keyMissing,
          ...(!keyMissing && { error: String(error) }),
        }).toEqual({
          verifier: verifier.name,
          keyMissing: true,
        });
      };
      const viewerRequests = (): number =>
        rig.local.viewerRequests.filter((request) => request.path === KEY_SET_DOCUMENTS.jwks.path)
          .length;

      await expectAccepted(await sign('deployed'), 'the first key');

      // WHEN three rotations run, a day apart
      let lastBeforeRotation = '';
      for (let rotation = 1; rotation <= 3; rotation += 1) {
        advance(DAY_MS + HOUR_MS);
        await maintain({ action: 'retire', secretId: arn });
        // (every verifier's cache is older than a day: this token makes each read the set, which
        // holds the standby key)
        lastBeforeRotation = await sign(`before rotation ${rotation}`);
        await expectAccepted(lastBeforeRotation, `the token before rotation ${rotation}`);
        const standby = (await rig.current(arn)).document.nextKid;
        const requestsBefore = viewerRequests();

        advance(MINUTE_MS);
        await rig.rotate(arn, lambda);
        expect(rig.local.rotationResults.at(-1)).toMatchObject({ outcome: 'succeeded' });
        await ring.refresh();
        const promoted = await sign(`after rotation ${rotation}`);

        // THEN the first token of the promoted key (the standby every cache already holds) and
        // the previous key's token in its grace are accepted by every verifier
        expect(kidOf(promoted)).toBe(standby);
        await expectAccepted(promoted, `the first token after promotion ${rotation}`);
        await expectAccepted(
          lastBeforeRotation,
          `the previous key's token after rotation ${rotation}`,
        );
        // AND no verifier needed the set again to know the promoted key, except jwks-rsa, which
        // caches by kid and looks a new kid up once (answered by the edge's copy)
        expect(viewerRequests() - requestsBefore).toBe(alg === 'EdDSA' ? 0 : 1);
      }

      // WHEN the last previous key is retired at the end of its grace, each verifier's cache
      // fresh with it a few minutes before
      const retiredToken = lastBeforeRotation;
      advance(GRACE_SECONDS * 1000 - 4 * MINUTE_MS);
      await expectAccepted(retiredToken, 'the previous key token at the end of its grace');
      await expectAccepted(await sign('before retirement'), 'the current token before retirement');
      advance(5 * MINUTE_MS);
      await expect(maintain({ action: 'retire', secretId: arn })).resolves.toMatchObject({
        outcome: 'retired',
      });
      expect(keySet.kids()).not.toContain(kidOf(retiredToken));

      // THEN after each verifier's stated bound it refuses the retired key's token, which has not
      // expired, because the set no longer holds its key; valid tokens still pass
      let elapsed = 0;
      for (const verifier of [...verifiers].sort((a, b) => a.boundMs - b.boundMs)) {
        advance(verifier.boundMs + 1000 - elapsed);
        elapsed = verifier.boundMs + 1000;
        await expectKeyGone(retiredToken, verifier);
        await expectAccepted(await sign('after retirement'), 'a current token after retirement');
      }

      // WHEN the current key leaks: a token it signed, the standby discarded, a fresh key now,
      // then revoke-previous names the leaked key
      advance(HOUR_MS);
      const leakedToken = await sign('leaked');
      await expectAccepted(leakedToken, 'the leaked key token before the revoke');
      const leaked = kidOf(leakedToken);
      await maintain({ action: 'discard-standby', secretId: arn });
      advance(MINUTE_MS);
      await rig.rotate(arn, lambda);
      await ring.refresh();
      // (the fresh key was published a minute ago, after every cache: an unknown kid for all)
      await expectAccepted(await sign('after the emergency rotation'), 'the fresh key token');
      await expectAccepted(leakedToken, 'the leaked key token before the revoke');
      advance(MINUTE_MS);
      await expect(
        maintain({ action: 'revoke-previous', secretId: arn, kid: leaked as string }),
      ).resolves.toMatchObject({ outcome: 'retired' });
      expect(keySet.kids()).not.toContain(leaked);

      // THEN after each verifier's stated bound the leaked key's token is refused
      elapsed = 0;
      for (const verifier of [...verifiers].sort((a, b) => a.boundMs - b.boundMs)) {
        advance(verifier.boundMs + 1000 - elapsed);
        elapsed = verifier.boundMs + 1000;
        await expectKeyGone(leakedToken, verifier);
        await expectAccepted(await sign('after the revoke'), 'a current token after the revoke');
      }

      // AND not one valid token was refused, by any verifier
      expect(refusedValid).toEqual([]);
      expect(validChecks).toBeGreaterThanOrEqual(verifiers.length * 14);
      // AND the function wrote the two documents only, every version of which was checked
      const writtenKeys = rig.local.calls
        .filter((call) => call.service === 's3' && call.operation === 'PutObject')
        .map((call) => call.key);
      expect(new Set(writtenKeys)).toEqual(
        new Set(Object.values(KEY_SET_DOCUMENTS).map((document) => document.objectKey)),
      );
      expect(checkedBodies.size).toBeGreaterThanOrEqual(8);
    });
  },
);
