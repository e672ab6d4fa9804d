/**
 * The fleet's start: the stack's deploy told on the timeline, the verifier with no secret on the
 * published key set, and the instances, each started at its own moment so that their caches
 * expire out of phase.
 */
import { type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { isHmacAlgorithm, type JwtAlgorithm } from '../../key-document';
import { type LocalAws } from '../../local-aws';
import { createJwksObserver, type DemoKeySet, type JwksObserver } from '../published-key-set';
import { type FleetTelemetry } from '../telemetry';
import {
  createFleetInstance,
  DEMO_AUDIENCE,
  type Deployed,
  type FleetInstance,
  simulateDeploy,
} from '../wiring';

import { type FleetOptions } from './figures';
import { type FleetClock, short, type Timeline, timelinePublished } from './timeline';

export interface FleetDeploySettings {
  readonly local: LocalAws;
  readonly admin: SecretsManagerClient;
  readonly clock: FleetClock;
  readonly timeline: Timeline;
  readonly options: FleetOptions;
  readonly algorithm: JwtAlgorithm;
  readonly functionArn: string;
  readonly keySet: DemoKeySet | undefined;
  readonly toleranceMs: number;
}

/**
 * The deploy, as the stack does it: the secret with CloudFormation's generated key, the
 * FirstKey custom resource (the first key and its standby), then the rotation schedule,
 * created without rotating.
 */
export async function deployStack(settings: FleetDeploySettings): Promise<Deployed> {
  const { timeline, algorithm, options } = settings;
  timeline(
    'deploy',
    isHmacAlgorithm(algorithm)
      ? "cdk deploy: the secret, with the template's generated key (kid initial)"
      : `cdk deploy: the secret, with no value (CloudFormation cannot make an ${algorithm} key)`,
  );
  const deployed = await simulateDeploy(settings.local, settings.admin, {
    secretName: 'demo/jwt-signing-key',
    functionArn: settings.functionArn,
    rotationDays: options.rotationDays,
    algorithm,
  });
  timeline(
    'deploy',
    `FirstKey custom resource (Create): first key ${short(deployed.firstKid)} made at deploy ` +
      `with its standby key ${short(deployed.standbyKid)} (${algorithm})` +
      (deployed.generatedKid === undefined
        ? ''
        : `; AWSPREVIOUS ${deployed.generatedKid} keeps its grace`),
  );
  timeline(
    'deploy',
    `rotation schedule every ${options.rotationDays} days, created without rotating ` +
      '(Secrets Manager ran testSecret only)',
  );
  return deployed;
}

/** The verifier that holds no secret, reading the published key set (asymmetric only). */
export function observeKeySet(settings: FleetDeploySettings): JwksObserver | undefined {
  const { keySet, timeline } = settings;
  if (keySet === undefined) return undefined;
  timeline(
    'jwks',
    `published key set at ${keySet.issuer}/.well-known/jwks.json (S3 + CloudFront), read by ` +
      'a verifier that holds no secret (JwksVerifier, no AWS access)',
  );
  timelinePublished(settings.local, keySet, timeline);
  return createJwksObserver(keySet, {
    audience: DEMO_AUDIENCE,
    clock: settings.clock.read,
    clockToleranceSeconds: settings.toleranceMs / 1000,
  });
}

/**
 * Starts the instances into `instances` (so that whoever closes them sees each one started),
 * each warmed up at its own moment: their caches expire out of phase.
 */
export async function startInstances(
  settings: FleetDeploySettings & {
    readonly secretArn: string;
    readonly telemetry: FleetTelemetry;
  },
  instances: FleetInstance[],
): Promise<void> {
  const { clock, options, keySet } = settings;
  const start = clock.now;
  for (let index = 0; index < options.instances; index += 1) {
    const instance = createFleetInstance(settings.local, {
      secretId: settings.secretArn,
      clock: clock.read,
      cacheTtlMs: options.cacheTtlMs,
      clockToleranceSeconds: settings.toleranceMs / 1000,
      observer: settings.telemetry,
      ...(keySet !== undefined && { issuer: keySet.issuer }),
    });
    clock.now = start - Math.floor((index * options.cacheTtlMs) / options.instances);
    await instance.warmUp();
    instances.push(instance);
  }
  clock.now = start;
}
