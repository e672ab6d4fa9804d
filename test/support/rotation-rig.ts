/**
 * A rotation function wired to the local endpoint: the real handler logic, the real SDK
 * clients, a controllable clock, and every log line and error captured for the key scan.
 */
import {
  CloudFrontClient,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

import { STANDBY_STAGE, versionWithStage } from '../../contract';
import {
  generateKeyDocument,
  type KeyDocument,
  PRIVATE_MEMBERS,
  parseKeyDocument,
  serializeKeyDocument,
} from '../../key-document';
import { type RotationConfig } from '../../lambda/rotation/config';
import { type RotationHandler } from '../../lambda/rotation/create-rotation-handler';
import { type RotationLogger } from '../../lambda/rotation/dependencies';
import { type Jwks, jwksProblem, type OpenIdConfiguration } from '../../lambda/rotation/key-set';
import { type SecretsStore } from '../../lambda/rotation/secrets-store';
import { wireRotationHandler } from '../../lambda/rotation/wiring';
import { type Distribution, type LocalAws, startLocalAws } from '../../local-aws';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** A secret whose AWSCURRENT is a first key, as the stack's template makes it. */
export async function createKeySecret(
  sm: SecretsManagerClient,
  name: string,
  now: number,
): Promise<string> {
  const first = generateKeyDocument({ alg: 'HS256', kid: 'initial', now: new Date(now) });
  const created = await sm.send(
    new CreateSecretCommand({ Name: name, SecretString: serializeKeyDocument(first) }),
  );
  return created.ARN!;
}

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

export interface RotationRig {
  readonly local: LocalAws;
  readonly sm: SecretsManagerClient;
  readonly handler: RotationHandler;
  readonly functionArn: string;
  readonly logs: LogLine[];
  readonly errors: unknown[];
  now: number;
  clock(): number;
  createKeySecret(name?: string): Promise<string>;
  /** Rotates through `functionArn` (default: the rig's function) and waits for the end. */
  rotate(secretId: string, functionArn?: string): Promise<string>;
  current(secretId: string): Promise<{ versionId: string; document: KeyDocument }>;
  /** The version holding JWTKEY_NEXT and its key, or undefined when there is no standby key. */
  standbyVersion(
    secretId: string,
  ): Promise<{ versionId: string; document: KeyDocument } | undefined>;
  /** The key document a version holds, named by its id or by a stage it holds (e.g. AWSPREVIOUS). */
  valueOf(secretId: string, versionIdOrStage: string): Promise<KeyDocument>;
  /** Every version's id (ListSecretVersionIds, deprecated versions included). */
  versionIds(secretId: string): Promise<string[]>;
  allKeyMaterial(secretId: string): Promise<string[]>;
  /** Where the function publishes, with `keySet` in the options; undefined without. */
  readonly keySet: KeySetRig | undefined;
  close(): Promise<void>;
}

/** The key set's bucket and distribution on the local endpoint, and what they hold. */
export interface KeySetRig {
  readonly bucket: string;
  readonly distribution: Distribution;
  readonly issuer: string;
  readonly s3: S3Client;
  readonly cloudFront: CloudFrontClient;
  /** The JWKS object as stored (checked: parsed, no private member), or undefined. */
  jwks(): Jwks | undefined;
  /** The kids the stored JWKS holds, in order ([] before the first write). */
  kids(): string[];
  discovery(): OpenIdConfiguration | undefined;
  /** The stored object's headers (Content-Type, Cache-Control). */
  headers(objectKey: string): Readonly<Record<string, string>> | undefined;
  /** Every invalidation of the distribution, oldest first, read through the CloudFront API. */
  invalidations(): Promise<{ callerReference: string; paths: string[] }[]>;
}

export interface RigOptions {
  /** Wraps the function's Secrets Manager access, e.g. to hold a write at a chosen moment. */
  readonly wrapSecrets?: (store: SecretsStore) => SecretsStore;
  /** Publishes the key set (asymmetric keys) to a bucket and distribution of the endpoint. */
  readonly keySet?: { readonly maxAgeSeconds?: number };
}

const KEY_SET_BUCKET = 'jwt-keys-keyset';

/** Stage labels are upper-case words (AWSCURRENT, JWTKEY_NEXT); version ids never are. */
const STAGE_LABEL = /^[A-Z][A-Z0-9_]*$/;

function startKeySet(local: LocalAws): KeySetRig {
  local.createBucket(KEY_SET_BUCKET);
  const distribution = local.createDistribution({ bucket: KEY_SET_BUCKET, minTtlSeconds: 0 });
  const stored = (objectKey: string): unknown => {
    const object = local.readObject(KEY_SET_BUCKET, objectKey);
    return object === undefined ? undefined : (JSON.parse(object.body.toString('utf8')) as unknown);
  };
  const keySet: KeySetRig = {
    bucket: KEY_SET_BUCKET,
    distribution,
    issuer: `https://${distribution.domainName}`,
    // One attempt per call, as for the other clients: injected faults reach the step.
    s3: new S3Client(local.s3ClientConfig({ maxAttempts: 1 })),
    cloudFront: new CloudFrontClient(local.clientConfig({ maxAttempts: 1 })),
    jwks() {
      const jwks = stored('.well-known/jwks.json');
      if (jwks === undefined) return undefined;
      // Every object the function writes is parsed and checked, in every test that reads it.
      const problem = jwksProblem(jwks);
      if (problem !== undefined) throw new Error(`the published JWKS is unfit: ${problem}`);
      return jwks as Jwks;
    },
    kids() {
      return (keySet.jwks()?.keys ?? []).map((key) => key.kid);
    },
    discovery() {
      return stored('.well-known/openid-configuration') as OpenIdConfiguration | undefined;
    },
    headers(objectKey) {
      return local.readObject(KEY_SET_BUCKET, objectKey)?.headers;
    },
    async invalidations() {
      const listed = await keySet.cloudFront.send(
        new ListInvalidationsCommand({ DistributionId: distribution.id }),
      );
      const batches = await Promise.all(
        (listed.InvalidationList?.Items ?? []).map(async (item) => {
          const got = await keySet.cloudFront.send(
            new GetInvalidationCommand({ DistributionId: distribution.id, Id: item.Id }),
          );
          return {
            createdAt: got.Invalidation?.CreateTime?.getTime() ?? 0,
            callerReference: got.Invalidation?.InvalidationBatch?.CallerReference ?? '',
            paths: got.Invalidation?.InvalidationBatch?.Paths?.Items ?? [],
          };
        }),
      );
      // ListInvalidations lists newest first; ties (one clock instant) keep the list's order.
      return batches
        .reverse()
        .sort((a, b) => a.createdAt - b.createdAt)
        .map(({ callerReference, paths }) => ({ callerReference, paths }));
    },
  };
  return keySet;
}

export async function startRotationRig(
  config: Partial<RotationConfig> = {},
  options: RigOptions = {},
): Promise<RotationRig> {
  const rig = { now: Date.UTC(2026, 0, 1) } as RotationRig;
  const clock = (): number => rig.now;
  const local = await startLocalAws({ clock });
  // One attempt per SDK call: faults injected in tests are not hidden by the SDK's own retries.
  const sm = new SecretsManagerClient(local.clientConfig({ maxAttempts: 1 }));
  const events = new EventBridgeClient(local.clientConfig({ maxAttempts: 1 }));
  const logs: LogLine[] = [];
  const errors: unknown[] = [];
  const keySet = options.keySet === undefined ? undefined : startKeySet(local);
  const logger: RotationLogger = {
    info: (message, fields = {}) => logs.push({ level: 'info', message, fields }),
    warn: (message, fields = {}) => logs.push({ level: 'warn', message, fields }),
    error: (message, fields = {}) => logs.push({ level: 'error', message, fields }),
  };
  const inner = wireRotationHandler({
    clients: { secretsManager: sm, eventBridge: events, ...(keySet !== undefined && { keySet }) },
    ...(options.wrapSecrets !== undefined && { wrapSecrets: options.wrapSecrets }),
    config: {
      algorithm: 'HS256',
      gracePeriodSeconds: 86_400,
      eventBusName: 'jwt-keys',
      ...(keySet !== undefined && {
        keySet: {
          bucketName: keySet.bucket,
          distributionId: keySet.distribution.id,
          issuer: keySet.issuer,
          maxAgeSeconds: options.keySet?.maxAgeSeconds ?? 300,
        },
      }),
      ...config,
    },
    clock,
    logger,
  });
  const handler: RotationHandler = async (event) => {
    try {
      return await inner(event);
    } catch (error) {
      errors.push(error);
      throw error;
    }
  };
  const functionArn = local.registerFunction('rotation', (event) => handler(event));

  return Object.assign(rig, {
    local,
    sm,
    handler,
    functionArn,
    logs,
    errors,
    clock,
    keySet,
    createKeySecret: (name = 'app/jwt') => createKeySecret(sm, name, rig.now),
    async rotate(secretId: string, rotationFunctionArn = functionArn) {
      const started = await sm.send(
        new RotateSecretCommand({
          SecretId: secretId,
          RotationLambdaARN: rotationFunctionArn,
          RotationRules: { AutomaticallyAfterDays: 90 },
        }),
      );
      await local.rotationsSettled();
      return started.VersionId!;
    },
    async current(secretId: string) {
      const value = await sm.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' }),
      );
      return { versionId: value.VersionId!, document: parseKeyDocument(value.SecretString!) };
    },
    async standbyVersion(secretId: string) {
      const versionId = versionWithStage(local.versionStages(secretId), STANDBY_STAGE);
      if (versionId === undefined) return undefined;
      return { versionId, document: await rig.valueOf(secretId, versionId) };
    },
    async valueOf(secretId: string, versionIdOrStage: string) {
      const value = await sm.send(
        new GetSecretValueCommand({
          SecretId: secretId,
          ...(STAGE_LABEL.test(versionIdOrStage)
            ? { VersionStage: versionIdOrStage }
            : { VersionId: versionIdOrStage }),
        }),
      );
      return parseKeyDocument(value.SecretString!);
    },
    async versionIds(secretId: string) {
      const listed = await sm.send(
        new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true }),
      );
      return (listed.Versions ?? []).map((version) => version.VersionId!);
    },
    /** Every key of every version, in the encodings a leak would show. */
    async allKeyMaterial(secretId: string) {
      const material: string[] = [];
      for (const versionId of await rig.versionIds(secretId)) {
        try {
          const value = await sm.send(
            new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId }),
          );
          const document = parseKeyDocument(value.SecretString!) as unknown as Record<
            string,
            unknown
          >;
          // Every private member (k of an HMAC key; d and the RSA CRT members), in each encoding.
          for (const member of PRIVATE_MEMBERS) {
            const text = document[member];
            if (typeof text !== 'string') continue;
            const bytes = Buffer.from(text, 'base64url');
            material.push(text, bytes.toString('base64'), bytes.toString('hex'));
          }
        } catch {
          // A version without a value holds no key.
        }
      }
      return material;
    },
    async close() {
      sm.destroy();
      events.destroy();
      keySet?.s3.destroy();
      keySet?.cloudFront.destroy();
      await local.close();
    },
  });
}

/** Everything the function let out: log lines, events, errors (messages, causes, fields). */
export function everythingObservable(rig: RotationRig): string {
  return JSON.stringify({
    logs: rig.logs,
    events: rig.local.events,
    errors: rig.errors.map((error) => ({
      message: (error as Error).message,
      cause: String((error as Error).cause ?? ''),
      ...(error as object),
    })),
    failures: rig.local.rotationResults,
    log: rig.local.rotationLog,
  });
}
