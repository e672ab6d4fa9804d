/**
 * The alarm topic and who may publish to it: CloudWatch alone, for the alarms of this account,
 * on the topic and on its key, each statement naming its source (aws:SourceAccount and
 * aws:SourceArn). Secrets Manager's rotation failures reach the topic through an alarm too (on
 * the matching rule's MatchedEvents), not as an EventBridge target: EventBridge's use of an
 * encrypted topic's KMS key cannot carry the source keys ("not supported for EventBridge-to-
 * encrypted topics", Amazon SNS Developer Guide), so no statement grants EventBridge anything.
 */
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { type Construct } from 'constructs';

/** What SNS asks of a publisher on an encrypted topic. */
const PUBLISH_WITH_KEY = ['kms:Decrypt', 'kms:GenerateDataKey*'];

/**
 * An encrypted, TLS-only topic with a KMS key of its own: the publishers' statements go on that
 * key, so the secret's key serves Secrets Manager alone. Alarm messages are not kept once
 * delivered, so the key goes with the stack.
 */
export function createAlarmTopic(scope: Construct): sns.Topic {
  const masterKey = new kms.Key(scope, 'AlarmTopicKey', {
    description: `Encrypts the alarm topic of ${scope.node.path}`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return new sns.Topic(scope, 'AlarmTopic', {
    displayName: 'JWT signing key rotation alarms',
    masterKey,
    enforceSSL: true,
  });
}

/**
 * CloudWatch alarm actions publish for the alarms of this account: on the topic (CloudWatch
 * User Guide, confused deputy prevention for SNS topics) and on its key.
 */
export function allowAlarmsToPublish(topic: sns.ITopic): void {
  const stack = Stack.of(topic);
  const alarmsOfThisAccount = stack.formatArn({
    service: 'cloudwatch',
    resource: 'alarm',
    resourceName: '*',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const source = {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': alarmsOfThisAccount },
  };
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: source,
    }),
  );
  topic.masterKey?.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublishToSnsTopics',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: PUBLISH_WITH_KEY,
      resources: ['*'],
      conditions: { ...source, StringLike: topicsOfThisAccount(stack) },
    }),
  );
}

function topicsOfThisAccount(stack: Stack): Record<string, string> {
  return {
    'kms:EncryptionContext:aws:sns:topicArn': stack.formatArn({
      service: 'sns',
      resource: '*',
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    }),
  };
}
