/**
 * The published key set's home (asymmetric keys): a private bucket that only the distribution
 * reads, a distribution that serves it over HTTPS only with a cache that follows the origin's
 * max-age, the rotation function's grants (PutObject on the two documents, CreateInvalidation
 * on the distribution, nothing else), its settings, the outputs, the custom domain, and HMAC
 * stacks without any of it.
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';

import { FIRST_KEY_RESOURCE_TYPE } from '../../contract';
import { loadConfig } from '../../lambda/rotation/config';
import { RotatingJwtKeyError, type RotatingJwtKeyErrorCode } from '../../lib/errors';
import { JwtKeysStack } from '../../lib/jwt-keys-stack';
import { RotatingJwtKey, type RotatingJwtKeyProps } from '../../lib/rotating-jwt-key';

import { findings, servicePrincipalGrants } from './policy-walker';
import { allStatements, asList, synthKey, thrownBy } from './support';

const ASYMMETRIC = ['ES256', 'EdDSA', 'RS256'] as const;
const CERTIFICATE_ARN =
  'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function logicalIdOf(template: Template, type: string, pattern: RegExp): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => pattern.test(id));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

function distributionArn(distributionId: string): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':cloudfront::',
        { Ref: 'AWS::AccountId' },
        ':distribution/',
        { Ref: distributionId },
      ],
    ],
  };
}

describe.each(ASYMMETRIC)(
  'Construct: RotatingJwtKey, the published key set of %s keys',
  (algorithm) => {
    const { key, template } = synthKey({ algorithm });
    const bucketId = logicalIdOf(template, 'AWS::S3::Bucket', /^JwtKeyKeySet[0-9A-F]{8}$/);
    const distributionId = logicalIdOf(template, 'AWS::CloudFront::Distribution', /Distribution/);

    it('keeps the documents in a private, TLS-only, encrypted bucket, retained with the secret', () => {
      template.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        Properties: {
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
            ],
          },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          LoggingConfiguration: {
            DestinationBucketName: { Ref: Match.stringLikeRegexp('AccessLogs') },
            LogFilePrefix: 's3-access/',
          },
          VersioningConfiguration: Match.absent(),
        },
      });
      expect(key.keySetBucket).toBeDefined();
    });

    it('lets only this distribution read it, and nobody over plain HTTP', () => {
      // GIVEN the bucket's policy
      const policies = Object.values(
        template.findResources('AWS::S3::BucketPolicy', {
          Properties: { Bucket: { Ref: bucketId } },
        }),
      );
      expect(policies).toHaveLength(1);
      const statements = (
        policies[0]!.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }
      ).Statement;

      // THEN one Allow: CloudFront's GetObject for this distribution (origin access control)
      expect(statements.filter((statement) => statement.Effect === 'Allow')).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: 's3:GetObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
          Condition: { StringEquals: { 'AWS:SourceArn': distributionArn(distributionId) } },
        },
      ]);
      // AND a Deny of every request without TLS
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    });

    it('serves the bucket over HTTPS only through origin access control, with no default root object', () => {
      template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
        OriginAccessControlConfig: {
          OriginAccessControlOriginType: 's3',
          SigningBehavior: 'always',
          SigningProtocol: 'sigv4',
        },
      });
      template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: {
          Enabled: true,
          DefaultRootObject: Match.absent(),
          HttpVersion: 'http2and3',
          Origins: [
            Match.objectLike({
              DomainName: { 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] },
              OriginAccessControlId: {
                'Fn::GetAtt': [Match.stringLikeRegexp('OriginAccessControl'), 'Id'],
              },
              S3OriginConfig: { OriginAccessIdentity: '' },
            }),
          ],
          DefaultCacheBehavior: Match.objectLike({
            ViewerProtocolPolicy: 'https-only',
            AllowedMethods: ['GET', 'HEAD'],
            CachePolicyId: { Ref: Match.stringLikeRegexp('CachePolicy') },
          }),
          CacheBehaviors: Match.absent(),
          Logging: {
            Bucket: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'RegionalDomainName'] },
            Prefix: 'cloudfront/',
          },
        },
      });
    });

    it("caches for the origin's max-age (min TTL 0), keyed on the path alone", () => {
      template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
        CachePolicyConfig: Match.objectLike({
          MinTTL: 0,
          DefaultTTL: 300,
          MaxTTL: 86_400,
          ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
            CookiesConfig: { CookieBehavior: 'none' },
            HeadersConfig: { HeaderBehavior: 'none' },
            QueryStringsConfig: { QueryStringBehavior: 'none' },
          }),
        }),
      });
    });

    it('grants the rotation function PutObject on the two documents and CreateInvalidation on the distribution, nothing more', () => {
      // GIVEN every identity policy statement of the stack
      const statements = allStatements(template);
      const about = (service: string) =>
        statements.filter((statement) =>
          asList(statement.Action as string | string[]).some((action) =>
            action.startsWith(`${service}:`),
          ),
        );

      // THEN
      expect(about('s3')).toEqual([
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: [
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/.well-known/jwks.json']] },
            {
              'Fn::Join': [
                '',
                [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/.well-known/openid-configuration'],
              ],
            },
          ],
        },
      ]);
      expect(about('cloudfront')).toEqual([
        {
          Effect: 'Allow',
          Action: 'cloudfront:CreateInvalidation',
          Resource: distributionArn(distributionId),
        },
      ]);
      // AND they are the rotation role's
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^JwtKeyRotationRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Action: 's3:PutObject' })]),
        },
      });
    });

    it('tells the function where to publish, and the function accepts it', () => {
      // GIVEN the function's environment
      const fn = Object.values(
        template.findResources('AWS::Lambda::Function', {
          Properties: { Environment: { Variables: { JWT_ALGORITHM: algorithm } } },
        }),
      )[0]!;
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> })
        .Variables;

      // THEN
      expect(variables).toMatchObject({
        KEY_SET_BUCKET: { Ref: bucketId },
        KEY_SET_DISTRIBUTION_ID: { Ref: distributionId },
        KEY_SET_ISSUER: {
          'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]],
        },
        KEY_SET_MAX_AGE_SECONDS: '300',
      });
      // AND with the tokens as CloudFormation resolves them, the function's own check passes
      const resolved = {
        ...variables,
        EVENT_BUS_NAME: 'bus',
        KEY_SET_BUCKET: 'jwtkeys-jwtkeykeyset7bcf79ee-1a2b3c4d5e6f',
        KEY_SET_DISTRIBUTION_ID: 'E2QWRUHAPOMQZL',
        KEY_SET_ISSUER: 'https://d111111abcdef8.cloudfront.net',
      } as Record<string, string>;
      expect(loadConfig(resolved).keySet).toEqual({
        bucketName: resolved.KEY_SET_BUCKET,
        distributionId: 'E2QWRUHAPOMQZL',
        issuer: 'https://d111111abcdef8.cloudfront.net',
        maxAgeSeconds: 300,
      });
    });

    it('writes the first key set at deploy: FirstKey waits for the bucket, its policy and the distribution', () => {
      const firstKey = Object.values(template.findResources(FIRST_KEY_RESOURCE_TYPE))[0]!;
      const policyId = logicalIdOf(template, 'AWS::S3::BucketPolicy', /^JwtKeyKeySetPolicy/);
      expect(asList(firstKey.DependsOn as string | string[])).toEqual(
        expect.arrayContaining([
          bucketId,
          policyId,
          distributionId,
          expect.stringMatching(/^JwtKeyRotationRoleDefaultPolicy/),
        ]),
      );
    });

    it('exposes the issuer and the JWKS URL on the distribution’s domain', () => {
      const resolve = (value: string | undefined) => Stack.of(key).resolve(value);
      const domain = { 'Fn::GetAtt': [distributionId, 'DomainName'] };
      expect(resolve(key.issuer)).toEqual({ 'Fn::Join': ['', ['https://', domain]] });
      expect(resolve(key.jwksUri)).toEqual({
        'Fn::Join': ['', ['https://', domain, '/.well-known/jwks.json']],
      });
      expect(resolve(key.distribution?.distributionId)).toEqual({ Ref: distributionId });
    });

    it('names on whose behalf every service principal acts (the walker over this stack)', () => {
      expect(
        servicePrincipalGrants(template).filter((grant) => grant.type === 'AWS::S3::BucketPolicy'),
      ).toEqual([
        expect.objectContaining({
          service: 'cloudfront.amazonaws.com',
          conditionKeys: ['aws:sourcearn'],
        }),
      ]);
      expect(findings(template)).toEqual([]);
    });
  },
);

describe('Stack: JwtKeysStack outputs', () => {
  it('outputs the issuer and the JWKS URL of an asymmetric key', () => {
    const app = new App();
    const template = Template.fromStack(
      new JwtKeysStack(app, 'JwtKeys', { key: { algorithm: 'RS256' } }),
    );
    const distributionId = logicalIdOf(template, 'AWS::CloudFront::Distribution', /Distribution/);
    const domain = { 'Fn::GetAtt': [distributionId, 'DomainName'] };
    template.hasOutput('Issuer', { Value: { 'Fn::Join': ['', ['https://', domain]] } });
    template.hasOutput('JwksUri', {
      Value: { 'Fn::Join': ['', ['https://', domain, '/.well-known/jwks.json']] },
    });
  });

  it('has neither for an HMAC key', () => {
    const app = new App();
    const template = Template.fromStack(new JwtKeysStack(app, 'JwtKeys'));
    expect(Object.keys(template.findOutputs('*'))).not.toEqual(expect.arrayContaining(['Issuer']));
    expect(template.findOutputs('JwksUri')).toEqual({});
  });
});

describe.each(['HS256', 'HS384', 'HS512'] as const)(
  'Construct: RotatingJwtKey, %s keys',
  (algorithm) => {
    it('publish nothing: no bucket, no distribution, no key set setting, no grant', () => {
      // WHEN
      const { key, template } = synthKey({ algorithm });

      // THEN
      template.resourceCountIs('AWS::S3::Bucket', 0);
      template.resourceCountIs('AWS::CloudFront::Distribution', 0);
      const variables = Object.values(template.findResources('AWS::Lambda::Function'))
        .map(
          (fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
        )
        .flatMap(Object.keys);
      expect(variables.filter((name) => name.startsWith('KEY_SET_'))).toEqual([]);
      const actions = allStatements(template).flatMap((statement) =>
        asList(statement.Action as string | string[]),
      );
      expect(actions.filter((action) => /^(s3|cloudfront):/.test(action))).toEqual([]);
      expect([key.issuer, key.jwksUri, key.keySetBucket, key.distribution, key.keySet]).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
    });
  },
);

describe('Construct: RotatingJwtKey, key set settings', () => {
  it('sets the max-age of both the documents and the edge cache', () => {
    const { template } = synthKey({ algorithm: 'ES256', keySetMaxAge: Duration.seconds(60) });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KEY_SET_MAX_AGE_SECONDS: '60' }) },
    });
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({ MinTTL: 0, DefaultTTL: 60 }),
    });
  });

  it('empties and deletes both buckets with the stack when the removal policy is DESTROY', () => {
    const { template } = synthKey({ algorithm: 'EdDSA', removalPolicy: RemovalPolicy.DESTROY });
    const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
    expect(buckets.map((bucket) => bucket.DeletionPolicy)).toEqual(['Delete', 'Delete']);
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
  });

  it('serves a custom domain with its certificate, TLS 1.2 at least, and names it as the issuer', () => {
    // GIVEN
    const { key, template } = synthKey(
      { algorithm: 'RS256', domainName: 'keys.example.com' },
      undefined,
      (stack) => ({
        certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN),
      }),
    );

    // THEN
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['keys.example.com'],
        ViewerCertificate: {
          AcmCertificateArn: CERTIFICATE_ARN,
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        },
      }),
    });
    expect(key.issuer).toBe('https://keys.example.com');
    expect(key.jwksUri).toBe('https://keys.example.com/.well-known/jwks.json');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ KEY_SET_ISSUER: 'https://keys.example.com' }),
      },
    });
  });

  it('accepts a certificate made in a us-east-1 stack', () => {
    const app = new App();
    const stack = new Stack(app, 'Keys', { env: { region: 'us-east-1', account: '123456789012' } });
    const certificate = new acm.Certificate(stack, 'Certificate', {
      domainName: 'keys.example.com',
    });
    expect(() =>
      synthIn(stack, { algorithm: 'ES256', domainName: 'keys.example.com', certificate }),
    ).not.toThrow();
  });

  it.each<[string, (stack: Stack) => RotatingJwtKeyProps, RotatingJwtKeyErrorCode, RegExp]>([
    [
      'a max-age in fractions of a second',
      () => ({ algorithm: 'ES256', keySetMaxAge: Duration.millis(1500) }),
      'ERR_KEY_SET_MAX_AGE_OUT_OF_RANGE',
      /keySetMaxAge must be whole seconds from 0 to 1 day \(86400\), got 1.5 seconds/,
    ],
    [
      'a max-age over a day',
      () => ({
        algorithm: 'ES256',
        keySetMaxAge: Duration.hours(25),
        maxVerifierCacheTime: Duration.hours(30),
      }),
      'ERR_KEY_SET_MAX_AGE_OUT_OF_RANGE',
      /got 90000 seconds/,
    ],
    [
      'a max-age over the stated verifier cache',
      () => ({ algorithm: 'RS256', keySetMaxAge: Duration.hours(3) }),
      'ERR_KEY_SET_MAX_AGE_OUT_OF_RANGE',
      /keySetMaxAge must not exceed maxVerifierCacheTime \(2 hours\), got 3 hours/,
    ],
    [
      'a key set setting on an HMAC key',
      () => ({ algorithm: 'HS256', keySetMaxAge: Duration.minutes(1) }),
      'ERR_KEY_SET_WITHOUT_ASYMMETRIC_KEY',
      /keySetMaxAge apply to a published key set, .* got algorithm HS256/,
    ],
    [
      'a custom domain on an HMAC key',
      (stack) => ({
        domainName: 'keys.example.com',
        certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN),
      }),
      'ERR_KEY_SET_WITHOUT_ASYMMETRIC_KEY',
      /domainName, certificate apply to a published key set/,
    ],
    [
      'a domain without a certificate',
      () => ({ algorithm: 'ES256', domainName: 'keys.example.com' }),
      'ERR_KEY_SET_DOMAIN_INCOMPLETE',
      /domainName and certificate .* give both or neither/,
    ],
    [
      'a certificate without a domain',
      (stack) => ({
        algorithm: 'ES256',
        certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN),
      }),
      'ERR_KEY_SET_DOMAIN_INCOMPLETE',
      /give both or neither/,
    ],
    ...[
      'https://keys.example.com',
      'keys.example.com/jwks',
      'Keys.Example.com',
      'keys.example.com.',
    ].map(
      (
        domainName,
      ): [string, (stack: Stack) => RotatingJwtKeyProps, RotatingJwtKeyErrorCode, RegExp] => [
        `the domain ${domainName}`,
        (stack) => ({
          algorithm: 'ES256',
          domainName,
          certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN),
        }),
        'ERR_KEY_SET_DOMAIN_INVALID',
        /domainName must be a lower-case host name/,
      ],
    ),
    [
      'a certificate outside us-east-1',
      (stack) => ({
        algorithm: 'ES256',
        domainName: 'keys.example.com',
        certificate: acm.Certificate.fromCertificateArn(
          stack,
          'Certificate',
          CERTIFICATE_ARN.replace('us-east-1', 'eu-west-1'),
        ),
      }),
      'ERR_KEY_SET_CERTIFICATE_REGION',
      /certificate must be an ACM certificate in us-east-1 .* got one in eu-west-1/,
    ],
  ])('fails when given %s', (_, props, code, message) => {
    const app = new App();
    const stack = new Stack(app, 'Test');
    const error = thrownBy(() => synthIn(stack, props(stack)));
    expect(error).toBeInstanceOf(RotatingJwtKeyError);
    expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
  });
});

function synthIn(stack: Stack, props: RotatingJwtKeyProps): Resources {
  new RotatingJwtKey(stack, 'JwtKey', props);
  return Template.fromStack(stack).toJSON().Resources as Resources;
}
