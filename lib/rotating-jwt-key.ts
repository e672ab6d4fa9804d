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
import { CustomResource, Duration, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';

import {
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  DEFAULT_JWT_ALGORITHM,
  DEFAULT_KEY_SET_MAX_AGE_SECONDS,
  FIRST_KEY_RESOURCE_TYPE,
  type FirstKeyResourceProperties,
  FUNCTION_ENVIRONMENT,
  type MaintenanceEvent,
  operatorActionsOn,
  ROTATION_HANDLER,
  STANDBY_MINIMUM_AGE_TAG,
  TEMPLATE_KEY_KID,
} from '../contract';

import { allowAlarmsToPublish, createAlarmTopic } from './alarm-topic';
import {
  isHmacAlgorithm,
  type JwtAlgorithm,
  type RsaModulusBits,
  validateAlgorithm,
} from './algorithm';
import { createDashboard } from './dashboard';
import { RotatingJwtKeyError } from './errors';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { PublishedKeySet, validateKeySetSettings } from './published-key-set';
import {
  type JwtKeyReplicaRegion,
  replicaKeyStatement,
  replicaSecretArn,
  validateReplicaRegions,
  withKey,
} from './replica-regions';
import { rotationBundleDir } from './rotation-code';
import { rotationRuntime } from './rotation-runtime';
import { rotationWindow, scheduleExpression, windowDuration } from './rotation-schedule';
import {
  grantKeyThroughSecretsManager,
  grantSecretRead,
  WRITER_KEY_ACTIONS,
} from './secret-grants';
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

export type { JwtAlgorithm, RsaModulusBits } from './algorithm';
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
const RETIREMENT_CHECK = Duration.minutes(5);
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
    this.rotationInterval = props.rotationInterval ?? Duration.days(90);
    this.gracePeriod = props.gracePeriod ?? Duration.hours(24);
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
    this.rotationFunction = this.createRotationFunction(rotationRuntime(props.runtime, this));
    this.grantRotation();
    this.createRotationSchedule(this.createFirstKey());
    const retirementRule = this.createRetirementSchedule();
    this.alarmTopic = props.alarmTopic ?? createAlarmTopic(this);
    const { errorsAlarm, rotationFailedAlarm, rotationFailedRule } = this.createAlarms();
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
    return tokensAcceptedMetric(props);
  }

  /** Tokens an application refused, all or with one error code, Sum per 5 minutes. */
  metricTokensRefused(props: TokensRefusedMetricProps): cloudwatch.Metric {
    return tokensRefusedMetric(props);
  }

  /** Forged or unknown-key tokens an application refused: what verificationAlarms alarm on. */
  metricSuspiciousTokens(props: VerificationMetricProps): cloudwatch.MathExpression {
    return suspiciousTokensMetric(props);
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

  /** The rotation function, its log group and its role (permissions: grantRotation). */
  private createRotationFunction(runtime: lambda.Runtime): lambda.Function {
    const logGroup = new logs.LogGroup(this, 'RotationLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of its own instead of the managed AWSLambdaBasicExecutionRole: logs to this log
    // group only, plus the grants of grantRotation.
    const role = new iam.Role(this, 'RotationRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Rotates one JWT signing key secret',
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    // The bundle built with the package (npm run build; settings and their reasons:
    // scripts/build-rotation-bundle.ts), so a user's synth needs no esbuild, Docker or sources.
    return new lambda.Function(this, 'RotationFunction', {
      description: 'Rotates the JWT signing key; retires the previous key after its grace period',
      code: lambda.Code.fromAsset(rotationBundleDir()),
      handler: ROTATION_HANDLER,
      runtime,
      role,
      architecture: lambda.Architecture.ARM_64,
      ...this.functionSize(),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        [FUNCTION_ENVIRONMENT.algorithm]: this.algorithm,
        ...(this.rsaModulusBits !== undefined && {
          [FUNCTION_ENVIRONMENT.rsaModulusBits]: String(this.rsaModulusBits),
        }),
        [FUNCTION_ENVIRONMENT.gracePeriodSeconds]: String(this.gracePeriod.toSeconds()),
        [FUNCTION_ENVIRONMENT.eventBusName]: this.eventBus.eventBusName,
        ...this.keySet?.functionEnvironment(),
        POWERTOOLS_SERVICE_NAME: 'jwt-key-rotation',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
    });
  }

  /**
   * Time and memory for the function. A rotation makes one key and the first key two; RSA key
   * generation is the slow case (npx tsx scripts/key-generation-timing.ts: 4096 bits took up to
   * 5.9 s on one full core here), and Lambda gives CPU in proportion to memory (256 MB is about
   * a seventh of a vCPU), so RS256 gets 1024 MB and 2 minutes.
   */
  private functionSize(): { timeout: Duration; memorySize: number } {
    return this.algorithm === 'RS256'
      ? { timeout: Duration.minutes(2), memorySize: 1024 }
      : { timeout: Duration.seconds(30), memorySize: 256 };
  }

  /**
   * The deploy-time step that makes AWSCURRENT a complete key document with its standby key
   * before `cdk deploy` returns: the rotation function answers CloudFormation's custom resource
   * protocol itself (contract/first-key.ts). CloudFormation invokes it with the deployer's
   * credentials, so it needs no resource policy; it runs once the secret, the function and
   * every grant the function holds exist (the role's policy, this key's policy statements),
   * and for an asymmetric key the key set's bucket and distribution: it publishes the first
   * key and its standby before the deploy returns.
   */
  private createFirstKey(): CustomResource {
    const firstKey = new CustomResource(this, 'FirstKey', {
      serviceToken: this.rotationFunction.functionArn,
      resourceType: FIRST_KEY_RESOURCE_TYPE,
      properties: { SecretId: this.secret.secretArn } satisfies FirstKeyResourceProperties,
      // A function that fails before answering would otherwise hold the deploy for an hour.
      serviceTimeout: Duration.minutes(5),
    });
    firstKey.node.addDependency(
      this.secret,
      this.rotationFunction,
      ...roleOf(this.rotationFunction),
      this.encryptionKey,
      ...(this.keySet === undefined ? [] : [this.keySet]),
    );
    return firstKey;
  }

  /** Secrets Manager's rotation schedule, once the first key is complete. */
  private createRotationSchedule(firstKey: CustomResource): void {
    // Secrets Manager invokes the function for this secret only. Its guide recommends
    // aws:SourceAccount, and notes that aws:SourceArn limits the function to the secret it
    // names: this function rotates one secret, so both.
    const invokePermission = new lambda.CfnPermission(this, 'SecretsManagerInvoke', {
      action: 'lambda:InvokeFunction',
      functionName: this.rotationFunction.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: Stack.of(this).account,
      sourceArn: this.secret.secretArn,
    });
    const schedule = new secretsmanager.CfnRotationSchedule(this, 'RotationSchedule', {
      secretId: this.secret.secretArn,
      rotationLambdaArn: this.rotationFunction.functionArn,
      rotationRules: {
        scheduleExpression: scheduleExpression(this.rotationInterval),
        duration: windowDuration(this.rotationWindow),
      },
      // A redeploy that changes the schedule must not rotate at once: that could drop a previous
      // key inside its grace period, with no --force guard. The service then only runs
      // testSecret, which passes with no pending value; the first key comes from FirstKey.
      rotateImmediatelyOnUpdate: false,
    });
    // Secrets Manager invokes the function as the schedule is created (testSecret): the
    // function must be invocable, hold its permissions, and the secret hold its first key.
    schedule.node.addDependency(invokePermission, ...roleOf(this.rotationFunction), firstKey);
  }

  /** The check, every 5 minutes, that retires AWSPREVIOUS once its grace period has ended. */
  private createRetirementSchedule(): events.Rule {
    const retirementRule = new events.Rule(this, 'RetirementSchedule', {
      description: 'Retires the previous JWT signing key once its grace period has ended',
      schedule: events.Schedule.rate(RETIREMENT_CHECK),
    });
    // targets.LambdaFunction would grant events.amazonaws.com with aws:SourceArn only: the
    // target is bound here and its permission names this account too.
    retirementRule.addTarget({
      bind: () => ({
        arn: this.rotationFunction.functionArn,
        targetResource: this.rotationFunction,
        input: events.RuleTargetInput.fromObject({
          action: 'retire',
          secretId: this.secret.secretArn,
        } satisfies MaintenanceEvent),
        retryPolicy: { maximumRetryAttempts: 2 },
      }),
    });
    this.rotationFunction.addPermission('RetirementScheduleInvoke', {
      principal: new iam.ServicePrincipal('events.amazonaws.com'),
      sourceArn: retirementRule.ruleArn,
      sourceAccount: Stack.of(this).account,
    });
    return retirementRule;
  }

  /**
   * Exactly what the rotation needs: this secret, this key through Secrets Manager, this bus,
   * and for an asymmetric key the two key set documents and their distribution's invalidation.
   */
  private grantRotation(): void {
    this.rotationFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RotateThisSecret',
        actions: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        resources: [this.secret.secretArn],
      }),
    );
    grantKeyThroughSecretsManager(
      this,
      this.encryptionKey,
      this.rotationFunction.grantPrincipal,
      WRITER_KEY_ACTIONS,
    );
    this.eventBus.grantPutEventsTo(this.rotationFunction);
    this.keySet?.grantPublish(this.rotationFunction);
    // Secrets Manager replicates each version the function writes with the writer's identity:
    // it encrypts the replica with the replica's key (aws/secretsmanager needs no grant).
    for (const replica of this.replicaRegions.filter(withKey)) {
      this.rotationFunction.addToRolePolicy(
        replicaKeyStatement(replica, ['kms:Encrypt', 'kms:GenerateDataKey'], undefined),
      );
    }
  }

  /**
   * Two alarms on the topic: the function failed (any invocation with an error), and Secrets
   * Manager's own signal that a rotation failed or was abandoned (a CloudTrail event on the
   * default bus), counted by a rule that has no target: the alarm on its MatchedEvents is what
   * publishes, so CloudWatch is the topic's one publisher (see alarm-topic.ts).
   */
  private createAlarms(): {
    errorsAlarm: cloudwatch.Alarm;
    rotationFailedAlarm: cloudwatch.Alarm;
    rotationFailedRule: events.Rule;
  } {
    const rotationFailedRule = new events.Rule(this, 'RotationFailedRule', {
      description: 'Secrets Manager reports a failed or abandoned rotation of the JWT signing key',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: {
          eventName: ['RotationFailed', 'RotationAbandoned'],
          additionalEventData: { SecretId: [this.secret.secretArn] },
        },
      },
    });
    const rotationFailedAlarm = new cloudwatch.Alarm(this, 'RotationFailedAlarm', {
      alarmDescription:
        'Secrets Manager reports a failed or abandoned rotation of the JWT signing key: run ' +
        '"jwt-keys status" on the secret, and the rotation function\'s logs say why',
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'MatchedEvents',
        dimensionsMap: { RuleName: rotationFailedRule.ruleName },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const alarm = new cloudwatch.Alarm(this, 'RotationErrorsAlarm', {
      alarmDescription:
        'The JWT key rotation function failed (rotation step, retirement or revoke)',
      metric: this.rotationFunction.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const each of [alarm, rotationFailedAlarm]) {
      each.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    }
    allowAlarmsToPublish(this.alarmTopic);
    return { errorsAlarm: alarm, rotationFailedAlarm, rotationFailedRule };
  }
}

/** The CloudFormation resource of an L2 construct (cdk-nag acknowledges on it). */
function resourceOf(construct: IConstruct): IConstruct {
  return construct.node.defaultChild ?? construct;
}

/** The function's role with its policies, as a dependency (none for an imported function). */
function roleOf(fn: lambda.IFunction): IConstruct[] {
  return fn.role === undefined ? [] : [fn.role];
}
