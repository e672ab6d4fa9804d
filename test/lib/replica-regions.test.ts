/**
 * replicaRegions: the secret's replicas and their keys, grantRead over every replica, the
 * rotation function's grant on replica keys, the checks at synth, and the context setting.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';

import { keyPropsFromContext } from '../../bin/app-settings';
import { RotatingJwtKeyError } from '../../lib/errors';
import { type JwtKeyReplicaRegion, RotatingJwtKey } from '../../lib/rotating-jwt-key';

import { allStatements, thrownBy } from './support';

const EU_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const REPLICAS: JwtKeyReplicaRegion[] = [
  { region: 'eu-west-1', kmsKeyArn: EU_KEY },
  { region: 'ap-southeast-2' },
];

function synth(replicaRegions: readonly JwtKeyReplicaRegion[], region?: string) {
  const app = new App();
  const stack = new Stack(
    app,
    'Test',
    region === undefined ? {} : { env: { region, account: '123456789012' } },
  );
  const key = new RotatingJwtKey(stack, 'JwtKey', { replicaRegions });
  const reader = new iam.Role(stack, 'App', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  key.grantRead(reader);
  return { stack, key, template: Template.fromStack(stack) };
}

/** The replica ARN CloudFormation resolves: the secret's ARN with the replica's region. */
function replicaArn(region: string): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        `:secretsmanager:${region}:`,
        { Ref: 'AWS::AccountId' },
        ':secret:',
        { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: Match.stringLikeRegexp('^JwtKey') }] }] },
      ],
    ],
  };
}

describe('Construct: RotatingJwtKey, replicaRegions', () => {
  const { template } = synth(REPLICAS);

  it('replicates the secret to each region, with the named key or the region default', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      ReplicaRegions: [{ Region: 'eu-west-1', KmsKeyId: EU_KEY }, { Region: 'ap-southeast-2' }],
    });
  });

  it('rotates in the primary region only: one schedule, on the primary secret', () => {
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: Match.stringLikeRegexp('^JwtKey') },
    });
  });

  it('grantRead allows GetSecretValue on AWSCURRENT and AWSPREVIOUS of the secret and every replica', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^App') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'secretsmanager:GetSecretValue',
            Resource: [
              { Ref: Match.stringLikeRegexp('^JwtKey') },
              replicaArn('eu-west-1'),
              replicaArn('ap-southeast-2'),
            ],
            Condition: {
              StringEquals: { 'secretsmanager:VersionStage': ['AWSCURRENT', 'AWSPREVIOUS'] },
            },
          }),
        ]),
      },
    });
  });

  it('grantRead allows kms:Decrypt on a named replica key through Secrets Manager in its region only', () => {
    const onReplicaKey = allStatements(template).filter(
      (statement) => statement.Resource === EU_KEY,
    );
    expect(onReplicaKey).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'kms:Decrypt',
          Effect: 'Allow',
          Condition: {
            StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
          },
        }),
      ]),
    );
    // No statement grants anything on a key of the default-keyed region, or on any key unconditionally.
    for (const statement of allStatements(template)) {
      const actions = [statement.Action].flat() as string[];
      if (actions.some((action) => action.startsWith('kms:')) && statement.Resource === EU_KEY) {
        expect(statement.Condition).toEqual({
          StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
        });
      }
    }
  });

  it("lets the rotation function encrypt with a named replica key (the service replicates its writes with the writer's identity)", () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^JwtKeyRotationRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
            Resource: EU_KEY,
            Condition: {
              StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
            },
          }),
        ]),
      },
    });
  });

  it('makes no replica by default', () => {
    const plain = synth([]).template;
    const [secret] = Object.values(plain.findResources('AWS::SecretsManager::Secret'));
    expect(
      (secret as { Properties: Record<string, unknown> }).Properties.ReplicaRegions,
    ).toBeUndefined();
  });

  it('gives the replica ARN for a region: the name and suffix of the secret, in that region', () => {
    const { stack, key } = synth(REPLICAS);
    const resolved = JSON.stringify(stack.resolve(key.replicaSecretArn('eu-west-1')));
    const secretRef = JSON.stringify(stack.resolve(key.secret.secretArn));
    expect(resolved).toContain(':secretsmanager:eu-west-1:');
    expect(resolved).toContain(`{"Fn::Select":[6,{"Fn::Split":[":",${secretRef}]}]}`);
  });

  it.each<[string, JwtKeyReplicaRegion[], string | undefined, RegExp]>([
    [
      'a malformed region',
      [{ region: 'Europe' }],
      undefined,
      /"Europe" is not a region name like eu-west-1/,
    ],
    [
      'a region twice',
      [{ region: 'eu-west-1' }, { region: 'eu-west-1' }],
      undefined,
      /names eu-west-1 twice/,
    ],
    [
      "the stack's own region",
      [{ region: 'us-east-1' }],
      'us-east-1',
      /us-east-1 is the stack's own region/,
    ],
    [
      'an alias for a key',
      [{ region: 'eu-west-1', kmsKeyArn: 'alias/jwt' }],
      undefined,
      /must be a KMS key ARN/,
    ],
    [
      'a key of another region',
      [{ region: 'ap-southeast-2', kmsKeyArn: EU_KEY }],
      undefined,
      /is a key in eu-west-1; a replica is encrypted with a key in its own region/,
    ],
  ])('fails when given %s', (_name, replicas, region, message) => {
    const error = thrownBy(() => synth(replicas, region));
    expect(error).toBeInstanceOf(RotatingJwtKeyError);
    expect(error).toMatchObject({
      code: 'ERR_REPLICA_REGION_INVALID',
      message: expect.stringMatching(message),
    });
  });
});

describe('Function: keyPropsFromContext, replicaRegions', () => {
  const read = (value: unknown) =>
    keyPropsFromContext((name) => (name === 'replicaRegions' ? value : undefined));

  it.each<[string, unknown, JwtKeyReplicaRegion[] | undefined]>([
    ['absent', undefined, undefined],
    [
      '-c text with commas',
      'eu-west-1, ap-southeast-2',
      [{ region: 'eu-west-1' }, { region: 'ap-southeast-2' }],
    ],
    [
      '-c JSON text',
      `[{"region":"eu-west-1","kmsKeyArn":"${EU_KEY}"}]`,
      [{ region: 'eu-west-1', kmsKeyArn: EU_KEY }],
    ],
    [
      'a cdk.json list',
      ['eu-west-1', { region: 'ap-southeast-2' }],
      [{ region: 'eu-west-1' }, { region: 'ap-southeast-2' }],
    ],
  ])('reads %s', (_name, value, expected) => {
    expect(read(value).replicaRegions).toEqual(expected);
  });

  it.each([[42], ['[not json'], [[{ region: 'eu-west-1', key: 'x' }]], [[{ kmsKeyArn: EU_KEY }]]])(
    'fails when the context is wrong (%j)',
    (value) => {
      const error = thrownBy(() => read(value));
      expect(error).toMatchObject({
        code: 'ERR_CONTEXT_INVALID',
        message: expect.stringMatching(/context "replicaRegions" must be/),
      });
    },
  );
});
