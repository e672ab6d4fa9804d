/**
 * A fleet of application instances signing and verifying tokens across rotations, on the
 * local endpoint with a simulated clock. The real rotation handler rotates the secret when its
 * schedule is due and retires the previous key; every instance is a real JwtKeyRing reading
 * through its own SecretsManagerClient. The demo prints it; the fleet tests measure it.
 *
 * Its seams, each a module under fleet/: the lifecycle it follows (rotations, retirements, the
 * revoke, as the events report them), the referee that judges each verdict against what the
 * system promises, the traffic (tokens, random kids, replays, the new key's first token), the
 * stepper that moves time (dense steps around the lifecycle's moments), and the deploy.
 *
 * Optional traffic makes it harder: tokens with random kids (also one per instance a second
 * before each rotation, which spends the unknown-kid refresh budget just when a new key
 * appears), replays of long-lived tokens of keys later retired or revoked, and an instance
 * whose two reads straddle each rotation's label move.
 */
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { isHmacAlgorithm } from '../key-document';
import { type DeliveredEvent, startLocalAws } from '../local-aws';

import { deployStack, observeKeySet, startInstances } from './fleet/deploy';
import { type FleetFigures, type FleetOptions } from './fleet/figures';
import { KeyLifecycle } from './fleet/lifecycle';
import { Referee } from './fleet/referee';
import { rotateOnSchedule } from './fleet/scheduled-rotation';
import { nextStep } from './fleet/stepper';
import { DAY_MS, FleetClock, timelineOf, timelinePublished } from './fleet/timeline';
import { FleetTraffic } from './fleet/traffic';
import { startDemoKeySet } from './published-key-set';
import { FleetTelemetry } from './telemetry';
import { createRotationFunction, type FleetInstance } from './wiring';

export type { FleetFigures, FleetOptions, JwksFigures, TimelineEntry } from './fleet/figures';
export { short } from './fleet/timeline';

export async function runFleet(options: FleetOptions): Promise<FleetFigures> {
  const start = options.start ?? Date.UTC(2026, 0, 1);
  const end = start + options.days * DAY_MS;
  const toleranceMs = (options.clockToleranceSeconds ?? 60) * 1000;
  const clock = new FleetClock(start);
  const timeline = timelineOf(clock, options.onTimeline);

  const local = await startLocalAws({ clock: clock.read });
  const admin = new SecretsManagerClient(local.clientConfig());
  const instances: FleetInstance[] = [];
  const telemetry = new FleetTelemetry();
  const algorithm = options.algorithm ?? 'HS256';
  // The stack publishes asymmetric keys only: a JWKS cannot hold an HMAC key.
  const keySet = isHmacAlgorithm(algorithm) ? undefined : startDemoKeySet(local);
  try {
    const functionArn = local.registerFunction(
      'jwt-key-rotation',
      createRotationFunction(local, {
        clock: clock.read,
        algorithm,
        gracePeriodSeconds: options.gracePeriodSeconds,
        eventBusName: 'jwt-keys',
        ...(keySet !== undefined && { keySet }),
      }),
    );
    const lifecycle = new KeyLifecycle({
      clock,
      timeline,
      gracePeriodSeconds: options.gracePeriodSeconds,
      revokeAt:
        options.revokeAtDay === undefined ? undefined : start + options.revokeAtDay * DAY_MS,
      onKeySetChange: () => timelinePublished(local, keySet, timeline),
    });
    local.subscribe((event: DeliveredEvent) => {
      lifecycle.observe(event);
      if (options.pushEvents === true) {
        for (const instance of instances) instance.handleRotationEvent(event);
      }
    });

    const deploySettings = {
      local,
      admin,
      clock,
      timeline,
      options,
      algorithm,
      functionArn,
      keySet,
      toleranceMs,
    };
    const deployed = await deployStack(deploySettings);
    const secretArn = deployed.secretArn;
    const rotationsAtDeploy = lifecycle.rotations;
    const observer = observeKeySet(deploySettings);
    await startInstances({ ...deploySettings, secretArn, telemetry }, instances);

    const referee = new Referee({
      clock,
      lifecycle,
      timeline,
      toleranceMs,
      cacheTtlMs: options.cacheTtlMs,
      ...(keySet !== undefined &&
        observer !== undefined && {
          keySet: { observer, boundMs: keySet.boundMs },
        }),
    });
    const traffic = new FleetTraffic({ clock, options, lifecycle, referee, instances });
    const stepper = {
      denseStepMs: options.denseStepMs,
      sparseStepMs: options.sparseStepMs,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds,
      keyBoundMs: Math.max(options.cacheTtlMs, keySet?.boundMs ?? 0),
    };
    const nextRotationAt = async (): Promise<number | undefined> =>
      (
        await admin.send(new DescribeSecretCommand({ SecretId: secretArn }))
      ).NextRotationDate?.getTime();
    const scheduled = { local, secretArn, instances, options, traffic, referee, timeline };
    let scheduledRotations = 0;

    while (clock.now < end) {
      // The service's scheduler, then the 5-minute retirement rule.
      const due = await nextRotationAt();
      if (due !== undefined && due <= clock.now) {
        await rotateOnSchedule(scheduledRotations, scheduled);
        scheduledRotations += 1;
      } else if (local.runScheduledRotations().length > 0) {
        await local.rotationsSettled();
      }
      await lifecycle.revokeIfDue(local, secretArn);
      await local.invokeFunction(functionArn, { action: 'retire', secretId: secretArn });
      await traffic.step();
      clock.now = nextStep(clock.now, lifecycle.moments(await nextRotationAt()), stepper);
    }

    return {
      deploy: {
        firstKid: deployed.firstKid,
        standbyKid: deployed.standbyKid,
        rotations: rotationsAtDeploy,
      },
      instances: options.instances,
      simulatedDays: options.days,
      rotations: lifecycle.rotations,
      retirements: lifecycle.retirements,
      revocations: lifecycle.revocations,
      ...referee.figures,
      secretsManagerCallsPerInstance: callsPerInstance(instances),
      events: local.events.length,
      observed: telemetry.figures(),
      ...(keySet !== undefined && {
        jwks: {
          jwksUrl: keySet.jwksUrl,
          boundMs: keySet.boundMs,
          ...referee.jwks,
          requests: keySet.jwksRequests(),
        },
      }),
    };
  } finally {
    for (const instance of instances) instance.close();
    keySet?.close();
    admin.destroy();
    await local.close();
  }
}

function callsPerInstance(
  instances: readonly FleetInstance[],
): FleetFigures['secretsManagerCallsPerInstance'] {
  const calls = instances.map((instance) => instance.secretsManagerCalls());
  return {
    min: Math.min(...calls),
    max: Math.max(...calls),
    mean: calls.reduce((sum, value) => sum + value, 0) / calls.length,
  };
}
