/**
 * The published key set in the demo (asymmetric algorithms): the construct's bucket and
 * distribution on the local endpoint, written by the rotation function as deployed, and a
 * verifier that holds no secret (JwksVerifier on the distribution's URL) reading it. The fleet
 * judges its verdicts with the key set's own bound: a key that leaves the set is invalidated
 * in CloudFront, and JwksVerifier keeps a set no longer than max-age minus the edge's Age, or
 * its minimum cache period (1 minute) when the edge's copy was about to expire.
 */
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { S3Client } from '@aws-sdk/client-s3';

import { JwksVerifier, JwtKeyRingError } from '../client';
import { DEFAULT_KEY_SET_MAX_AGE_SECONDS, KEY_SET_DOCUMENTS } from '../contract';
import { type KeySetConfig } from '../lambda/rotation/config';
import { SdkKeySetStore } from '../lambda/rotation/key-set-store';
import { type LocalAws } from '../local-aws';

export interface DemoKeySet {
  /** The rotation function's key set settings and store, as the stack's environment sets them. */
  readonly config: KeySetConfig;
  readonly store: SdkKeySetStore;
  /** `https://<distribution domain>`: what tokens carry as `iss`. */
  readonly issuer: string;
  /** Where the local distribution serves the JWKS (the issuer's, as DNS would send it). */
  readonly jwksUrl: string;
  /** How long after a key leaves the set a JWKS verifier may still accept it. */
  readonly boundMs: number;
  /** Requests the distribution answered for the JWKS, and those it read from the bucket. */
  jwksRequests(): { readonly viewer: number; readonly origin: number };
  close(): void;
}

export function startDemoKeySet(local: LocalAws): DemoKeySet {
  const bucketName = 'jwt-keys-keyset';
  local.createBucket(bucketName);
  const distribution = local.createDistribution({ bucket: bucketName });
  const issuer = `https://${distribution.domainName}`;
  const clients = {
    s3: new S3Client(local.s3ClientConfig()),
    cloudFront: new CloudFrontClient(local.clientConfig()),
  };
  const path = KEY_SET_DOCUMENTS.jwks.path;
  return {
    config: {
      bucketName,
      distributionId: distribution.id,
      issuer,
      maxAgeSeconds: DEFAULT_KEY_SET_MAX_AGE_SECONDS,
    },
    store: new SdkKeySetStore(clients, { bucketName, distributionId: distribution.id }),
    issuer,
    jwksUrl: `${distribution.url}${path}`,
    // max-age, or JwksVerifier's 1-minute minimum cache period past the edge's copy (README).
    boundMs: DEFAULT_KEY_SET_MAX_AGE_SECONDS * 1000 + 60_000,
    jwksRequests: () => ({
      viewer: local.viewerRequests.filter(
        (request) => request.distributionId === distribution.id && request.path === path,
      ).length,
      origin: local.originFetches(distribution.id, path),
    }),
    close() {
      clients.s3.destroy();
      clients.cloudFront.destroy();
    },
  };
}

export interface JwksObserver {
  verify(
    token: string,
  ): Promise<{ accepted: true; kid: string } | { accepted: false; code: string }>;
}

/** A verifier with no secret and no AWS client: only the published key set's URL. */
export function createJwksObserver(
  keySet: DemoKeySet,
  settings: { audience: string; clock: () => number; clockToleranceSeconds: number },
): JwksObserver {
  const verifier = new JwksVerifier({
    jwksUri: keySet.jwksUrl,
    issuer: keySet.issuer,
    audience: settings.audience,
    clock: settings.clock,
    clockToleranceSeconds: settings.clockToleranceSeconds,
  });
  return {
    async verify(token) {
      try {
        const { kid } = await verifier.verify(token);
        return { accepted: true, kid };
      } catch (error) {
        if (error instanceof JwtKeyRingError) return { accepted: false, code: error.code };
        throw error;
      }
    },
  };
}
