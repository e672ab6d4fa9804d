/**
 * The logical ids of the resources that hold state or that others point at: a changed id makes
 * CloudFormation create a new resource and delete (or, retained, orphan) the old one, so the
 * secret would lose its key versions, the KMS key the ability to decrypt them, the distribution
 * its domain (the `iss` of every token). Pinned here, with and without the feature flags of
 * cdk.json, so neither a construct id nor a flag can move them unnoticed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

import { JwtKeysStack } from '../../lib/jwt-keys-stack';

/** cdk.json's context: the app's settings and the feature flags `cdk synth` applies. */
const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

const STATEFUL_TYPES = [
  'AWS::SecretsManager::Secret',
  'AWS::KMS::Key',
  'AWS::S3::Bucket',
  'AWS::CloudFront::Distribution',
  'AWS::Events::EventBus',
];

/** Logical id → type of every stateful resource, as deployed stacks hold them. */
const COMMON = {
  JwtKey4E53B882: 'AWS::SecretsManager::Secret',
  JwtKey6857899C: 'AWS::KMS::Key',
  JwtKeyAlarmTopicKey775720F3: 'AWS::KMS::Key',
  JwtKeyEventBus30E9E864: 'AWS::Events::EventBus',
};
const PUBLISHED_KEY_SET = {
  JwtKeyKeySet7BCF79EE: 'AWS::S3::Bucket',
  JwtKeyKeySetAccessLogs8D4DF111: 'AWS::S3::Bucket',
  JwtKeyKeySetDistribution88A1B035: 'AWS::CloudFront::Distribution',
};

function statefulResources(context: Record<string, unknown>): Record<string, string> {
  const app = new App({ context });
  const stack = new JwtKeysStack(app, 'JwtKeys', {
    key: { algorithm: context.algorithm as 'HS256' | 'ES256' },
  });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<
    string,
    { Type: string }
  >;
  return Object.fromEntries(
    Object.entries(resources)
      .filter(([, resource]) => STATEFUL_TYPES.includes(resource.Type))
      .map(([id, resource]) => [id, resource.Type]),
  );
}

describe('stateful resources: logical ids', () => {
  it.each([
    ['HS256', 'cdk.json', { ...CDK_JSON_CONTEXT, algorithm: 'HS256' }, COMMON],
    ['HS256', 'no', { algorithm: 'HS256' }, COMMON],
    [
      'ES256',
      'cdk.json',
      { ...CDK_JSON_CONTEXT, algorithm: 'ES256' },
      { ...COMMON, ...PUBLISHED_KEY_SET },
    ],
    ['ES256', 'no', { algorithm: 'ES256' }, { ...COMMON, ...PUBLISHED_KEY_SET }],
  ])(
    'are the deployed ones for %s with %s feature flags',
    (_algorithm, _flags, context, expected) => {
      // GIVEN the app's stack with that context WHEN synthesized
      // THEN its stateful resources keep the logical ids stacks were deployed with
      expect(statefulResources(context)).toEqual(expected);
    },
  );

  it("keeps the access-log bucket's ACL delivery with cdk.json's flags (docs/feature-flags.md)", () => {
    // GIVEN cdk.json's flags WHEN the ES256 stack is synthesized
    const app = new App({ context: { ...CDK_JSON_CONTEXT, algorithm: 'ES256' } });
    const stack = new JwtKeysStack(app, 'JwtKeys', { key: { algorithm: 'ES256' } });

    // THEN the bucket CloudFront and S3 deliver logs to keeps the ACL it was deployed with
    expect(
      Template.fromStack(stack).toJSON().Resources.JwtKeyKeySetAccessLogs8D4DF111.Properties,
    ).toMatchObject({ AccessControl: 'LogDeliveryWrite' });
  });
});
