/**
 * Which copy of the secret a ring reads. A secret replicated to other regions (Secrets
 * Manager replicas) has, in each, the same name and random suffix under that region's ARN; an
 * application reads its own region's replica, so it keeps its keys while the primary region is
 * down, and its reads stay in-region. Given the primary's ARN, the ring therefore reads the ARN
 * rewritten to its client's region (a Secrets Manager client can only read secrets of its own
 * region anyway, so nothing that worked before changes). A name is read as it is, in the
 * client's region.
 */
// From the module itself, not the key-document index (see compact-jws.ts).
import { formatSecretArn, parseSecretArn } from '../key-document/secret-arn';

import { JwtKeyRingError } from './errors';
import { type SecretsManagerSender } from './secrets-manager-client';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The secret's ARN in `region`; a name, or anything that is no secret ARN, unchanged. */
export function secretIdInRegion(secretId: string, region: string): string {
  const arn = parseSecretArn(secretId);
  return arn === undefined ? secretId : formatSecretArn({ ...arn, region });
}

/** Checks the option where it enters: a region name, or false. */
export function checkReplicaRegion(value: unknown): string | false | undefined {
  if (value === undefined || value === false) return value;
  if (typeof value === 'string' && REGION.test(value)) return value;
  throw new JwtKeyRingError(
    'ERR_INVALID_ARGUMENT',
    `replicaRegion must be a region name like "eu-west-1", or false, got ${JSON.stringify(value)}`,
  );
}

/**
 * The SecretId the ring sends: resolved once (the client's region is an async provider), and
 * again after a failure to resolve it.
 */
export function secretIdResolver(
  secretId: string,
  client: SecretsManagerSender,
  replicaRegion: string | false | undefined,
): () => Promise<string> {
  if (replicaRegion === false || parseSecretArn(secretId) === undefined) {
    return () => Promise.resolve(secretId);
  }
  let resolved: Promise<string> | undefined;
  // A structural stand-in for the SDK client (tests, wrappers) may have no region: read as given.
  const config = client.config;
  if (typeof config?.region !== 'function') return () => Promise.resolve(secretId);
  const regionOf = config.region as () => Promise<string>;
  const resolve = async (): Promise<string> => {
    // Called on the config, as the SDK's providers expect.
    const clientRegion = await regionOf.call(config);
    if (replicaRegion !== undefined && replicaRegion !== clientRegion) {
      throw new JwtKeyRingError(
        'ERR_INVALID_ARGUMENT',
        `replicaRegion is ${replicaRegion} but the Secrets Manager client is in ${clientRegion}: ` +
          'a client reads the secrets of its own region only',
      );
    }
    return secretIdInRegion(secretId, clientRegion);
  };
  return () => {
    resolved ??= resolve().catch((error: unknown) => {
      resolved = undefined;
      throw error;
    });
    return resolved;
  };
}
