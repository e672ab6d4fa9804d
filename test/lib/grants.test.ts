/**
 * Grants wherever the principal and the key live: an imported encryption key, a grantee in
 * another stack, a grantee of another account, and grantees that cannot be granted.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';

import { RotatingJwtKeyError } from '../../lib/errors';
import { RotatingJwtKey, type RotatingJwtKeyProps } from '../../lib/rotating-jwt-key';

import { allStatements, asList, thrownBy } from './support';

const IMPORTED_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_ACCOUNT = '111122223333';
const OTHER_ACCOUNT_ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/Reader`;
const STAGES = { 'secretsmanager:VersionStage': ['AWSCURRENT', 'AWSPREVIOUS'] };
const VIA_SECRETS_MANAGER = {
  'kms:ViaService': {
    'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
  },
};

type Statement = Record<string, unknown>;

function keyWith(
  props: (stack: Stack) => RotatingJwtKeyProps,
  env?: { account: string; region: string },
) {
  const app = new App();
  const stack = new Stack(app, 'Test', env === undefined ? {} : { env });
  const key = new RotatingJwtKey(stack, 'JwtKey', props(stack));
  const reader = new iam.Role(stack, 'App', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  return { app, stack, key, reader };
}

/** The statements of the identity policies attached to the role whose logical id starts so. */
function statementsOfRole(template: Template, rolePrefix: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${rolePrefix}`) }] },
  });
  return Object.values(policies).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

function keyPolicyStatements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::KMS::Key')).flatMap(
    (key) => (key.Properties.KeyPolicy as { Statement: Statement[] }).Statement,
  );
}

describe('Grants on an imported encryption key', () => {
  const { stack, key, reader } = keyWith((scope) => ({
    encryptionKey: kms.Key.fromKeyArn(scope, 'Imported', IMPORTED_KEY),
  }));
  key.grantRead(reader);
  const template = Template.fromStack(stack);

  it('lets the rotation role write versions with it: GenerateDataKey and Decrypt, through Secrets Manager only', () => {
    expect(statementsOfRole(template, 'JwtKeyRotationRole')).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: IMPORTED_KEY,
        Condition: { StringEquals: VIA_SECRETS_MANAGER },
      }),
    );
  });

  it("lets grantRead's grantee decrypt with it, through Secrets Manager only", () => {
    expect(statementsOfRole(template, 'App')).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: IMPORTED_KEY,
        Condition: { StringEquals: VIA_SECRETS_MANAGER },
      }),
    );
  });

  it('grants no kms action without kms:ViaService, and makes no key of its own', () => {
    template.resourceCountIs('AWS::KMS::Key', 1); // the alarm topic's
    for (const statement of allStatements(template)) {
      const actions = asList(statement.Action as string | string[]);
      if (actions.some((action) => action.startsWith('kms:'))) {
        expect(statement.Condition).toEqual({ StringEquals: VIA_SECRETS_MANAGER });
      }
    }
  });

  it('is refused for a grantee of another account: its key policy is not the app to write', () => {
    const error = thrownBy(() => key.grantRead(new iam.AccountPrincipal(OTHER_ACCOUNT)));
    expect(error).toBeInstanceOf(RotatingJwtKeyError);
    expect(error).toMatchObject({
      code: 'ERR_CROSS_ACCOUNT_GRANT_UNSUPPORTED',
      message: expect.stringMatching(
        new RegExp(`account ${OTHER_ACCOUNT} .* the key ${IMPORTED_KEY} is imported`),
      ),
    });
  });
});

describe('Grants with the construct own key, in one stack', () => {
  it("keeps the key policy statements beside the principals' own (a key that does not defer to IAM still serves)", () => {
    // GIVEN
    const { stack, key, reader } = keyWith(() => ({}));

    // WHEN
    key.grantRead(reader);
    const template = Template.fromStack(stack);

    // THEN both sides name the key through Secrets Manager, for the reader and the rotation role
    const keyPolicy = keyPolicyStatements(template).filter(
      (statement) => statement.Action !== 'kms:*',
    );
    expect(keyPolicy).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'kms:Decrypt',
          Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^App/), 'Arn'] } },
        }),
        expect.objectContaining({
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Principal: {
            AWS: { 'Fn::GetAtt': [expect.stringMatching(/^JwtKeyRotationRole/), 'Arn'] },
          },
          Condition: { StringEquals: VIA_SECRETS_MANAGER },
        }),
      ]),
    );
    expect(statementsOfRole(template, 'App')).toContainEqual(
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^JwtKey/), 'Arn'] },
        Condition: { StringEquals: VIA_SECRETS_MANAGER },
      }),
    );
  });
});

describe('grantRead across stacks', () => {
  function twoStacks(props: RotatingJwtKeyProps = {}) {
    // GIVEN the key in a shared stack and the function that reads it in another
    const app = new App();
    const shared = new Stack(app, 'Shared');
    const key = new RotatingJwtKey(shared, 'JwtKey', props);
    const service = new Stack(app, 'Service');
    const api = new lambda.Function(service, 'Api', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {};'),
    });

    // WHEN
    key.grantRead(api);
    return { app, shared, service };
  }

  it('synthesizes: the grant lives in the function stack, which depends on the key stack only', () => {
    const { app, shared, service } = twoStacks();

    // THEN the app synthesizes (no dependency cycle)
    expect(() => app.synth()).not.toThrow();
    expect(service.dependencies).toEqual([shared]);
    expect(shared.dependencies).toEqual([]);
    // AND the function's role may read the two stages and decrypt through Secrets Manager
    const statements = statementsOfRole(Template.fromStack(service), 'ApiServiceRole');
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'secretsmanager:GetSecretValue',
          Resource: { 'Fn::ImportValue': expect.stringMatching(/^Shared:/) },
          Condition: { StringEquals: STAGES },
        }),
        expect.objectContaining({
          Action: 'kms:Decrypt',
          Resource: { 'Fn::ImportValue': expect.stringMatching(/^Shared:/) },
          Condition: { StringEquals: VIA_SECRETS_MANAGER },
        }),
      ]),
    );
    // AND nothing in the key stack refers to the function stack
    const sharedTemplate = JSON.stringify(Template.fromStack(shared).toJSON());
    expect(sharedTemplate).not.toContain('Fn::ImportValue');
    expect(sharedTemplate).not.toContain('ApiServiceRole');
  });

  it('synthesizes with replicas too, each replica covered from the function stack', () => {
    const { app, service } = twoStacks({
      replicaRegions: [
        { region: 'eu-west-1', kmsKeyArn: IMPORTED_KEY },
        { region: 'ap-southeast-2' },
      ],
    });
    expect(() => app.synth()).not.toThrow();
    const statements = statementsOfRole(Template.fromStack(service), 'ApiServiceRole');
    const read = statements.find(
      (statement) => statement.Action === 'secretsmanager:GetSecretValue',
    );
    expect(asList(read?.Resource)).toHaveLength(3);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'kms:Decrypt',
        Resource: IMPORTED_KEY,
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      }),
    );
  });
});

describe('grantRead to another account', () => {
  it.each<[string, () => iam.IPrincipal, unknown]>([
    [
      'an account',
      () => new iam.AccountPrincipal(OTHER_ACCOUNT),
      {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${OTHER_ACCOUNT}:root`]],
      },
    ],
    ['a role ARN', () => new iam.ArnPrincipal(OTHER_ACCOUNT_ROLE), OTHER_ACCOUNT_ROLE],
  ])(
    'writes the secret resource policy (the two stages) and a key policy statement for %s',
    (_name, principal, principalJson) => {
      // GIVEN
      const { stack, key } = keyWith(() => ({}), { account: '123456789012', region: 'us-east-1' });

      // WHEN
      const grant = key.grantRead(principal());
      const template = Template.fromStack(stack);

      // THEN the secret lets that principal read AWSCURRENT and AWSPREVIOUS
      expect(grant.success).toBe(true);
      template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
        SecretId: { Ref: Match.stringLikeRegexp('^JwtKey') },
        ResourcePolicy: {
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: principalJson },
              Action: 'secretsmanager:GetSecretValue',
              Resource: '*',
              Condition: { StringEquals: STAGES },
            },
          ],
        },
      });
      // AND the key lets that account's calls through Secrets Manager in the secret's region decrypt
      expect(keyPolicyStatements(template)).toContainEqual({
        Effect: 'Allow',
        Principal: { AWS: principalJson },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com',
            'kms:CallerAccount': OTHER_ACCOUNT,
          },
        },
      });
    },
  );

  it('writes the resource side for an account named beside an environment-agnostic stack', () => {
    const { stack, key } = keyWith(() => ({}));
    key.grantRead(new iam.AccountPrincipal(OTHER_ACCOUNT));
    Template.fromStack(stack).resourceCountIs('AWS::SecretsManager::ResourcePolicy', 1);
  });

  it('writes the resource side, with this account, for a role ARN of this account (no policy of its own to write)', () => {
    // GIVEN a role this app knows only by its ARN
    const { stack, key } = keyWith(() => ({}), { account: '123456789012', region: 'us-east-1' });
    const role = 'arn:aws:iam::123456789012:role/Reader';

    // WHEN
    key.grantRead(new iam.ArnPrincipal(role));
    const template = Template.fromStack(stack);

    // THEN the secret and the key name it, the key for calls of this account only
    template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 1);
    expect(keyPolicyStatements(template)).toContainEqual(
      expect.objectContaining({
        Principal: { AWS: role },
        Condition: {
          StringEquals: {
            'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com',
            'kms:CallerAccount': '123456789012',
          },
        },
      }),
    );
  });

  it('writes no resource policy for a grantee of this account', () => {
    const { stack, key, reader } = keyWith(() => ({}));
    key.grantRead(reader);
    Template.fromStack(stack).resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
  });

  it('fails when the secret has replicas, whose keys the app cannot open to another account', () => {
    const { key } = keyWith(() => ({ replicaRegions: [{ region: 'eu-west-1' }] }), {
      account: '123456789012',
      region: 'us-east-1',
    });
    const error = thrownBy(() => key.grantRead(new iam.ArnPrincipal(OTHER_ACCOUNT_ROLE)));
    expect(error).toMatchObject({
      code: 'ERR_CROSS_ACCOUNT_GRANT_UNSUPPORTED',
      message: expect.stringMatching(/cover the primary secret only: the replicas in eu-west-1/),
    });
  });
});

describe('grantRead to what cannot be granted', () => {
  it.each<[string, iam.IPrincipal]>([
    ['a service principal', new iam.ServicePrincipal('lambda.amazonaws.com')],
    ['anyone', new iam.AnyPrincipal()],
  ])('fails for %s: no policy of its own, no account', (_name, principal) => {
    const { key } = keyWith(() => ({}));
    const error = thrownBy(() => key.grantRead(principal));
    expect(error).toBeInstanceOf(RotatingJwtKeyError);
    expect(error).toMatchObject({ code: 'ERR_GRANTEE_UNSUPPORTED' });
  });
});
