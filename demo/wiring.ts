/**
 * The real parts, wired to the local endpoint and a simulated clock: the rotation handler (as
 * Secrets Manager and CloudFormation would invoke it), what `cdk deploy` does with them, and
 * application instances built on JwtKeyRing, each with its own SecretsManagerClient whose calls
 * are counted.
 */
import { randomInt } from 'node:crypto';

import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

import { JwtKeyRing, JwtKeyRingError, type VerificationObserver } from '../client';
import { AWSCURRENT, FIRST_KEY_RESOURCE_TYPE, type FirstKeyResourceProperties } from '../contract';
import {
  type HmacAlgorithm,
  isHmacAlgorithm,
  type JwtAlgorithm,
  parseKeyDocument,
} from '../key-document';
import { type KeySetConfig } from '../lambda/rotation/config';
import { type KeySetStore } from '../lambda/rotation/key-set-store';
import { wireRotationHandler } from '../lambda/rotation/wiring';
import { type LambdaHandler, type LocalAws } from '../local-aws';

export interface RotationFunctionSettings {
  readonly clock: () => number;
  /** @default 'HS256' */
  readonly algorithm?: JwtAlgorithm;
  readonly gracePeriodSeconds: number;
  readonly eventBusName: string;
  /** Where an asymmetric key's public keys are published, as the stack configures it. */
  readonly keySet?: { readonly config: KeySetConfig; readonly store: KeySetStore };
}

/** The rotation Lambda's logic with the real SDK clients pointed at the local endpoint. */
export function createRotationFunction(
  local: LocalAws,
  settings: RotationFunctionSettings,
): LambdaHandler {
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const handler = wireRotationHandler({
    clients: {
      secretsManager: new SecretsManagerClient(local.clientConfig()),
      eventBridge: new EventBridgeClient(local.clientConfig()),
    },
    config: {
      algorithm: settings.algorithm ?? 'HS256',
      gracePeriodSeconds: settings.gracePeriodSeconds,
      eventBusName: settings.eventBusName,
      ...(settings.keySet !== undefined && { keySet: settings.keySet.config }),
    },
    clock: settings.clock,
    logger: quiet,
    ...(settings.keySet !== undefined && { keySetStore: settings.keySet.store }),
  });
  return (event) => handler(event);
}

export interface DeploySettings {
  readonly secretName: string;
  /** The rotation function's ARN (the custom resource's ServiceToken and the rotation Lambda). */
  readonly functionArn: string;
  readonly rotationDays: number;
  /** @default 'HS256' */
  readonly algorithm?: JwtAlgorithm;
}

export interface Deployed {
  readonly secretArn: string;
  /**
   * The template's generated key (HMAC only): replaced at once by the first key, it keeps its
   * grace. Undefined for an asymmetric algorithm, whose secret CloudFormation creates empty.
   */
  readonly generatedKid: string | undefined;
  /** The first key, written by the FirstKey custom resource, AWSCURRENT when the deploy ends. */
  readonly firstKid: string;
  /** The first key's standby (JWTKEY_NEXT), which the first scheduled rotation promotes. */
  readonly standbyKid: string;
  /** The FirstKey resource's answer to CloudFormation. */
  readonly firstKeyReason: string;
}

/**
 * What the stack's `cdk deploy` does, in its order: the secret with CloudFormation's generated
 * key (kid `initial`); the FirstKey custom resource, a Create request to the rotation function,
 * which writes the first key and its standby and answers on the ResponseURL; then the rotation
 * schedule, with RotateImmediatelyOnUpdate false, so Secrets Manager only runs testSecret.
 */
export async function simulateDeploy(
  local: LocalAws,
  admin: SecretsManagerClient,
  settings: DeploySettings,
): Promise<Deployed> {
  const algorithm = settings.algorithm ?? 'HS256';
  // CloudFormation can generate an HMAC key into the JWK template, but no EC or RSA key: the
  // stack creates that secret with no value, and FirstKey writes its first key.
  const created = await admin.send(
    new CreateSecretCommand({
      Name: settings.secretName,
      ...(isHmacAlgorithm(algorithm) && { SecretString: templateKeyDocument(algorithm) }),
    }),
  );
  const secretArn = created.ARN!;
  const answer = await local.runCustomResource(settings.functionArn, {
    requestType: 'Create',
    resourceType: FIRST_KEY_RESOURCE_TYPE,
    logicalResourceId: 'JwtKeyFirstKey',
    resourceProperties: { SecretId: secretArn } satisfies FirstKeyResourceProperties,
  });
  if (answer.Status !== 'SUCCESS') {
    throw new Error(`cdk deploy failed: FirstKey answered ${answer.Status}: ${answer.Reason}`);
  }
  const results = local.rotationResults.length;
  await admin.send(
    new RotateSecretCommand({
      SecretId: secretArn,
      RotationLambdaARN: settings.functionArn,
      RotationRules: { ScheduleExpression: `rate(${settings.rotationDays} days)` },
      RotateImmediately: false,
    }),
  );
  await local.rotationsSettled();
  const check = local.rotationResults.slice(results);
  if (
    check.some((result) => result.outcome !== 'succeeded' || result.mode !== 'test-configuration')
  ) {
    throw new Error(`cdk deploy failed: the rotation schedule's check: ${JSON.stringify(check)}`);
  }
  const current = parseKeyDocument(
    (await admin.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: AWSCURRENT })))
      .SecretString!,
  );
  if (current.nextKid === undefined) throw new Error('cdk deploy left a first key without standby');
  return {
    secretArn,
    generatedKid: current.previousKid,
    firstKid: current.kid,
    standbyKid: current.nextKid,
    firstKeyReason: answer.Reason ?? '',
  };
}

/**
 * CloudFormation's GenerateSecretString for the stack's secret: the JWK template with `k`, 88
 * alphanumeric characters (valid base64url for 66 bytes), and the kid `initial`.
 */
export function templateKeyDocument(alg: HmacAlgorithm = 'HS256'): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const k = Array.from({ length: 88 }, () => alphabet[randomInt(alphabet.length)]).join('');
  return JSON.stringify({ kty: 'oct', alg, use: 'sig', kid: 'initial', k });
}

/** The audience every fleet token names. */
export const DEMO_AUDIENCE = 'demo-api';

export interface FleetInstanceSettings {
  readonly secretId: string;
  readonly clock: () => number;
  readonly cacheTtlMs: number;
  readonly clockToleranceSeconds: number;
  /** Told of every verification and read of the keys. @default - none */
  readonly observer?: VerificationObserver;
  /** The `iss` of signed tokens: the published key set's issuer, if any. @default 'https://demo.example' */
  readonly issuer?: string;
}

export interface FleetInstance {
  sign(lifetimeSeconds: number): Promise<{ token: string; kid: string }>;
  verify(
    token: string,
  ): Promise<{ accepted: true; stage: string } | { accepted: false; code: string }>;
  /** Loads the keys now: called at a different time for each instance, so caches are out of phase. */
  warmUp(): Promise<void>;
  handleRotationEvent(event: unknown): void;
  secretsManagerCalls(): number;
  close(): void;
}

export function createFleetInstance(
  local: LocalAws,
  settings: FleetInstanceSettings,
): FleetInstance {
  const client = new SecretsManagerClient(local.clientConfig());
  let calls = 0;
  client.middlewareStack.add(
    (next) => (args) => {
      calls += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  const ring = new JwtKeyRing({
    secretId: settings.secretId,
    client,
    clock: settings.clock,
    cacheTtlMs: settings.cacheTtlMs,
    clockToleranceSeconds: settings.clockToleranceSeconds,
    issuer: settings.issuer ?? 'https://demo.example',
    audience: DEMO_AUDIENCE,
    ...(settings.observer !== undefined && { observer: settings.observer }),
  });
  return {
    async sign(lifetimeSeconds) {
      const token = await ring.sign({ sub: 'user' }, { expiresIn: lifetimeSeconds });
      const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as {
        kid: string;
      };
      return { token, kid: header.kid };
    },
    async verify(token) {
      try {
        const { stage } = await ring.verify(token);
        return { accepted: true, stage };
      } catch (error) {
        if (error instanceof JwtKeyRingError) return { accepted: false, code: error.code };
        throw error;
      }
    },
    warmUp: () => ring.refresh(),
    handleRotationEvent(event) {
      ring.handleRotationEvent(event).catch(() => undefined);
    },
    secretsManagerCalls: () => calls,
    close: () => client.destroy(),
  };
}
