/**
 * The rotation function and what feeds, invokes and watches it: its role and grants, the
 * FirstKey custom resource, Secrets Manager's schedule, the retirement check and the alarms.
 * Functions that create their resources in the RotatingJwtKey's own scope (never a
 * sub-construct), under the ids they always had: construct ids and logical ids are part of the
 * contract.
 */
import { CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { type Construct, type IConstruct } from 'constructs';

import {
  FIRST_KEY_RESOURCE_TYPE,
  type FirstKeyResourceProperties,
  FUNCTION_ENVIRONMENT,
  type MaintenanceEvent,
  ROTATION_HANDLER,
} from '../contract';
import { type JwtAlgorithm, type RsaModulusBits } from '../contract/algorithms';

import { allowAlarmsToPublish } from './alarm-topic';
import { type PublishedKeySet } from './published-key-set';
import { type JwtKeyReplicaRegion, replicaKeyStatement, withKey } from './replica-regions';
import { rotationBundleDir } from './rotation-code';
import { scheduleExpression, windowDuration } from './rotation-schedule';
import { grantKeyThroughSecretsManager, WRITER_KEY_ACTIONS } from './secret-grants';

/** How often the retirement check runs. */
const RETIREMENT_CHECK = Duration.minutes(5);

/** What the function's configuration is made of: the construct's settings. */
export interface FunctionSettings {
  readonly algorithm: JwtAlgorithm;
  readonly rsaModulusBits: RsaModulusBits | undefined;
  readonly gracePeriod: Duration;
  readonly eventBus: events.IEventBus;
  readonly keySet: PublishedKeySet | undefined;
}

/** The construct's members the rotation's resources are wired to. */
export interface RotationParts extends FunctionSettings {
  readonly secret: secretsmanager.ISecret;
  readonly rotationFunction: lambda.Function;
  readonly encryptionKey: kms.IKey;
  readonly rotationInterval: Duration;
  readonly rotationWindow: Duration;
  readonly replicaRegions: readonly JwtKeyReplicaRegion[];
}

/** The rotation function, its log group and its role (permissions: grantRotation). */
export function createRotationFunction(
  scope: Construct,
  key: FunctionSettings,
  runtime: lambda.Runtime,
): lambda.Function {
  const logGroup = new logs.LogGroup(scope, 'RotationLogs', {
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  // A role of its own instead of the managed AWSLambdaBasicExecutionRole: logs to this log
  // group only, plus the grants of grantRotation.
  const role = new iam.Role(scope, 'RotationRole', {
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
  return new lambda.Function(scope, 'RotationFunction', {
    description: 'Rotates the JWT signing key; retires the previous key after its grace period',
    code: lambda.Code.fromAsset(rotationBundleDir()),
    handler: ROTATION_HANDLER,
    runtime,
    role,
    architecture: lambda.Architecture.ARM_64,
    ...functionSize(key.algorithm),
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    environment: {
      [FUNCTION_ENVIRONMENT.algorithm]: key.algorithm,
      ...(key.rsaModulusBits !== undefined && {
        [FUNCTION_ENVIRONMENT.rsaModulusBits]: String(key.rsaModulusBits),
      }),
      [FUNCTION_ENVIRONMENT.gracePeriodSeconds]: String(key.gracePeriod.toSeconds()),
      [FUNCTION_ENVIRONMENT.eventBusName]: key.eventBus.eventBusName,
      ...key.keySet?.functionEnvironment(),
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
function functionSize(algorithm: JwtAlgorithm): { timeout: Duration; memorySize: number } {
  return algorithm === 'RS256'
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
export function createFirstKey(scope: Construct, key: RotationParts): CustomResource {
  const firstKey = new CustomResource(scope, 'FirstKey', {
    serviceToken: key.rotationFunction.functionArn,
    resourceType: FIRST_KEY_RESOURCE_TYPE,
    properties: { SecretId: key.secret.secretArn } satisfies FirstKeyResourceProperties,
    // A function that fails before answering would otherwise hold the deploy for an hour.
    serviceTimeout: Duration.minutes(5),
  });
  firstKey.node.addDependency(
    key.secret,
    key.rotationFunction,
    ...roleOf(key.rotationFunction),
    key.encryptionKey,
    ...(key.keySet === undefined ? [] : [key.keySet]),
  );
  return firstKey;
}

/** Secrets Manager's rotation schedule, once the first key is complete. */
export function createRotationSchedule(
  scope: Construct,
  key: RotationParts,
  firstKey: CustomResource,
): void {
  // Secrets Manager invokes the function for this secret only. Its guide recommends
  // aws:SourceAccount, and notes that aws:SourceArn limits the function to the secret it
  // names: this function rotates one secret, so both.
  const invokePermission = new lambda.CfnPermission(scope, 'SecretsManagerInvoke', {
    action: 'lambda:InvokeFunction',
    functionName: key.rotationFunction.functionArn,
    principal: 'secretsmanager.amazonaws.com',
    sourceAccount: Stack.of(scope).account,
    sourceArn: key.secret.secretArn,
  });
  const schedule = new secretsmanager.CfnRotationSchedule(scope, 'RotationSchedule', {
    secretId: key.secret.secretArn,
    rotationLambdaArn: key.rotationFunction.functionArn,
    rotationRules: {
      scheduleExpression: scheduleExpression(key.rotationInterval),
      duration: windowDuration(key.rotationWindow),
    },
    // A redeploy that changes the schedule must not rotate at once: that could drop a previous
    // key inside its grace period, with no --force guard. The service then only runs
    // testSecret, which passes with no pending value; the first key comes from FirstKey.
    rotateImmediatelyOnUpdate: false,
  });
  // Secrets Manager invokes the function as the schedule is created (testSecret): the
  // function must be invocable, hold its permissions, and the secret hold its first key.
  schedule.node.addDependency(invokePermission, ...roleOf(key.rotationFunction), firstKey);
}

/** The check, every 5 minutes, that retires AWSPREVIOUS once its grace period has ended. */
export function createRetirementSchedule(scope: Construct, key: RotationParts): events.Rule {
  const retirementRule = new events.Rule(scope, 'RetirementSchedule', {
    description: 'Retires the previous JWT signing key once its grace period has ended',
    schedule: events.Schedule.rate(RETIREMENT_CHECK),
  });
  // targets.LambdaFunction would grant events.amazonaws.com with aws:SourceArn only: the
  // target is bound here and its permission names this account too.
  retirementRule.addTarget({
    bind: () => ({
      arn: key.rotationFunction.functionArn,
      targetResource: key.rotationFunction,
      input: events.RuleTargetInput.fromObject({
        action: 'retire',
        secretId: key.secret.secretArn,
      } satisfies MaintenanceEvent),
      retryPolicy: { maximumRetryAttempts: 2 },
    }),
  });
  key.rotationFunction.addPermission('RetirementScheduleInvoke', {
    principal: new iam.ServicePrincipal('events.amazonaws.com'),
    sourceArn: retirementRule.ruleArn,
    sourceAccount: Stack.of(scope).account,
  });
  return retirementRule;
}

/**
 * Exactly what the rotation needs: this secret, this key through Secrets Manager, this bus,
 * and for an asymmetric key the two key set documents and their distribution's invalidation.
 */
export function grantRotation(scope: Construct, key: RotationParts): void {
  key.rotationFunction.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'RotateThisSecret',
      actions: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ],
      resources: [key.secret.secretArn],
    }),
  );
  grantKeyThroughSecretsManager(
    scope,
    key.encryptionKey,
    key.rotationFunction.grantPrincipal,
    WRITER_KEY_ACTIONS,
  );
  key.eventBus.grantPutEventsTo(key.rotationFunction);
  key.keySet?.grantPublish(key.rotationFunction);
  // Secrets Manager replicates each version the function writes with the writer's identity:
  // it encrypts the replica with the replica's key (aws/secretsmanager needs no grant).
  for (const replica of key.replicaRegions.filter(withKey)) {
    key.rotationFunction.addToRolePolicy(
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
export function createAlarms(
  scope: Construct,
  key: RotationParts & { readonly alarmTopic: sns.ITopic },
): {
  errorsAlarm: cloudwatch.Alarm;
  rotationFailedAlarm: cloudwatch.Alarm;
  rotationFailedRule: events.Rule;
} {
  const rotationFailedRule = new events.Rule(scope, 'RotationFailedRule', {
    description: 'Secrets Manager reports a failed or abandoned rotation of the JWT signing key',
    eventPattern: {
      source: ['aws.secretsmanager'],
      detailType: ['AWS Service Event via CloudTrail'],
      detail: {
        eventName: ['RotationFailed', 'RotationAbandoned'],
        additionalEventData: { SecretId: [key.secret.secretArn] },
      },
    },
  });
  const rotationFailedAlarm = new cloudwatch.Alarm(scope, 'RotationFailedAlarm', {
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
  const alarm = new cloudwatch.Alarm(scope, 'RotationErrorsAlarm', {
    alarmDescription: 'The JWT key rotation function failed (rotation step, retirement or revoke)',
    metric: key.rotationFunction.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  for (const each of [alarm, rotationFailedAlarm]) {
    each.addAlarmAction(new cloudwatchActions.SnsAction(key.alarmTopic));
  }
  allowAlarmsToPublish(key.alarmTopic);
  return { errorsAlarm: alarm, rotationFailedAlarm, rotationFailedRule };
}

/** The function's role with its policies, as a dependency (none for an imported function). */
function roleOf(fn: lambda.IFunction): IConstruct[] {
  return fn.role === undefined ? [] : [fn.role];
}
