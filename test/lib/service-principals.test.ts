/**
 * Every statement of the synthesized template that lets an AWS service act names on whose
 * behalf (aws:SourceAccount and aws:SourceArn), save the exceptions AWS documents; the alarm
 * topic takes CloudWatch's alarms; the secret's key serves Secrets Manager and nothing else.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';

import { JwtKeysStack } from '../../lib/jwt-keys-stack';
import { type RotatingJwtKey } from '../../lib/rotating-jwt-key';

import { EXCEPTIONS, findings, servicePrincipalGrants } from './policy-walker';
import { synthKey } from './support';

const ACCOUNT = { Ref: 'AWS::AccountId' };
const ALARMS_OF_THIS_ACCOUNT = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':cloudwatch:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':alarm:*',
    ],
  ],
};

describe('Service principals', () => {
  describe('the walker over every policy of the template', () => {
    it('finds every service principal grant of the default stack, each with its source', () => {
      // GIVEN
      const { template } = synthKey();

      // WHEN
      const grants = servicePrincipalGrants(template);

      // THEN the walker sees each kind of policy the construct writes
      expect(grants.map((grant) => `${grant.type} ${grant.service}`).sort()).toEqual([
        'AWS::IAM::Role lambda.amazonaws.com',
        'AWS::KMS::Key cloudwatch.amazonaws.com',
        'AWS::Lambda::Permission events.amazonaws.com',
        'AWS::Lambda::Permission secretsmanager.amazonaws.com',
        'AWS::SNS::TopicPolicy cloudwatch.amazonaws.com',
      ]);
      // AND none lacks its source
      expect(findings(template)).toEqual([]);
    });

    it("finds none without its source in the app's stack, nor with the user's bus, key and topic", () => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      expect(findings(Template.fromStack(new JwtKeysStack(app, 'JwtKeys')))).toEqual([]);

      const { template } = synthKey({}, undefined, (stack) => {
        const encryptionKey = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
        return {
          eventBus: new events.EventBus(stack, 'MyBus'),
          encryptionKey,
          alarmTopic: new sns.Topic(stack, 'MyTopic', {
            enforceSSL: true,
            masterKey: new kms.Key(stack, 'MyTopicKey', { enableKeyRotation: true }),
          }),
        };
      });
      expect(servicePrincipalGrants(template).length).toBeGreaterThanOrEqual(5);
      expect(findings(template)).toEqual([]);
    });

    it('reports each kind of statement that allows a service with no source (negative control)', () => {
      // GIVEN the construct's stack plus one careless statement of each kind
      const { template } = synthKey({}, (stack) => {
        const key = stack.node.findChild('JwtKey') as RotatingJwtKey;
        key.alarmTopic.addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
            actions: ['sns:Publish'],
            resources: [key.alarmTopic.topicArn],
          }),
        );
        key.encryptionKey.addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
            actions: ['kms:Decrypt'],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(stack).account } },
          }),
        );
        key.encryptionKey.addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('events.amazonaws.com')],
            actions: ['kms:GenerateDataKey*'],
            resources: ['*'],
          }),
        );
        key.encryptionKey.addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [new iam.ServicePrincipal('logs.amazonaws.com')],
            actions: ['kms:Encrypt'],
            resources: ['*'],
            conditions: {
              StringEqualsIfExists: { 'aws:SourceAccount': Stack.of(stack).account },
              ArnLike: { 'aws:SourceArn': '*' },
            },
          }),
        );
        key.rotationFunction.addPermission('OpenToSns', {
          principal: new iam.ServicePrincipal('sns.amazonaws.com'),
        });
        new events.CfnEventBusPolicy(stack, 'BusPolicy', {
          eventBusName: key.eventBus.eventBusName,
          statementId: 'FromQueues',
          statement: {
            Effect: 'Allow',
            Principal: { Service: 'sqs.amazonaws.com' },
            Action: 'events:PutEvents',
            Resource: key.eventBus.eventBusArn,
          },
        });
        new iam.Role(stack, 'EventsRole', {
          assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
        });
      });

      // WHEN
      const reported = findings(template);

      // THEN each is reported, and only those
      expect(reported).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /\(AWS::SNS::TopicPolicy\): s3\.amazonaws\.com sns:Publish without aws:sourceaccount and aws:sourcearn$/,
          ),
          expect.stringMatching(
            /\(AWS::KMS::Key\): sns\.amazonaws\.com kms:Decrypt without aws:sourcearn$/,
          ),
          expect.stringMatching(
            /\(AWS::KMS::Key\): events\.amazonaws\.com kms:GenerateDataKey\* without aws:sourceaccount and aws:sourcearn$/,
          ),
          expect.stringMatching(
            /\(AWS::KMS::Key\): logs\.amazonaws\.com kms:Encrypt without aws:sourceaccount and aws:sourcearn$/,
          ),
          expect.stringMatching(
            /\(AWS::Lambda::Permission\): sns\.amazonaws\.com lambda:InvokeFunction without aws:sourceaccount and aws:sourcearn$/,
          ),
          expect.stringMatching(
            /^BusPolicy \(AWS::Events::EventBusPolicy\): sqs\.amazonaws\.com events:PutEvents without/,
          ),
          expect.stringMatching(
            /^EventsRole.* \(AWS::IAM::Role\): events\.amazonaws\.com sts:AssumeRole without/,
          ),
        ]),
      );
      expect(reported).toHaveLength(7);
    });

    it('states why each exception is one', () => {
      for (const exception of EXCEPTIONS) expect(exception.why.length).toBeGreaterThan(80);
    });
  });

  describe('the alarm topic', () => {
    const { template } = synthKey();

    it('lets CloudWatch publish, for the alarms of this account only', () => {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: { Ref: Match.stringLikeRegexp('AlarmTopic') },
              Condition: {
                StringEquals: { 'aws:SourceAccount': ACCOUNT },
                ArnLike: { 'aws:SourceArn': ALARMS_OF_THIS_ACCOUNT },
              },
            }),
          ]),
        },
      });
    });

    it('grants EventBridge nothing: the rotation-failed rule has no target, an alarm publishes', () => {
      // THEN no statement anywhere names EventBridge but the retirement rule's invoke permission
      expect(
        servicePrincipalGrants(template)
          .filter((grant) => grant.service === 'events.amazonaws.com')
          .map((grant) => grant.type),
      ).toEqual(['AWS::Lambda::Permission']);
      // AND the rule only counts the events
      const rules = template.findResources('AWS::Events::Rule', {
        Properties: { EventPattern: { source: ['aws.secretsmanager'] } },
      });
      expect(Object.values(rules).map((rule) => rule.Properties.Targets)).toEqual([undefined]);
      // AND the alarm on its MatchedEvents publishes to the topic
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Events',
        MetricName: 'MatchedEvents',
        Dimensions: [{ Name: 'RuleName', Value: { Ref: Object.keys(rules)[0] } }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
      });
    });

    it('is encrypted with a key of its own that CloudWatch alone may use, for SNS topics of this account', () => {
      // THEN the topic's key is not the secret's
      const secret = Object.values(template.findResources('AWS::SecretsManager::Secret'))[0]!;
      const topic = Object.values(template.findResources('AWS::SNS::Topic'))[0]!;
      const secretKey = (secret.Properties.KmsKeyId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      const topicKey = (topic.Properties.KmsMasterKeyId as { 'Fn::GetAtt': string[] })[
        'Fn::GetAtt'
      ][0];
      expect(topicKey).toMatch(/AlarmTopicKey/);
      expect(topicKey).not.toBe(secretKey);
      template.resourceCountIs('AWS::KMS::Key', 2);
      // AND its policy lets the two publishers use it, for SNS topics of this account
      const topicsOfThisAccount = {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':sns:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':*',
          ],
        ],
      };
      const keyPolicy = template.findResources('AWS::KMS::Key')[topicKey!]!.Properties.KeyPolicy;
      expect(keyPolicy.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: {
              StringEquals: { 'aws:SourceAccount': ACCOUNT },
              ArnLike: { 'aws:SourceArn': ALARMS_OF_THIS_ACCOUNT },
              StringLike: { 'kms:EncryptionContext:aws:sns:topicArn': topicsOfThisAccount },
            },
          }),
        ]),
      );
    });

    it('of the user: used as given, with no key of ours for it', () => {
      const { template: given } = synthKey({}, undefined, (stack) => ({
        alarmTopic: new sns.Topic(stack, 'MyTopic'),
      }));
      given.resourceCountIs('AWS::KMS::Key', 1);
      for (const service of ['cloudwatch.amazonaws.com']) {
        given.hasResourceProperties('AWS::SNS::TopicPolicy', {
          Topics: [{ Ref: Match.stringLikeRegexp('^MyTopic') }],
          PolicyDocument: {
            Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: service } })]),
          },
        });
      }
    });
  });

  describe("the secret's key", () => {
    it('is used by no service principal, and by accounts and roles only through Secrets Manager', () => {
      // GIVEN
      const { template } = synthKey();
      const secret = Object.values(template.findResources('AWS::SecretsManager::Secret'))[0]!;
      const keyId = (secret.Properties.KmsKeyId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
      const statements = template.findResources('AWS::KMS::Key')[keyId]!.Properties.KeyPolicy
        .Statement as { Action: string | string[]; Principal: unknown; Condition?: unknown }[];

      // THEN the account's administration statement, and otherwise only kms:ViaService
      const viaSecretsManager = {
        StringEquals: {
          'kms:ViaService': {
            'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
          },
        },
      };
      for (const statement of statements) {
        expect(JSON.stringify(statement.Principal)).not.toContain('Service');
        if (statement.Action !== 'kms:*') expect(statement.Condition).toEqual(viaSecretsManager);
      }
    });
  });
});
