/**
 * RotatingJwtKey: a JWT signing key in Secrets Manager that rotates itself. A secret holding a
 * key document (a JWK: HMAC, or the private key of ES256, EdDSA or RS256), a rotation Lambda run by Secrets Manager's schedule, the retirement
 * of the previous key after its grace period, rotation events on EventBridge, and alarms.
 *
 * @example
 * const key = new RotatingJwtKey(this, 'JwtKey', { gracePeriod: Duration.hours(48) });
 * key.grantRead(apiFunction);
 *
 * // An RS256 key (an HTTP API's JWT authorizer accepts RSA only; a REST API's also ES256), whose
 * // verifiers cache keys up to 2 hours (the default for asymmetric algorithms). Its public keys
 * // are published: a JWKS and an OpenID discovery document at `apiKey.issuer`, which tokens
 * // carry as `iss`.
 * const apiKey = new RotatingJwtKey(this, 'ApiKey', { algorithm: 'RS256', rsaModulusBits: 3072 });
 * new HttpJwtAuthorizer('Jwt', apiKey.issuer!, { jwtAudience: ['my-api'] });
 */
import { Duration, RemovalPolicy, Tags, Token } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';

import {
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  DEFAULT_GRACE_PERIOD_HOURS,
  DEFAULT_JWT_ALGORITHM,
  DEFAULT_KEY_SET_MAX_AGE_SECONDS,
  DEFAULT_ROTATION_DAYS,
  operatorActionsOn,
  STANDBY_MINIMUM_AGE_TAG,
  TEMPLATE_KEY_KID,
} from '../contract';
import type { JwtAlgorithm, RsaModulusBits } from '../contract/algorithms';

import { createAlarmTopic } from './alarm-topic';
import { isHmacAlgorithm, validateAlgorithm } from './algorithm';
import { createDashboard } from './dashboard';
import { RotatingJwtKeyError } from './errors';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { PublishedKeySet, validateKeySetSettings } from './published-key-set';
import {
  type JwtKeyReplicaRegion,
  replicaSecretArn,
  validateReplicaRegions,
} from './replica-regions';
import {
  createAlarms,
  createFirstKey,
  createRetirementSchedule,
  createRotationFunction,
  createRotationSchedule,
  grantRotation,
} from './rotation-resources';
import { rotationRuntime } from './rotation-runtime';
import { rotationWindow } from './rotation-schedule';
import { grantKeyThroughSecretsManager, grantSecretRead } from './secret-grants';
import { validateSecretName, validateTiming } from './validation';
import {
  createVerificationAlarms,
  suspiciousTokensMetric,
  type TokensAcceptedMetricProps,
  tokensAcceptedMetric,
  type TokensRefusedMetricProps,
  tokensRefusedMetric,
  type VerificationAlarmProps,
  type VerificationMetricProps,
} from './verification-metrics';

export type { JwtAlgorithm, RsaModulusBits };
export type { JwtKeyReplicaRegion } from './replica-regions';
export { scheduleExpression } from './rotation-schedule';
export type {
  TokensAcceptedMetricProps,
  TokensRefusedMetricProps,
  VerificationAlarmProps,
  VerificationMetricProps,
} from './verification-metrics';

export interface RotatingJwtKeyProps {
  /**
   * HS256, HS384 or HS512 (a shared secret: CloudFormation generates the first key), or ES256,
   * EdDSA or RS256 (a private key: the secret is created with no value, and the FirstKey custom
   * resource writes the first key and its standby before `cdk deploy` returns).
   * @default 'HS256'
   */
  readonly algorithm?: JwtAlgorithm;
  /** The modulus of every RS256 key, in bits: 2048, 3072 or 4096. RS256 only. @default 2048 */
  readonly rsaModulusBits?: RsaModulusBits;
  /** Time between scheduled rotations, 4 hours to 1000 days, whole hours. @default Duration.days(90) */
  readonly rotationInterval?: Duration;
  /**
   * How long the previous key keeps verifying after a rotation. Shorter than the interval minus
   * the rotation window (4 hours for an interval in whole days, else 1 hour): Secrets Manager may
   * run a scheduled rotation at any time in its window, and keeps one AWSPREVIOUS.
   * @default Duration.hours(24)
   */
  readonly gracePeriod?: Duration;
  /** The longest lifetime of a token you sign. With appCachePeriod, grace must cover both plus clockSkew. @default - not checked */
  readonly maxTokenLifetime?: Duration;
  /** How long your applications cache the keys (JwtKeyRing's cacheTtlMs). @default - not checked */
  readonly appCachePeriod?: Duration;
  /** Clock skew between signers and verifiers, for the grace check. @default Duration.minutes(1) (the verifiers' default clock tolerance) */
  readonly clockSkew?: Duration;
  /**
   * The longest time any verifier caches the keys it fetched. API Gateway has two JWT
   * authorizers: an HTTP API's accepts RSA keys only (RS256 here) and caches them up to 2 hours;
   * a REST API's accepts RS256/384/512 and ES256/384/512 (not EdDSA), finds the keys through the
   * issuer's OpenID discovery document and caches them up to 1 hour, best effort. A standby key
   * must be that old before it signs: the rotation interval minus the rotation window must
   * exceed it (checked at synth), and `jwt-keys rotate` refuses to promote a younger standby key
   * without `--force` (the secret's tag `rotating-jwt-keys:standby-minimum-age-seconds` records
   * it).
   * @default - Duration.hours(2) for ES256, EdDSA and RS256 (the HTTP API authorizer's cache,
   * the longer of the two; 1 hour suffices when only a REST API's authorizer and verifiers with
   * shorter caches read the key set); none for HMAC (not checked)
   */
  readonly maxVerifierCacheTime?: Duration;
  /** Where rotation events go. @default - a new event bus */
  readonly eventBus?: events.IEventBus;
  /** Encrypts the secret (the alarm topic the construct creates has a key of its own). @default - a new customer-managed key with rotation on */
  readonly encryptionKey?: kms.IKey;
  /** @default - a name CloudFormation generates */
  readonly secretName?: string;
  /** For the secret and the key it creates. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Where alarms go. The construct lets CloudWatch (this account's alarms) publish to it, and
   * use its key if it has one in this app.
   * @default - a new topic, encrypted with a KMS key of its own, SSL only
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Cache-Control max-age of the published key set (ES256, EdDSA, RS256): how long CloudFront
   * and verifiers that honour it may keep a key the set no longer holds (part of a revoke's
   * bound). Whole seconds, at most 1 day and at most maxVerifierCacheTime.
   * @default Duration.minutes(5)
   */
  readonly keySetMaxAge?: Duration;
  /**
   * A domain of yours to serve the published key set at (ES256, EdDSA, RS256); the issuer is
   * then `https://<domainName>`. Needs `certificate`. Point the domain at `distribution` (a
   * Route 53 alias or CNAME record): the construct does not manage your DNS.
   * @default - the distribution's own `*.cloudfront.net` domain
   */
  readonly domainName?: string;
  /** An ACM certificate for `domainName`, in us-east-1 (CloudFront takes no other). @default - none */
  readonly certificate?: acm.ICertificate;
  /**
   * Other regions to replicate the secret to (Secrets Manager replicas): applications there
   * read their own region's replica (JwtKeyRing does so by default) and keep reading it while
   * the primary region is down. Rotation runs in this stack's region only; the service
   * replicates every version and label. `grantRead` covers every replica and its key.
   * @default - no replica
   */
  readonly replicaRegions?: readonly JwtKeyReplicaRegion[];
  /**
   * Alarms, on the alarm topic, on forged or unknown-key tokens reaching an application: one
   * per application, by the name its embedded-metrics observer gives (createEmbeddedMetricsObserver
   * in rotating-jwt-keys/client), with the count per period that raises it.
   * @default - none
   */
  readonly verificationAlarms?: readonly VerificationAlarmProps[];
  /**
   * The rotation function's runtime: a Node.js runtime, 22 or later (the bundle is built for
   * Node.js 22). The default follows aws-cdk-lib: upgrading it moves the function to the newest.
   * @default - the newest Node.js runtime of your aws-cdk-lib (Runtime.NODEJS_26_X on 2.278)
   */
  readonly runtime?: lambda.Runtime;
}

/**
 * The longer key cache of API Gateway's two JWT authorizers: an HTTP API's, up to 2 hours (a
 * REST API's: up to 1 hour, best effort).
 */
const ASYMMETRIC_VERIFIER_CACHE = Duration.hours(2);
/**
 * The first key's `k` in base64url characters, for every algorithm: 88 characters decode to 66
 * bytes (new HMAC keys are 64 random bytes for every algorithm; the first key from the template
 * too), and a multiple of 4 leaves no partial byte. Alphanumeric, each character carries
 * log2(62) bits: about 524 bits in all.
 */
const FIRST_KEY_LENGTH = 88;
const KEY_SET_MAX_AGE = Duration.seconds(DEFAULT_KEY_SET_MAX_AGE_SECONDS);

export class RotatingJwtKey extends Construct {
  readonly secret: secretsmanager.Secret;
  readonly rotationFunction: lambda.Function;
  readonly eventBus: events.IEventBus;
  readonly encryptionKey: kms.IKey;
  readonly alarmTopic: sns.ITopic;
  readonly algorithm: JwtAlgorithm;
  /** The modulus of RS256 keys; undefined for the other algorithms. */
  readonly rsaModulusBits: RsaModulusBits | undefined;
  /** The stated verifier cache a standby key must outlive; undefined when none applies. */
  readonly maxVerifierCacheTime: Duration | undefined;
  readonly rotationInterval: Duration;
  readonly gracePeriod: Duration;
  /**
   * The schedule's rotation window: a scheduled rotation starts at any time within it (from
   * 00:00 UTC for an interval in whole days).
   */
  readonly rotationWindow: Duration;
  /** The regions the secret is replicated to, as given. */
  readonly replicaRegions: readonly JwtKeyReplicaRegion[];
  /** Fires when the rotation function fails (any invocation with an error). */
  readonly errorsAlarm: cloudwatch.Alarm;
  /** Fires when Secrets Manager reports a failed or abandoned rotation of the secret. */
  readonly rotationFailedAlarm: cloudwatch.Alarm;
  /** The published key set (ES256, EdDSA, RS256); undefined for HMAC keys, never published. */
  readonly keySet: PublishedKeySet | undefined;
  /**
   * `https://` and the key set's host (the distribution's domain, or `domainName`): the issuer
   * tokens carry as `iss`, and where discovery clients (API Gateway's JWT authorizer) look for
   * `/.well-known/openid-configuration`. Undefined for HMAC keys.
   */
  readonly issuer: string | undefined;
  /** The issuer's `/.well-known/jwks.json`, for JWKS clients. Undefined for HMAC keys. */
  readonly jwksUri: string | undefined;
  /** The bucket the rotation function writes the key set to. Undefined for HMAC keys. */
  readonly keySetBucket: s3.IBucket | undefined;
  /** The CloudFront distribution serving the key set. Undefined for HMAC keys. */
  readonly distribution: cloudfront.IDistribution | undefined;
  /** The alarms of `verificationAlarms`, in their order. */
  readonly verificationAlarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: RotatingJwtKeyProps = {}) {
    super(scope, id);
    const { algorithm, rsaModulusBits } = validateAlgorithm(
      props.algorithm ?? DEFAULT_JWT_ALGORITHM,
      props.rsaModulusBits,
      this,
    );
    this.algorithm = algorithm;
    this.rsaModulusBits = rsaModulusBits;
    this.maxVerifierCacheTime =
      props.maxVerifierCacheTime ??
      (isHmacAlgorithm(algorithm) ? undefined : ASYMMETRIC_VERIFIER_CACHE);
    this.rotationInterval = props.rotationInterval ?? Duration.days(DEFAULT_ROTATION_DAYS);
    this.gracePeriod = props.gracePeriod ?? Duration.hours(DEFAULT_GRACE_PERIOD_HOURS);
    validateTiming(
      {
        rotationInterval: this.rotationInterval,
        gracePeriod: this.gracePeriod,
        maxTokenLifetime: props.maxTokenLifetime,
        appCachePeriod: props.appCachePeriod,
        clockSkew: props.clockSkew ?? Duration.seconds(DEFAULT_CLOCK_TOLERANCE_SECONDS),
        maxVerifierCacheTime: this.maxVerifierCacheTime,
      },
      this,
    );
    this.rotationWindow = rotationWindow(this.rotationInterval);
    this.replicaRegions = [...(props.replicaRegions ?? [])];
    validateReplicaRegions(this.replicaRegions, this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.encryptionKey = props.encryptionKey ?? this.createEncryptionKey(removalPolicy);
    this.secret = this.createSecret(props.secretName, removalPolicy);
    this.eventBus = props.eventBus ?? new events.EventBus(this, 'EventBus', {});
    this.keySet = this.createKeySet(props, removalPolicy);
    this.issuer = this.keySet?.issuer;
    this.jwksUri = this.keySet?.jwksUri;
    this.keySetBucket = this.keySet?.bucket;
    this.distribution = this.keySet?.distribution;
    this.rotationFunction = createRotationFunction(
      this,
      this,
      rotationRuntime(props.runtime, this),
    );
    grantRotation(this, this);
    createRotationSchedule(this, this, createFirstKey(this, this));
    const retirementRule = createRetirementSchedule(this, this);
    this.alarmTopic = props.alarmTopic ?? createAlarmTopic(this);
    const { errorsAlarm, rotationFailedAlarm, rotationFailedRule } = createAlarms(this, this);
    this.errorsAlarm = errorsAlarm;
    this.rotationFailedAlarm = rotationFailedAlarm;
    this.verificationAlarms = createVerificationAlarms(this, props.verificationAlarms ?? []);
    for (const alarm of this.verificationAlarms) {
      alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    }
    acknowledgeNagFindings({
      rotationFunction: resourceOf(this.rotationFunction),
      retirementRule: resourceOf(retirementRule),
      rotationFailedRule: resourceOf(rotationFailedRule),
      ...(this.keySet !== undefined && {
        keySet: {
          distribution: resourceOf(this.keySet.distribution),
          customDomain: props.domainName !== undefined,
        },
      }),
    });
    createDashboard(this, {
      secretName: this.secret.secretName,
      rotationFunction: this.rotationFunction,
      alarms: [this.errorsAlarm, this.rotationFailedAlarm],
      rotationInterval: this.rotationInterval,
      verificationAlarms: this.verificationAlarms,
    });
  }

  /** Tokens an application accepted (its embedded-metrics observer), Sum per 5 minutes. */
  metricTokensAccepted(props: TokensAcceptedMetricProps): cloudwatch.Metric {
    return tokensAcceptedMetric(props, this);
  }

  /** Tokens an application refused, all or with one error code, Sum per 5 minutes. */
  metricTokensRefused(props: TokensRefusedMetricProps): cloudwatch.Metric {
    return tokensRefusedMetric(props, this);
  }

  /** Forged or unknown-key tokens an application refused: what verificationAlarms alarm on. */
  metricSuspiciousTokens(props: VerificationMetricProps): cloudwatch.MathExpression {
    return suspiciousTokensMetric(props, this);
  }

  /**
   * Lets an application read the keys: GetSecretValue on AWSCURRENT and AWSPREVIOUS only (the
   * stages JwtKeyRing reads), and kms:Decrypt through Secrets Manager. The grant lives on the
   * grantee's side (its stack may be another: no dependency cycle); for a grantee of another
   * account, also in the secret's resource policy and the key's policy.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    // The grant's forms (own policy, key policy, resource policies) and why: secret-grants.ts.
    return grantSecretRead(this, this, grantee);
  }

  /**
   * Lets an operator run every `jwt-keys` command on this key, and nothing more: the actions
   * contract/operator-actions.ts lists per command (the README's table), on this secret, its
   * rotation function (RotateSecret takes lambda:InvokeFunction on it; revoke-previous invokes
   * it) and its KMS key through Secrets Manager only.
   *
   * @example
   * key.grantOperate(iam.Role.fromRoleName(this, 'Operators', 'jwt-key-operators'));
   */
  grantOperate(grantee: iam.IGrantable): iam.Grant {
    const secretGrant = iam.Grant.addToPrincipal({
      grantee,
      actions: operatorActionsOn('secret'),
      resourceArns: [this.secret.secretArn],
    });
    const functionGrant = iam.Grant.addToPrincipal({
      grantee,
      actions: operatorActionsOn('rotationFunction'),
      resourceArns: [this.rotationFunction.functionArn],
    });
    // Through Secrets Manager only, on the operator's side: holds for an imported key and
    // across stacks, as grantRead does.
    grantKeyThroughSecretsManager(
      this,
      this.encryptionKey,
      grantee.grantPrincipal,
      operatorActionsOn('encryptionKey'),
    );
    return secretGrant.combine(functionGrant);
  }

  /**
   * The published key set's home, for asymmetric keys: the rotation function writes it (see
   * published-key-set.ts). HMAC keys are shared secrets: a key set setting for one is a mistake.
   */
  private createKeySet(
    props: RotatingJwtKeyProps,
    removalPolicy: RemovalPolicy,
  ): PublishedKeySet | undefined {
    if (isHmacAlgorithm(this.algorithm)) {
      const given = (['keySetMaxAge', 'domainName', 'certificate'] as const).filter(
        (name) => props[name] !== undefined,
      );
      if (given.length > 0) {
        throw new RotatingJwtKeyError(
          'ERR_KEY_SET_WITHOUT_ASYMMETRIC_KEY',
          `${given.join(', ')} apply to a published key set, which only ES256, EdDSA and RS256 ` +
            `keys have, got algorithm ${this.algorithm}`,
          this,
        );
      }
      return undefined;
    }
    const maxAge = props.keySetMaxAge ?? KEY_SET_MAX_AGE;
    validateKeySetSettings(
      {
        maxAge,
        maxVerifierCacheTime: this.maxVerifierCacheTime,
        domainName: props.domainName,
        certificate: props.certificate,
      },
      this,
    );
    return new PublishedKeySet(this, 'KeySet', {
      maxAge,
      removalPolicy,
      ...(props.domainName !== undefined && { domainName: props.domainName }),
      ...(props.certificate !== undefined && { certificate: props.certificate }),
    });
  }

  /** The ARN of the replica in `region` (one of replicaRegions): the same name and suffix. */
  replicaSecretArn(region: string): string {
    return replicaSecretArn(this, this.secret.secretArn, region);
  }

  private createEncryptionKey(removalPolicy: RemovalPolicy): kms.Key {
    return new kms.Key(this, 'Key', {
      description: `Encrypts the JWT signing key secret of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
  }

  /**
   * The first key. HMAC: CloudFormation generates an alphanumeric `k` (valid base64url, a
   * multiple of 4 characters) into a JWK template, so AWSCURRENT is a usable key the moment the
   * secret exists; the FirstKey custom resource then gives it its standby key. ES256, EdDSA,
   * RS256: CloudFormation cannot make the key, and no placeholder an application could read is
   * acceptable, so the secret has no value (no version) until FirstKey writes the first key
   * with its standby (createFirstKey). The stated verifier cache goes in a tag for `jwt-keys`.
   */
  private createSecret(
    secretName: string | undefined,
    removalPolicy: RemovalPolicy,
  ): secretsmanager.Secret {
    validateSecretName(secretName, this);
    const hmac = isHmacAlgorithm(this.algorithm);
    const secret = new secretsmanager.Secret(this, 'Resource', {
      secretName,
      description: `JWT signing key (${this.algorithm} JWK), rotated every ${this.rotationInterval.toHumanString()}`,
      encryptionKey: this.encryptionKey,
      removalPolicy,
      replicaRegions: this.replicaRegions.map(({ region, kmsKeyArn }, index) => ({
        region,
        ...(kmsKeyArn !== undefined && {
          encryptionKey: kms.Key.fromKeyArn(this, `ReplicaKey${index}`, kmsKeyArn),
        }),
      })),
      ...(hmac && {
        generateSecretString: {
          secretStringTemplate: JSON.stringify({
            kty: 'oct',
            alg: this.algorithm,
            use: 'sig',
            kid: TEMPLATE_KEY_KID,
          }),
          generateStringKey: 'k',
          passwordLength: FIRST_KEY_LENGTH,
          excludePunctuation: true,
          includeSpace: false,
          requireEachIncludedType: false,
        },
      }),
    });
    if (!hmac) {
      // The L2 always sets SecretString or GenerateSecretString (a generated password by
      // default); with neither, CloudFormation creates the secret with no value.
      (secret.node.defaultChild as secretsmanager.CfnSecret).addPropertyDeletionOverride(
        'GenerateSecretString',
      );
    }
    if (this.maxVerifierCacheTime !== undefined) {
      const seconds = this.maxVerifierCacheTime.toSeconds();
      Tags.of(secret).add(
        STANDBY_MINIMUM_AGE_TAG,
        Token.isUnresolved(seconds) ? Token.asString(seconds) : String(seconds),
      );
    }
    return secret;
  }
}

/** The CloudFormation resource of an L2 construct (cdk-nag acknowledges on it). */
function resourceOf(construct: IConstruct): IConstruct {
  return construct.node.defaultChild ?? construct;
}
