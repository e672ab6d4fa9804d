/**
 * RotatingJwtKey: a JWT signing key in Secrets Manager that rotates itself. A secret holding an
 * HMAC key document (a JWK), a rotation Lambda run by Secrets Manager's schedule, the retirement
 * of the previous key after its grace period, rotation events on EventBridge, and alarms.
 *
 * @example
 * const key = new RotatingJwtKey(this, 'JwtKey', { gracePeriod: Duration.hours(48) });
 * key.grantRead(apiFunction);
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

import {
  APPLICATION_STAGES,
  FUNCTION_ENVIRONMENT,
  type MaintenanceEvent,
  ROTATION_HANDLER,
} from '../contract';

import { createDashboard } from './dashboard';
import { acknowledgeNagFindings } from './nag';
import { rotationBundleDir } from './rotation-code';
import { validateTiming } from './validation';

export type JwtAlgorithm = 'HS256' | 'HS384' | 'HS512';

export interface RotatingJwtKeyProps {
  /** @default 'HS256' */
  readonly algorithm?: JwtAlgorithm;
  /** Time between scheduled rotations, 4 hours to 1000 days, whole hours. @default Duration.days(90) */
  readonly rotationInterval?: Duration;
  /** How long the previous key keeps verifying after a rotation; shorter than the interval. @default Duration.hours(24) */
  readonly gracePeriod?: Duration;
  /** The longest lifetime of a token you sign. With appCachePeriod, grace must cover both plus clockSkew. @default - not checked */
  readonly maxTokenLifetime?: Duration;
  /** How long your applications cache the keys (JwtKeyRing's cacheTtlMs). @default - not checked */
  readonly appCachePeriod?: Duration;
  /** Clock skew between signers and verifiers, for the grace check. @default Duration.minutes(1) */
  readonly clockSkew?: Duration;
  /** Where rotation events go. @default - a new event bus */
  readonly eventBus?: events.IEventBus;
  /** Encrypts the secret (and the alarm topic). @default - a new customer-managed key with rotation on */
  readonly encryptionKey?: kms.IKey;
  /** @default - a name CloudFormation generates */
  readonly secretName?: string;
  /** For the secret and the key it creates. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Where alarms go. @default - a new topic, encrypted, SSL only */
  readonly alarmTopic?: sns.ITopic;
}

/** Key length in base64url characters: a multiple of 4 (no partial bytes), at least the hash size. */
const FIRST_KEY_LENGTH: Readonly<Record<JwtAlgorithm, number>> = {
  HS256: 44,
  HS384: 64,
  HS512: 88,
};
const RETIREMENT_CHECK = Duration.minutes(5);

export class RotatingJwtKey extends Construct {
  readonly secret: secretsmanager.Secret;
  readonly rotationFunction: lambda.Function;
  readonly eventBus: events.IEventBus;
  readonly encryptionKey: kms.IKey;
  readonly alarmTopic: sns.ITopic;
  readonly algorithm: JwtAlgorithm;
  readonly rotationInterval: Duration;
  readonly gracePeriod: Duration;
  /** Fires when the rotation function fails (any invocation with an error). */
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: RotatingJwtKeyProps = {}) {
    super(scope, id);
    this.algorithm = props.algorithm ?? 'HS256';
    if (!(this.algorithm in FIRST_KEY_LENGTH)) {
      throw new Error(
        `algorithm must be HS256, HS384 or HS512, got ${JSON.stringify(this.algorithm)}`,
      );
    }
    this.rotationInterval = props.rotationInterval ?? Duration.days(90);
    this.gracePeriod = props.gracePeriod ?? Duration.hours(24);
    validateTiming({
      rotationInterval: this.rotationInterval,
      gracePeriod: this.gracePeriod,
      maxTokenLifetime: props.maxTokenLifetime,
      appCachePeriod: props.appCachePeriod,
      clockSkew: props.clockSkew ?? Duration.minutes(1),
    });
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const stack = Stack.of(this);

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: `Encrypts the JWT signing key secret of ${this.node.path}`,
        enableKeyRotation: true,
        removalPolicy,
      });

    // The first key: CloudFormation generates an alphanumeric `k` (valid base64url, a multiple
    // of 4 characters) into a JWK template, so AWSCURRENT is a usable key the moment the stack
    // exists. The rotation schedule replaces it at once.
    this.secret = new secretsmanager.Secret(this, 'Resource', {
      secretName: props.secretName,
      description: `JWT signing key (${this.algorithm} JWK), rotated every ${this.rotationInterval.toHumanString()}`,
      encryptionKey: this.encryptionKey,
      removalPolicy,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({
          kty: 'oct',
          alg: this.algorithm,
          use: 'sig',
          kid: 'initial',
        }),
        generateStringKey: 'k',
        passwordLength: FIRST_KEY_LENGTH[this.algorithm],
        excludePunctuation: true,
        includeSpace: false,
        requireEachIncludedType: false,
      },
    });

    this.eventBus = props.eventBus ?? new events.EventBus(this, 'EventBus', {});

    const logGroup = new logs.LogGroup(this, 'RotationLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of its own instead of the managed AWSLambdaBasicExecutionRole: logs to this log
    // group only, plus the grants below.
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
    this.rotationFunction = new lambda.Function(this, 'RotationFunction', {
      description: 'Rotates the JWT signing key; retires the previous key after its grace period',
      code: lambda.Code.fromAsset(rotationBundleDir()),
      handler: ROTATION_HANDLER,
      runtime: lambda.Runtime.NODEJS_24_X,
      role,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(30),
      memorySize: 256,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        [FUNCTION_ENVIRONMENT.algorithm]: this.algorithm,
        [FUNCTION_ENVIRONMENT.gracePeriodSeconds]: String(this.gracePeriod.toSeconds()),
        [FUNCTION_ENVIRONMENT.eventBusName]: this.eventBus.eventBusName,
        POWERTOOLS_SERVICE_NAME: 'jwt-key-rotation',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
    });
    this.grantRotation(stack);

    // Secrets Manager invokes the function, from this account only.
    const invokePermission = new lambda.CfnPermission(this, 'SecretsManagerInvoke', {
      action: 'lambda:InvokeFunction',
      functionName: this.rotationFunction.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: stack.account,
    });
    const schedule = new secretsmanager.CfnRotationSchedule(this, 'RotationSchedule', {
      secretId: this.secret.secretArn,
      rotationLambdaArn: this.rotationFunction.functionArn,
      rotationRules: { scheduleExpression: scheduleExpression(this.rotationInterval) },
      rotateImmediatelyOnUpdate: true,
    });
    // The first rotation runs as the schedule is created: the function must be invocable and
    // hold its permissions by then.
    schedule.node.addDependency(invokePermission, role);

    // The retirement of AWSPREVIOUS after its grace period: checked every 5 minutes.
    new events.Rule(this, 'RetirementSchedule', {
      description: 'Retires the previous JWT signing key once its grace period has ended',
      schedule: events.Schedule.rate(RETIREMENT_CHECK),
      targets: [
        new targets.LambdaFunction(this.rotationFunction, {
          event: events.RuleTargetInput.fromObject({
            action: 'retire',
            secretId: this.secret.secretArn,
          } satisfies MaintenanceEvent),
          retryAttempts: 2,
        }),
      ],
    });

    this.alarmTopic = props.alarmTopic ?? this.createAlarmTopic();
    this.errorsAlarm = this.createAlarms();
    acknowledgeNagFindings(this);
    createDashboard(this, {
      secretName: this.secret.secretName,
      rotationFunction: this.rotationFunction,
      errorsAlarm: this.errorsAlarm,
      rotationInterval: this.rotationInterval,
    });
  }

  /**
   * Lets an application read the keys: GetSecretValue on AWSCURRENT and AWSPREVIOUS only (the
   * stages JwtKeyRing reads), and kms:Decrypt through Secrets Manager.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.secret.secretArn],
      conditions: {
        StringEquals: { 'secretsmanager:VersionStage': [...APPLICATION_STAGES] },
      },
    });
    this.encryptionKey.grantDecrypt(
      new kms.ViaServicePrincipal(
        `secretsmanager.${Stack.of(this).region}.amazonaws.com`,
        grantee.grantPrincipal,
      ),
    );
    return grant;
  }

  /** Exactly what the rotation needs: this secret, this key through Secrets Manager, this bus. */
  private grantRotation(stack: Stack): void {
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
    this.encryptionKey.grantEncryptDecrypt(
      new kms.ViaServicePrincipal(
        `secretsmanager.${stack.region}.amazonaws.com`,
        this.rotationFunction.grantPrincipal,
      ),
    );
    this.eventBus.grantPutEventsTo(this.rotationFunction);
  }

  private createAlarmTopic(): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'JWT signing key rotation alarms',
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    // EventBridge and CloudWatch publish to the encrypted topic: they need the key.
    for (const service of ['events.amazonaws.com', 'cloudwatch.amazonaws.com']) {
      this.encryptionKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `AllowPublishFrom${service.split('.')[0]}`,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
      );
    }
    return topic;
  }

  private createAlarms(): cloudwatch.Alarm {
    // Secrets Manager's own signal that a rotation failed or was abandoned (via CloudTrail).
    new events.Rule(this, 'RotationFailedRule', {
      description: 'Secrets Manager reports a failed or abandoned rotation of the JWT signing key',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: {
          eventName: ['RotationFailed', 'RotationAbandoned'],
          additionalEventData: { SecretId: [this.secret.secretArn] },
        },
      },
      targets: [new targets.SnsTopic(this.alarmTopic)],
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
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
    return alarm;
  }
}

/** Secrets Manager's rate expression: days when whole, else hours. */
export function scheduleExpression(interval: Duration): string {
  const hours = interval.toHours();
  return hours % 24 === 0 ? `rate(${hours / 24} days)` : `rate(${hours} hours)`;
}
