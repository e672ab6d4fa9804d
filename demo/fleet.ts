/**
 * A fleet of application instances signing and verifying tokens across rotations, on the
 * local endpoint with a simulated clock. The real rotation handler rotates the secret when its
 * schedule is due and retires the previous key; every instance is a real JwtKeyRing reading
 * through its own SecretsManagerClient. The demo prints it; the fleet tests measure it.
 *
 * Each verification is judged against what the system promises:
 * - a token that is unexpired and whose key was neither retired nor revoked must verify
 *   (otherwise: wrongly rejected);
 * - a token whose key was retired or revoked must be refused once applications can know it,
 *   that is one cache period after the retirement (otherwise: accepted after the bound);
 * - an expired token must be refused.
 *
 * Optional traffic makes it harder: tokens with random kids (also one per instance a second
 * before each rotation, which spends the unknown-kid refresh budget just when a new key
 * appears), replays of long-lived tokens of keys later retired or revoked, and an instance
 * whose two reads straddle each rotation's label move.
 */
import { randomUUID } from 'node:crypto';

import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { runCli } from '../cli/run-cli';
import { KEY_SET_DOCUMENTS } from '../contract';
import { isHmacAlgorithm, type JwtAlgorithm } from '../key-document';
import { type DeliveredEvent, type LocalAws, startLocalAws } from '../local-aws';
import { KEY_RETIRED, KEY_ROTATED, parseRotationEvent } from '../rotation-events';

import { createJwksObserver, type JwksObserver, startDemoKeySet } from './published-key-set';
import { FleetTelemetry, type ObservedFigures } from './telemetry';
import {
  createFleetInstance,
  createRotationFunction,
  DEMO_AUDIENCE,
  type FleetInstance,
  simulateDeploy,
} from './wiring';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export interface FleetOptions {
  /** The algorithm the stack is deployed with. @default 'HS256' */
  readonly algorithm?: JwtAlgorithm;
  readonly instances: number;
  /** Simulated span, from the deploy. */
  readonly days: number;
  readonly rotationDays: number;
  readonly gracePeriodSeconds: number;
  readonly tokenLifetimeSeconds: number;
  readonly cacheTtlMs: number;
  /** Clock skew between instances is simulated by the verifier's tolerance. @default 60 */
  readonly clockToleranceSeconds?: number;
  /** Time between two actions of an instance near rotations, retirements and the revoke. */
  readonly denseStepMs: number;
  /** Time between two actions of an instance elsewhere. */
  readonly sparseStepMs: number;
  /** Tokens each instance verifies at each action. */
  readonly verificationsPerStep: number;
  /** Day of the emergency revoke (jwt-keys revoke-previous), if any. */
  readonly revokeAtDay?: number;
  /** Hand rotation events to every instance (push refresh). @default false */
  readonly pushEvents?: boolean;
  /** Chance, per instance and step, of a token with a random kid (refused). @default 0 */
  readonly junkKidRate?: number;
  /**
   * A second before each scheduled rotation every instance meets a random kid; a second after
   * it, one instance signs with the new key and every other one verifies that token.
   * @default false
   */
  readonly junkBeforeRotations?: boolean;
  /**
   * Chance, per instance and step, of a replayed long-lived token (3 days) of a key that was
   * retired or revoked: refused one cache period after the key ended. @default 0
   */
  readonly replayRate?: number;
  /**
   * At each scheduled rotation, one instance's refresh straddles the label move: one of its two
   * reads answered before the move, the other after (alternately AWSPREVIOUS and AWSCURRENT
   * first). @default false
   */
  readonly interleaveReads?: boolean;
  readonly start?: number;
  /** Seed of the deterministic choice of tokens to verify. @default 1 */
  readonly seed?: number;
  readonly onTimeline?: (entry: TimelineEntry) => void;
}

export interface TimelineEntry {
  readonly at: number;
  readonly kind:
    'deploy' | 'rotated' | 'retired' | 'revoke' | 'verdict' | 'phase' | 'traffic' | 'jwks';
  readonly text: string;
}

export interface FleetFigures {
  /** What the deploy left: the first key and its standby, which the first rotation promotes. */
  readonly deploy: {
    readonly firstKid: string;
    readonly standbyKid: string;
    /** Key rotated events published by the deploy (the schedule is created without rotating). */
    readonly rotations: number;
  };
  readonly instances: number;
  readonly simulatedDays: number;
  readonly rotations: number;
  readonly retirements: number;
  readonly revocations: number;
  readonly tokensIssued: number;
  readonly verifications: number;
  readonly accepted: number;
  /** Accepted tokens that only the AWSPREVIOUS key (in its grace period) could verify. */
  readonly acceptedByPreviousKey: number;
  /** Rejections that were right, by error code. */
  readonly rejectedCorrectly: Record<string, number>;
  /** Unexpired tokens of keys not revoked that were refused: must be 0 with a sufficient grace. */
  readonly wronglyRejected: number;
  readonly wronglyRejectedByCode: Record<string, number>;
  /** Tokens of retired or revoked keys accepted later than one cache period after: must be 0. */
  readonly acceptedAfterBound: number;
  readonly expiredAccepted: number;
  /** Tokens with random kids verified, and accepted (must be 0). */
  readonly junkVerified: number;
  readonly junkAccepted: number;
  /**
   * Tokens of the new key, signed a second after a rotation, verified by every other instance a
   * second after a random kid spent its unknown-kid budget; and how many were refused (they
   * count in wronglyRejected too).
   */
  readonly newKeyRightAfterRotation: {
    readonly verified: number;
    readonly refused: number;
    /** The same, per scheduled rotation, in order, with the kid of the key it promoted. */
    readonly byRotation: readonly {
      readonly kid: string;
      readonly verified: number;
      readonly refused: number;
    }[];
  };
  /**
   * Replayed tokens of retired or revoked keys verified, and accepted later than the bound
   * (those count in acceptedAfterBound too).
   */
  readonly replaysVerified: number;
  readonly replaysAcceptedAfterBound: number;
  /** Refreshes whose two reads straddled a label move. */
  readonly interleavedReads: number;
  readonly secretsManagerCallsPerInstance: {
    readonly min: number;
    readonly max: number;
    readonly mean: number;
  };
  readonly events: number;
  /** What the instances' observer counted: every verification and read of the keys. */
  readonly observed: ObservedFigures;
  /** The verifier with no secret reading the published key set (asymmetric algorithms only). */
  readonly jwks?: JwksFigures;
}

/** A JwksVerifier's verdicts on the same tokens, judged with the key set's bound. */
export interface JwksFigures {
  readonly jwksUrl: string;
  /** How long after a key leaves the set it may still verify (max-age). */
  readonly boundMs: number;
  readonly verifications: number;
  readonly accepted: number;
  readonly rejectedCorrectly: Record<string, number>;
  /** Unexpired tokens of keys not revoked that it refused: must be 0. */
  readonly wronglyRejected: number;
  /** Tokens of retired or revoked keys it accepted later than the bound: must be 0. */
  readonly acceptedAfterBound: number;
  readonly expiredAccepted: number;
  /** Requests for the JWKS the distribution answered, and those read from the bucket. */
  readonly requests: { readonly viewer: number; readonly origin: number };
}

interface IssuedToken {
  readonly token: string;
  readonly kid: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** How long replayed tokens live: past any grace period the fleet runs. */
const REPLAY_LIFETIME_SECONDS = 3 * 24 * 3600;
/** How long before a rotation the random kid comes, and after it the new key's token. */
const AROUND_ROTATION_MS = 1000;

export async function runFleet(options: FleetOptions): Promise<FleetFigures> {
  const start = options.start ?? Date.UTC(2026, 0, 1);
  const end = start + options.days * DAY_MS;
  const tolerance = (options.clockToleranceSeconds ?? 60) * 1000;
  let now = start;
  const clock = (): number => now;
  const timeline = (kind: TimelineEntry['kind'], text: string): void =>
    options.onTimeline?.({ at: now, kind, text });

  const local = await startLocalAws({ clock });
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
        clock,
        algorithm,
        gracePeriodSeconds: options.gracePeriodSeconds,
        eventBusName: 'jwt-keys',
        ...(keySet !== undefined && { keySet }),
      }),
    );

    // What the key lifecycle has done, as the events report it.
    const retiredAt = new Map<string, number>();
    const revokedAt = new Map<string, number>();
    let rotations = 0;
    let lastRotationAt = start;
    let retirements = 0;
    let revocations = 0;
    local.subscribe((event: DeliveredEvent) => {
      const parsed = parseRotationEvent(event);
      if (parsed?.detailType === KEY_ROTATED) {
        const { current, previous, previousGraceEndsAt, next } = parsed.detail;
        rotations += 1;
        lastRotationAt = now;
        timeline(
          'rotated',
          `key rotated: AWSCURRENT ${short(current.kid)}, AWSPREVIOUS ${short(previous?.kid)} ` +
            `verifies until ${previousGraceEndsAt ?? 'its label is removed'}; standby key ` +
            `${short(next?.kid)} announced (nextKid)`,
        );
        timelinePublished();
      } else if (parsed?.detailType === KEY_RETIRED) {
        const { retired, reason } = parsed.detail;
        if (reason === 'revoked') {
          revocations += 1;
          revokedAt.set(retired.kid, now);
        } else {
          retirements += 1;
          retiredAt.set(retired.kid, now);
        }
        timeline('retired', `key ${short(retired.kid)} retired (${reason})`);
        timelinePublished();
      }
      if (options.pushEvents === true) {
        for (const instance of instances) instance.handleRotationEvent(event);
      }
    });

    // The deploy, as the stack does it: the secret with CloudFormation's generated key, the
    // FirstKey custom resource (the first key and its standby), then the rotation schedule,
    // created without rotating.
    timeline(
      'deploy',
      isHmacAlgorithm(algorithm)
        ? "cdk deploy: the secret, with the template's generated key (kid initial)"
        : `cdk deploy: the secret, with no value (CloudFormation cannot make an ${algorithm} key)`,
    );
    const deployed = await simulateDeploy(local, admin, {
      secretName: 'demo/jwt-signing-key',
      functionArn,
      rotationDays: options.rotationDays,
      algorithm,
    });
    const secretArn = deployed.secretArn;
    const rotationsAtDeploy = rotations;
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
    let observer: JwksObserver | undefined;
    if (keySet !== undefined) {
      timeline(
        'jwks',
        `published key set at ${keySet.issuer}/.well-known/jwks.json (S3 + CloudFront), read by ` +
          'a verifier that holds no secret (JwksVerifier, no AWS access)',
      );
      timelinePublished();
      observer = createJwksObserver(keySet, {
        audience: DEMO_AUDIENCE,
        clock,
        clockToleranceSeconds: tolerance / 1000,
      });
    }

    // Each instance started at its own moment: their caches expire out of phase.
    for (let index = 0; index < options.instances; index += 1) {
      const instance = createFleetInstance(local, {
        secretId: secretArn,
        clock,
        cacheTtlMs: options.cacheTtlMs,
        clockToleranceSeconds: tolerance / 1000,
        observer: telemetry,
        ...(keySet !== undefined && { issuer: keySet.issuer }),
      });
      now = start - Math.floor((index * options.cacheTtlMs) / options.instances);
      await instance.warmUp();
      instances.push(instance);
    }
    now = start;

    const random = seededRandom(options.seed ?? 1);
    const issued: IssuedToken[] = [];
    const revokeAt =
      options.revokeAtDay === undefined ? undefined : start + options.revokeAtDay * DAY_MS;
    let revokeDone = false;
    const figures = {
      tokensIssued: 0,
      verifications: 0,
      accepted: 0,
      acceptedByPreviousKey: 0,
      rejectedCorrectly: {} as Record<string, number>,
      wronglyRejected: 0,
      wronglyRejectedByCode: {} as Record<string, number>,
      acceptedAfterBound: 0,
      expiredAccepted: 0,
      junkVerified: 0,
      junkAccepted: 0,
      newKeyRightAfterRotation: {
        verified: 0,
        refused: 0,
        byRotation: [] as { kid: string; verified: number; refused: number }[],
      },
      replaysVerified: 0,
      replaysAcceptedAfterBound: 0,
      interleavedReads: 0,
    };
    const jwks = {
      verifications: 0,
      accepted: 0,
      rejectedCorrectly: {} as Record<string, number>,
      wronglyRejected: 0,
      acceptedAfterBound: 0,
      expiredAccepted: 0,
    };
    const reported = new Set<string>();
    /** One long-lived token per key, for replays once the key has ended. */
    const replays = new Map<string, string>();
    let scheduledRotations = 0;

    while (now < end) {
      // The service's scheduler, then the 5-minute retirement rule.
      const described = await admin.send(new DescribeSecretCommand({ SecretId: secretArn }));
      const due = described.NextRotationDate?.getTime();
      if (due !== undefined && due <= now) {
        await aroundRotation(scheduledRotations);
        scheduledRotations += 1;
      } else if (local.runScheduledRotations().length > 0) {
        await local.rotationsSettled();
      }
      if (revokeAt !== undefined && !revokeDone && now >= revokeAt) {
        revokeDone = true;
        timeline('revoke', 'emergency: jwt-keys revoke-previous (a key leaked)');
        await revokeWithCli(local, secretArn, clock, (line) => timeline('revoke', line));
      }
      await local.invokeFunction(functionArn, { action: 'retire', secretId: secretArn });

      for (const instance of instances) {
        const token = await instance.sign(options.tokenLifetimeSeconds);
        issued.push({
          ...token,
          issuedAt: now,
          expiresAt: now + options.tokenLifetimeSeconds * 1000,
        });
        figures.tokensIssued += 1;
        if ((options.replayRate ?? 0) > 0 && !replays.has(token.kid)) {
          replays.set(token.kid, (await instance.sign(REPLAY_LIFETIME_SECONDS)).token);
        }
        for (let check = 0; check < options.verificationsPerStep; check += 1) {
          const sample = pickRecent(issued, random, now, options.tokenLifetimeSeconds * 1000 * 2);
          if (sample === undefined) continue;
          await judge(instance, sample);
        }
        if (random() < (options.junkKidRate ?? 0)) await verifyJunk(instance);
        if (random() < (options.replayRate ?? 0)) await verifyReplay(instance);
      }
      trimIssued(issued, now, options.tokenLifetimeSeconds * 1000 * 2);
      now = await nextStep(now);
    }

    const calls = instances.map((instance) => instance.secretsManagerCalls());
    return {
      deploy: {
        firstKid: deployed.firstKid,
        standbyKid: deployed.standbyKid,
        rotations: rotationsAtDeploy,
      },
      instances: options.instances,
      simulatedDays: options.days,
      rotations,
      retirements,
      revocations,
      ...figures,
      secretsManagerCallsPerInstance: {
        min: Math.min(...calls),
        max: Math.max(...calls),
        mean: calls.reduce((sum, value) => sum + value, 0) / calls.length,
      },
      events: local.events.length,
      observed: telemetry.figures(),
      ...(keySet !== undefined && {
        jwks: {
          jwksUrl: keySet.jwksUrl,
          boundMs: keySet.boundMs,
          ...jwks,
          requests: keySet.jwksRequests(),
        },
      }),
    };

    /** Verifies a token of the fleet and judges the verdict against the promises. */
    async function judge(instance: FleetInstance, sample: IssuedToken): Promise<boolean> {
      await judgeByKeySet(sample);
      const verdict = await instance.verify(sample.token);
      figures.verifications += 1;
      const endedAt = revokedAt.get(sample.kid) ?? retiredAt.get(sample.kid);
      const expired = now > sample.expiresAt + tolerance;
      const keyGone = endedAt !== undefined && now > endedAt + options.cacheTtlMs;
      if (verdict.accepted) {
        figures.accepted += 1;
        if (verdict.stage === 'AWSPREVIOUS') {
          figures.acceptedByPreviousKey += 1;
          if (!reported.has(`previous:${sample.kid}`)) {
            reported.add(`previous:${sample.kid}`);
            timeline(
              'verdict',
              `a token signed ${formatAge(now - sample.issuedAt)} ago by key ${short(sample.kid)}, ` +
                'before the rotation, still verifies (AWSPREVIOUS, in grace)',
            );
          }
        }
        if (expired) figures.expiredAccepted += 1;
        if (keyGone) figures.acceptedAfterBound += 1;
        return true;
      }
      const code = verdict.code;
      // Only a revoke may cut a token short: a key retired by the schedule while its tokens
      // were unexpired broke them (the grace was too short), and that counts as wrong.
      const live = !revokedAt.has(sample.kid) && now < sample.expiresAt - tolerance;
      if (live) {
        figures.wronglyRejected += 1;
        figures.wronglyRejectedByCode[code] = (figures.wronglyRejectedByCode[code] ?? 0) + 1;
      } else {
        figures.rejectedCorrectly[code] = (figures.rejectedCorrectly[code] ?? 0) + 1;
      }
      const key = `${code}:${sample.kid}:${live}`;
      if (!reported.has(key) && code !== 'ERR_JWT_EXPIRED') {
        reported.add(key);
        timeline(
          'verdict',
          `${live ? 'WRONGLY ' : ''}rejected a token of key ${short(sample.kid)} ` +
            `issued ${formatAge(now - sample.issuedAt)} ago: ${code}`,
        );
      }
      return false;
    }

    /**
     * The same token through the verifier with no secret: it must accept what is valid, and
     * refuse a key that left the published set once max-age has run out.
     */
    async function judgeByKeySet(sample: IssuedToken): Promise<void> {
      if (observer === undefined || keySet === undefined) return;
      const verdict = await observer.verify(sample.token);
      jwks.verifications += 1;
      const endedAt = revokedAt.get(sample.kid) ?? retiredAt.get(sample.kid);
      const keyGone = endedAt !== undefined && now > endedAt + keySet.boundMs;
      if (verdict.accepted) {
        jwks.accepted += 1;
        if (now > sample.expiresAt + tolerance) jwks.expiredAccepted += 1;
        if (keyGone) jwks.acceptedAfterBound += 1;
        const key = `jwks-accepted:${sample.kid}`;
        if (!reported.has(key)) {
          reported.add(key);
          timeline(
            'jwks',
            `verifier with no secret accepts key ${short(sample.kid)} (published key set)`,
          );
        }
        return;
      }
      const live = !revokedAt.has(sample.kid) && now < sample.expiresAt - tolerance;
      if (live) jwks.wronglyRejected += 1;
      else jwks.rejectedCorrectly[verdict.code] = (jwks.rejectedCorrectly[verdict.code] ?? 0) + 1;
      const key = `jwks-refused:${verdict.code}:${sample.kid}:${live}`;
      if (!reported.has(key) && verdict.code !== 'ERR_JWT_EXPIRED') {
        reported.add(key);
        const ended =
          endedAt === undefined ? '' : `, ${formatAge(now - endedAt)} after it left the key set`;
        timeline(
          'jwks',
          `verifier with no secret ${live ? 'WRONGLY ' : ''}refuses key ${short(sample.kid)}: ` +
            `${verdict.code}${ended}`,
        );
      }
    }

    /** The kids the published JWKS holds now, on the timeline. */
    function timelinePublished(): void {
      if (keySet === undefined) return;
      const object = local.readObject(keySet.config.bucketName, KEY_SET_DOCUMENTS.jwks.objectKey);
      if (object === undefined) return;
      const { keys } = JSON.parse(object.body.toString('utf8')) as { keys: { kid: string }[] };
      timeline('jwks', `published key set: ${keys.map((each) => short(each.kid)).join(', ')}`);
    }

    /** A fleet token with its kid replaced by a random one: it must be refused. */
    async function verifyJunk(instance: FleetInstance): Promise<void> {
      const sample = issued[issued.length - 1];
      if (sample === undefined) return;
      const verdict = await instance.verify(withKid(sample.token, `junk-${randomUUID()}`));
      figures.junkVerified += 1;
      if (verdict.accepted) figures.junkAccepted += 1;
    }

    /** One replayed long-lived token of a retired or revoked key, in turn. */
    async function verifyReplay(instance: FleetInstance): Promise<void> {
      const ended = [...replays].filter(([kid]) => revokedAt.has(kid) || retiredAt.has(kid));
      if (ended.length === 0) return;
      const [kid, token] = ended[Math.floor(random() * ended.length)]!;
      const endedAt = revokedAt.get(kid) ?? retiredAt.get(kid)!;
      const verdict = await instance.verify(token);
      figures.replaysVerified += 1;
      if (verdict.accepted && now > endedAt + options.cacheTtlMs) {
        figures.replaysAcceptedAfterBound += 1;
        figures.acceptedAfterBound += 1;
      }
    }

    /**
     * A scheduled rotation with what the options put around it: random kids a second before,
     * one instance's reads straddling the label move, and the new key's first token a second
     * after, verified by every other instance.
     */
    async function aroundRotation(index: number): Promise<void> {
      if (options.junkBeforeRotations === true) {
        for (const instance of instances) await verifyJunk(instance);
        now += AROUND_ROTATION_MS;
      }
      const reader = instances[index % instances.length]!;
      if (options.interleaveReads === true) {
        // AWSPREVIOUS answered before the move misses the key just demoted; AWSCURRENT answered
        // before it returns that key twice.
        const first = index % 2 === 0 ? 'AWSPREVIOUS' : 'AWSCURRENT';
        const held = (stage: string) =>
          local.faults.hold({
            operation: 'GetSecretValue',
            when: (input) => input.SecretId === secretArn && input.VersionStage === stage,
          });
        const before = held(first);
        const after = held(first === 'AWSPREVIOUS' ? 'AWSCURRENT' : 'AWSPREVIOUS');
        const refreshing = reader.warmUp();
        await Promise.all([before.arrived, after.arrived]);
        before.release();
        local.runScheduledRotations();
        await local.rotationsSettled();
        after.release();
        await refreshing;
        figures.interleavedReads += 1;
        timeline(
          'traffic',
          `instance ${index % instances.length} read ${first} before the label move and the other stage after it`,
        );
      } else {
        local.runScheduledRotations();
        await local.rotationsSettled();
      }
      if (options.junkBeforeRotations !== true) return;
      now += AROUND_ROTATION_MS;
      const signer = instances[(index + 1) % instances.length]!;
      await signer.warmUp();
      const token = await signer.sign(options.tokenLifetimeSeconds);
      const sample = {
        ...token,
        issuedAt: now,
        expiresAt: now + options.tokenLifetimeSeconds * 1000,
      };
      issued.push(sample);
      figures.tokensIssued += 1;
      const counts = { kid: sample.kid, verified: 0, refused: 0 };
      figures.newKeyRightAfterRotation.byRotation.push(counts);
      for (const instance of instances) {
        if (instance === signer) continue;
        figures.newKeyRightAfterRotation.verified += 1;
        counts.verified += 1;
        if (!(await judge(instance, sample))) {
          figures.newKeyRightAfterRotation.refused += 1;
          counts.refused += 1;
        }
      }
    }

    /**
     * Instances act often around the moments that matter, rarely elsewhere: a rotation (its
     * tokens of the old key verifying with AWSPREVIOUS), the grace end after it (the
     * retirement), the next scheduled rotation and the revoke; each from an hour before to an
     * hour after its effects can show (two token lifetimes and a cache period). A rare step never
     * jumps over the start of such a period. The middle of a long grace holds nothing new: the
     * tokens signed before the rotation expired long before it ends.
     */
    async function nextStep(at: number): Promise<number> {
      const lasts =
        2 * options.tokenLifetimeSeconds * 1000 +
        Math.max(options.cacheTtlMs, keySet?.boundMs ?? 0) +
        HOUR_MS;
      const described = await admin.send(new DescribeSecretCommand({ SecretId: secretArn }));
      const busyStarts = [
        lastRotationAt,
        lastRotationAt + options.gracePeriodSeconds * 1000,
        described.NextRotationDate?.getTime(),
        revokeAt,
      ]
        .filter((moment): moment is number => moment !== undefined)
        .map((moment) => moment - HOUR_MS);
      const busy = busyStarts.some(
        (busyStart) => at >= busyStart && at < busyStart + HOUR_MS + lasts,
      );
      if (busy) return at + options.denseStepMs;
      const upcoming = busyStarts.filter((busyStart) => busyStart > at);
      return Math.min(at + options.sparseStepMs, ...upcoming);
    }
  } finally {
    for (const instance of instances) instance.close();
    keySet?.close();
    admin.destroy();
    await local.close();
  }
}

async function revokeWithCli(
  local: LocalAws,
  secretArn: string,
  clock: () => number,
  log: (line: string) => void,
): Promise<void> {
  const output: string[] = [];
  const code = await runCli(
    ['revoke-previous', secretArn, '--endpoint', local.endpoint, '--region', 'us-east-1'],
    {
      stdout: (text) => output.push(text),
      stderr: (text) => log(text),
      clientConfig: { credentials: local.clientConfig().credentials },
      now: clock,
      sleep: () => local.rotationsSettled(),
    },
  );
  for (const line of output) log(line);
  if (code !== 0) throw new Error(`jwt-keys revoke-previous exited ${code}`);
}

/** The token with another kid in its header (the signature no longer matters). */
function withKid(token: string, kid: string): string {
  const [header = '', ...rest] = token.split('.');
  const decoded = Buffer.from(header, 'base64url').toString();
  const fields = JSON.parse(decoded) as Record<string, unknown>;
  const replaced = Buffer.from(JSON.stringify({ ...fields, kid })).toString('base64url');
  return [replaced, ...rest].join('.');
}

function pickRecent(
  issued: readonly IssuedToken[],
  random: () => number,
  now: number,
  window: number,
): IssuedToken | undefined {
  if (issued.length === 0) return undefined;
  const candidate = issued[Math.floor(random() * issued.length)]!;
  return now - candidate.issuedAt <= window ? candidate : issued[issued.length - 1];
}

function trimIssued(issued: IssuedToken[], now: number, window: number): void {
  let drop = 0;
  while (drop < issued.length && now - issued[drop]!.issuedAt > window) drop += 1;
  if (drop > 0) issued.splice(0, drop);
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

export function short(kid: unknown): string {
  return typeof kid === 'string' ? (kid.length > 8 ? kid.slice(0, 8) : kid) : 'none';
}

function formatAge(ms: number): string {
  return ms >= HOUR_MS ? `${(ms / HOUR_MS).toFixed(1)} h` : `${Math.round(ms / MINUTE_MS)} min`;
}
