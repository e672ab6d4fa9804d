/**
 * The alarm topic and who may publish to it: CloudWatch, for the alarms of this account, and
 * EventBridge, for one rule. Every statement names its source (aws:SourceAccount and
 * aws:SourceArn), except where AWS documents that it cannot: EventBridge's use of the topic's
 * KMS key (see `allowRuleToPublish`).
 *
 * aws-events-targets' SnsTopic is not used: it grants events.amazonaws.com sns:Publish with no
 * condition, and kms:Decrypt / kms:GenerateDataKey* on the topic's key with none either.
 */
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
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

/**
 * `rule` publishes to the topic: the topic's policy names the rule (EventBridge User Guide,
 * Amazon SNS permissions). The key's statement cannot: "Adding the aws:SourceAccount and
 * aws:SourceArn to a AWS KMS policy is not supported for EventBridge-to-encrypted topics"
 * (Amazon SNS Developer Guide, key management); it is held to SNS topics of this account by the
 * encryption context SNS sets (the topic's own ARN would make the key depend on its topic, which
 * depends on the key). The key encrypts alarm messages only, so that is all it opens.
 */
export function allowRuleToPublish(topic: sns.ITopic, rule: events.IRule): void {
  const stack = Stack.of(topic);
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: `AllowRule${rule.node.id}`,
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnEquals: { 'aws:SourceArn': rule.ruleArn },
      },
    }),
  );
  topic.masterKey?.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowEventBridgeToPublishToSnsTopics',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: PUBLISH_WITH_KEY,
      resources: ['*'],
      conditions: { StringLike: topicsOfThisAccount(stack) },
    }),
  );
}

/** The topic as a rule target, its permission written by `allowRuleToPublish`. */
export function topicTarget(topic: sns.ITopic): events.IRuleTarget {
  return { bind: () => ({ arn: topic.topicArn, targetResource: topic }) };
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
