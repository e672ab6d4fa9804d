/**
 * RotatingJwtKey: every default, every prop, each validation, grantRead and least privilege.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';

import { FIRST_KEY_RESOURCE_TYPE, STANDBY_MINIMUM_AGE_TAG } from '../../contract';
import { parseKeyDocument } from '../../key-document';
import { RotatingJwtKeyError, type RotatingJwtKeyErrorCode } from '../../lib/errors';
import { type RotatingJwtKey } from '../../lib/rotating-jwt-key';

import { allStatements, asList, newestListedNodeRuntime, synthKey, thrownBy } from './support';

describe('Construct: RotatingJwtKey', () => {
  describe('defaults', () => {
    const { template } = synthKey();

    it('holds an HS256 JWK template whose generated k is a valid first key, retained with its key', () => {
      template.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JwtKey'), 'Arn'] },
          GenerateSecretString: {
            SecretStringTemplate: JSON.stringify({
              kty: 'oct',
              alg: 'HS256',
              use: 'sig',
              kid: 'initial',
            }),
            GenerateStringKey: 'k',
            PasswordLength: 88,
            ExcludePunctuation: true,
            IncludeSpace: false,
          },
        },
      });
      template.hasResource('AWS::KMS::Key', {
        DeletionPolicy: 'Retain',
        Properties: { EnableKeyRotation: true },
      });
    });

    it('rotates every 90 days with a function on the newest Node.js runtime, holding a 24-hour grace, never at once on a redeploy', () => {
      template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        RotationLambdaARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('RotationFunction'), 'Arn'] },
        RotationRules: { ScheduleExpression: 'rate(90 days)', Duration: '4h' },
        RotateImmediatelyOnUpdate: false,
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: newestListedNodeRuntime(),
        Architectures: ['arm64'],
        Timeout: 30,
        MemorySize: 256,
        Handler: 'index.handler',
        Environment: {
          Variables: Match.objectLike({
            JWT_ALGORITHM: 'HS256',
            GRACE_PERIOD_SECONDS: '86400',
            EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('JwtKeyEventBus') },
            POWERTOOLS_SERVICE_NAME: 'jwt-key-rotation',
          }),
        },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    });

    it('lets Secrets Manager invoke the function for this secret of this account only, before the schedule exists', () => {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Principal: 'secretsmanager.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
        SourceArn: { Ref: Match.stringLikeRegexp('^JwtKey[0-9A-F]{8}$') },
        Action: 'lambda:InvokeFunction',
      });
      // AND EventBridge, for the retirement rule of this account only
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Principal: 'events.amazonaws.com',
        SourceAccount: { Ref: 'AWS::AccountId' },
        SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('RetirementSchedule'), 'Arn'] },
        Action: 'lambda:InvokeFunction',
      });
      const schedule = Object.values(
        template.findResources('AWS::SecretsManager::RotationSchedule'),
      )[0]!;
      expect(asList(schedule.DependsOn as string | string[])).toEqual(
        expect.arrayContaining([expect.stringMatching(/SecretsManagerInvoke/)]),
      );
    });

    it('completes the first key at deploy (FirstKey), after the secret, the function and its grants, before the schedule', () => {
      // THEN the rotation function answers the custom resource for this secret
      const [[firstKeyId, firstKey]] = Object.entries(
        template.findResources(FIRST_KEY_RESOURCE_TYPE, {
          Properties: {
            ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('RotationFunction'), 'Arn'] },
            SecretId: { Ref: Match.stringLikeRegexp('^JwtKey[0-9A-F]{8}$') },
          },
        }),
      ) as [[string, { DependsOn?: string | string[] }]];
      // AND it runs once the function holds every grant: its role, the role's policy, the key
      expect(asList(firstKey.DependsOn)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^JwtKeyRotationRole[0-9A-F]{8}$/),
          expect.stringMatching(/^JwtKeyRotationRoleDefaultPolicy/),
          expect.stringMatching(/^JwtKeyRotationFunction/),
          expect.stringMatching(/^JwtKey[0-9A-F]{8}$/),
        ]),
      );
      const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0]!;
      expect(asList(firstKey.DependsOn)).toContain(keyId);
      // AND the schedule waits for it
      const schedule = Object.values(
        template.findResources('AWS::SecretsManager::RotationSchedule'),
      )[0]!;
      expect(asList(schedule.DependsOn as string | string[])).toContain(firstKeyId);
    });

    it('grants no Secrets Manager action on "*", nor GetRandomPassword anywhere', () => {
      const statements = allStatements(template);
      expect(statements.length).toBeGreaterThan(2);
      for (const statement of statements) {
        const actions = asList(statement.Action as string | string[]);
        expect(actions).not.toContain('secretsmanager:GetRandomPassword');
        if (actions.some((action) => action.startsWith('secretsmanager:'))) {
          expect(asList(statement.Resource as unknown)).not.toContain('*');
        }
      }
      expect(JSON.stringify(template.toJSON())).not.toContain('GetRandomPassword');
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: [
                'secretsmanager:DescribeSecret',
                'secretsmanager:GetSecretValue',
                'secretsmanager:PutSecretValue',
                'secretsmanager:UpdateSecretVersionStage',
              ],
              Resource: { Ref: Match.stringLikeRegexp('JwtKey') },
            }),
            Match.objectLike({
              Action: 'events:PutEvents',
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('JwtKeyEventBus'), 'Arn'] },
            }),
          ]),
        },
      });
    });

    it('uses no AWS managed policy on the function role', () => {
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    });

    it('checks for keys to retire every 5 minutes', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(5 minutes)',
        Targets: [
          Match.objectLike({
            Input: {
              'Fn::Join': [
                '',
                ['{"action":"retire","secretId":"', { Ref: Match.anyValue() }, '"}'],
              ],
            },
          }),
        ],
      });
    });

    it("alarms on Secrets Manager's RotationFailed/RotationAbandoned and on function errors, to an encrypted SSL-only topic", () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.secretsmanager'],
          'detail-type': ['AWS Service Event via CloudTrail'],
          detail: {
            eventName: ['RotationFailed', 'RotationAbandoned'],
            additionalEventData: { SecretId: [Match.anyValue()] },
          },
        },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'MatchedEvents',
        Namespace: 'AWS/Events',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
      });
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('creates an event bus with no resource policy open to everyone, and a dashboard', () => {
      template.resourceCountIs('AWS::Events::EventBus', 1);
      expect(JSON.stringify(template.findResources('AWS::Events::EventBusPolicy'))).not.toContain(
        '"*"',
      );
      template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
        DashboardBody: Match.anyValue(),
      });
      const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
      expect(body).toContain('KeyAgeSeconds');
      expect(body).toContain('KeyRotated');
    });
  });

  describe('props', () => {
    it.each([
      ['HS384', 88],
      ['HS512', 88],
    ] as const)(
      'algorithm %s: a %d-character first key (66 bytes) and the algorithm in the environment',
      (algorithm, length) => {
        const { template } = synthKey({ algorithm });
        template.hasResourceProperties('AWS::SecretsManager::Secret', {
          GenerateSecretString: Match.objectLike({
            SecretStringTemplate: JSON.stringify({
              kty: 'oct',
              alg: algorithm,
              use: 'sig',
              kid: 'initial',
            }),
            PasswordLength: length,
          }),
        });
        template.hasResourceProperties('AWS::Lambda::Function', {
          Environment: { Variables: Match.objectLike({ JWT_ALGORITHM: algorithm }) },
        });
      },
    );

    describe.each([
      ['ES256', undefined, undefined],
      ['EdDSA', undefined, undefined],
      ['RS256', undefined, '2048'],
      ['RS256', 3072, '3072'],
      ['RS256', 4096, '4096'],
    ] as const)(
      'algorithm %s (rsaModulusBits %s)',
      (algorithm, rsaModulusBits, modulusVariable) => {
        // GIVEN / WHEN
        const { template } = synthKey({ algorithm, ...(rsaModulusBits && { rsaModulusBits }) });

        it('creates the secret with no value: neither SecretString nor GenerateSecretString', () => {
          const [secret] = Object.values(template.findResources('AWS::SecretsManager::Secret'));
          expect(secret!.Properties).not.toHaveProperty('GenerateSecretString');
          expect(secret!.Properties).not.toHaveProperty('SecretString');
          template.hasResourceProperties('AWS::SecretsManager::Secret', {
            Description: `JWT signing key (${algorithm} JWK), rotated every 90 days`,
            KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JwtKey'), 'Arn'] },
          });
        });

        it('gives the function the algorithm, and the modulus for RS256 only', () => {
          const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
          const variables = (
            fn!.Properties as { Environment: { Variables: Record<string, unknown> } }
          ).Environment.Variables;
          expect(variables.JWT_ALGORITHM).toBe(algorithm);
          expect(variables.JWT_RSA_MODULUS_BITS).toBe(modulusVariable);
        });

        it('gives RSA key generation more CPU and time than the other algorithms', () => {
          template.hasResourceProperties(
            'AWS::Lambda::Function',
            algorithm === 'RS256'
              ? { Timeout: 120, MemorySize: 1024 }
              : { Timeout: 30, MemorySize: 256 },
          );
        });

        it('writes the first key with FirstKey, before the schedule', () => {
          const [[firstKeyId]] = Object.entries(
            template.findResources(FIRST_KEY_RESOURCE_TYPE, {
              Properties: {
                ServiceToken: {
                  'Fn::GetAtt': [Match.stringLikeRegexp('RotationFunction'), 'Arn'],
                },
                SecretId: { Ref: Match.stringLikeRegexp('^JwtKey[0-9A-F]{8}$') },
              },
            }),
          ) as [[string, unknown]];
          const schedule = Object.values(
            template.findResources('AWS::SecretsManager::RotationSchedule'),
          )[0]!;
          expect(asList(schedule.DependsOn as string | string[])).toContain(firstKeyId);
        });

        it('records the 2-hour default verifier cache on the secret as a tag', () => {
          template.hasResourceProperties('AWS::SecretsManager::Secret', {
            Tags: Match.arrayWith([{ Key: STANDBY_MINIMUM_AGE_TAG, Value: '7200' }]),
          });
        });
      },
    );

    it('HMAC states no verifier cache by default: no tag; a stated one is tagged in seconds', () => {
      const [secret] = Object.values(
        synthKey().template.findResources('AWS::SecretsManager::Secret'),
      );
      expect(JSON.stringify(secret!.Properties)).not.toContain(STANDBY_MINIMUM_AGE_TAG);
      synthKey({ maxVerifierCacheTime: Duration.minutes(30) }).template.hasResourceProperties(
        'AWS::SecretsManager::Secret',
        { Tags: Match.arrayWith([{ Key: STANDBY_MINIMUM_AGE_TAG, Value: '1800' }]) },
      );
      synthKey({
        algorithm: 'ES256',
        maxVerifierCacheTime: Duration.hours(6),
      }).template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Tags: Match.arrayWith([{ Key: STANDBY_MINIMUM_AGE_TAG, Value: '21600' }]),
      });
    });

    it('rotationInterval and gracePeriod: the schedule expression and the grace in seconds', () => {
      const days = synthKey({
        rotationInterval: Duration.days(30),
        gracePeriod: Duration.hours(48),
      }).template;
      days.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        RotationRules: { ScheduleExpression: 'rate(30 days)', Duration: '4h' },
      });
      days.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ GRACE_PERIOD_SECONDS: '172800' }) },
      });
      const hours = synthKey({
        rotationInterval: Duration.hours(12),
        gracePeriod: Duration.hours(1),
      }).template;
      hours.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        RotationRules: { ScheduleExpression: 'rate(12 hours)', Duration: '1h' },
      });
    });

    it('secretName and removalPolicy: the name, and DESTROY instead of RETAIN', () => {
      const { template } = synthKey({
        secretName: 'prod/jwt',
        removalPolicy: RemovalPolicy.DESTROY,
      });
      template.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'Delete',
        Properties: Match.objectLike({ Name: 'prod/jwt' }),
      });
      template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    });

    it('eventBus, encryptionKey and alarmTopic given: used, nothing created in their place', () => {
      // GIVEN / WHEN
      const { template } = synthKey(
        {},
        () => undefined,
        (stack) => {
          const encryptionKey = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
          return {
            eventBus: new events.EventBus(stack, 'MyBus', { eventBusName: 'my-bus' }),
            encryptionKey,
            alarmTopic: new sns.Topic(stack, 'MyTopic', {
              enforceSSL: true,
              masterKey: encryptionKey,
            }),
          };
        },
      );

      // THEN
      template.resourceCountIs('AWS::Events::EventBus', 1);
      template.resourceCountIs('AWS::KMS::Key', 1);
      template.resourceCountIs('AWS::SNS::Topic', 1);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            EVENT_BUS_NAME: { Ref: Match.stringLikeRegexp('^MyBus') },
          }),
        },
      });
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyKey'), 'Arn'] },
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^MyTopic') }],
      });
    });
  });

  describe('validation', () => {
    it.each<[string, Parameters<typeof synthKey>[0], RotatingJwtKeyErrorCode, RegExp]>([
      [
        'the interval is under 4 hours',
        { rotationInterval: Duration.hours(2), gracePeriod: Duration.hours(1) },
        'ERR_ROTATION_INTERVAL_OUT_OF_RANGE',
        /rotationInterval must be between 4 hours and 1000 days, got 2 hours/,
      ],
      [
        'the interval is over 1000 days',
        { rotationInterval: Duration.days(1001) },
        'ERR_ROTATION_INTERVAL_OUT_OF_RANGE',
        /rotationInterval must be between 4 hours and 1000 days, got 1001 days/,
      ],
      [
        'the interval is not whole hours',
        { rotationInterval: Duration.minutes(270), gracePeriod: Duration.hours(1) },
        'ERR_ROTATION_INTERVAL_NOT_WHOLE_HOURS',
        /whole number of hours, got 4 hours 30 minutes/,
      ],
      [
        'the grace equals the interval',
        { rotationInterval: Duration.days(1), gracePeriod: Duration.hours(24) },
        'ERR_GRACE_PERIOD_TOO_LONG',
        /gracePeriod must be shorter than rotationInterval minus the rotation window \(1 day - 4 hours = 20 hours\), got 24 hours/,
      ],
      [
        'the grace exceeds the interval',
        { rotationInterval: Duration.hours(6), gracePeriod: Duration.hours(7) },
        'ERR_GRACE_PERIOD_TOO_LONG',
        /\(6 hours - 1 hour = 5 hours\), got 7 hours/,
      ],
      [
        'the grace is shorter than token lifetime + cache + skew',
        {
          gracePeriod: Duration.minutes(30),
          maxTokenLifetime: Duration.minutes(30),
          appCachePeriod: Duration.minutes(5),
        },
        'ERR_GRACE_PERIOD_TOO_SHORT',
        /at least maxTokenLifetime \+ appCachePeriod \+ clockSkew \(30 minutes \+ 5 minutes \+ 1 minute = 36 minutes\), got 30 minutes/,
      ],
      [
        'only one of lifetime and cache period is given',
        { maxTokenLifetime: Duration.minutes(30) },
        'ERR_TOKEN_TIMING_INCOMPLETE',
        /maxTokenLifetime and appCachePeriod go together/,
      ],
      [
        'the algorithm is not one the construct makes keys for',
        { algorithm: 'PS256' as never },
        'ERR_ALGORITHM_UNSUPPORTED',
        /algorithm must be HS256, HS384, HS512, ES256, EdDSA or RS256, got "PS256"/,
      ],
      [
        'rsaModulusBits is not 2048, 3072 or 4096',
        { algorithm: 'RS256', rsaModulusBits: 1024 as never },
        'ERR_RSA_MODULUS_BITS_UNSUPPORTED',
        /rsaModulusBits must be 2048, 3072 or 4096, got 1024/,
      ],
      [
        'rsaModulusBits is given with ES256',
        { algorithm: 'ES256', rsaModulusBits: 2048 },
        'ERR_RSA_MODULUS_BITS_WITHOUT_RSA',
        /rsaModulusBits applies to RS256 only, got 2048 with algorithm ES256/,
      ],
      [
        'rsaModulusBits is given with HMAC (the default algorithm)',
        { rsaModulusBits: 4096 },
        'ERR_RSA_MODULUS_BITS_WITHOUT_RSA',
        /rsaModulusBits applies to RS256 only, got 4096 with algorithm HS256/,
      ],
      [
        'the stated verifier cache is as long as the interval minus the window',
        {
          rotationInterval: Duration.days(1),
          gracePeriod: Duration.hours(1),
          maxVerifierCacheTime: Duration.hours(20),
        },
        'ERR_VERIFIER_CACHE_TOO_LONG',
        /maxVerifierCacheTime must be shorter than rotationInterval minus the rotation window \(1 day - 4 hours = 20 hours\), got 20 hours/,
      ],
      [
        'the stated verifier cache reaches the next rotation of an hourly schedule',
        {
          algorithm: 'ES256',
          rotationInterval: Duration.hours(4),
          gracePeriod: Duration.hours(1),
          maxVerifierCacheTime: Duration.minutes(180),
        },
        'ERR_VERIFIER_CACHE_TOO_LONG',
        /\(4 hours - 1 hour = 3 hours\), got 3 hours: a standby key could sign before every verifier has fetched it/,
      ],
    ])('fails when %s', (_name, props, code, message) => {
      // WHEN
      const error = thrownBy(() => synthKey(props));

      // THEN a stable code, the construct's path, and a message naming the values
      expect(error).toBeInstanceOf(RotatingJwtKeyError);
      expect(error).toMatchObject({ code, constructPath: 'Test/JwtKey' });
      expect((error as Error).message).toMatch(/^Test\/JwtKey: /);
      expect((error as Error).message).toMatch(message);
    });

    describe('the grace period against the rotation window', () => {
      // Secrets Manager may start a scheduled rotation at any time in its window: 4 hours from
      // 00:00 UTC for rate(N days), 1 hour for rate(N hours). Two rotations can therefore be the
      // interval minus the window apart, and the grace must end before the closer one.
      it.each<[Duration, Duration, 'accepted' | 'refused']>([
        [Duration.days(2), Duration.hours(43), 'accepted'],
        [Duration.days(2), Duration.hours(44), 'refused'],
        [Duration.days(2), Duration.hours(47), 'refused'],
        [Duration.days(1), Duration.hours(19), 'accepted'],
        [Duration.days(1), Duration.hours(20), 'refused'],
        [Duration.days(90), Duration.hours(24), 'accepted'],
        [Duration.days(90), Duration.hours(90 * 24 - 5), 'accepted'],
        [Duration.days(90), Duration.hours(90 * 24 - 4), 'refused'],
        [Duration.hours(36), Duration.hours(34), 'accepted'],
        [Duration.hours(36), Duration.hours(35), 'refused'],
        [Duration.hours(12), Duration.hours(10), 'accepted'],
        [Duration.hours(12), Duration.hours(11), 'refused'],
        [Duration.hours(4), Duration.hours(2), 'accepted'],
        [Duration.hours(4), Duration.hours(3), 'refused'],
        [Duration.hours(4), Duration.seconds(0), 'accepted'],
      ])('interval %s, grace %s: %s', (rotationInterval, gracePeriod, outcome) => {
        // WHEN
        const attempt = (): unknown => synthKey({ rotationInterval, gracePeriod });

        // THEN
        if (outcome === 'accepted') expect(attempt).not.toThrow();
        else expect(thrownBy(attempt)).toMatchObject({ code: 'ERR_GRACE_PERIOD_TOO_LONG' });
      });

      it.each<[Duration, Duration, string]>([
        [
          Duration.days(2),
          Duration.hours(47),
          'gracePeriod must be shorter than rotationInterval minus the rotation window (2 days - 4 hours = 1 day 20 hours), got 47 hours',
        ],
        [
          Duration.hours(12),
          Duration.hours(11),
          'gracePeriod must be shorter than rotationInterval minus the rotation window (12 hours - 1 hour = 11 hours), got 11 hours',
        ],
      ])('names the values: interval %s, grace %s', (rotationInterval, gracePeriod, message) => {
        expect(() => synthKey({ rotationInterval, gracePeriod })).toThrow(message);
      });

      it.each([
        [Duration.days(2), 'rate(2 days)', '4h'],
        [Duration.days(1000), 'rate(1000 days)', '4h'],
        [Duration.hours(36), 'rate(36 hours)', '1h'],
        [Duration.hours(4), 'rate(4 hours)', '1h'],
      ])(
        'sets the window the check counts on the schedule: %s -> %s, window %s',
        (rotationInterval, expression, window) => {
          // WHEN
          const { key, template } = synthKey({ rotationInterval, gracePeriod: Duration.hours(1) });

          // THEN
          template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
            RotationRules: { ScheduleExpression: expression, Duration: window },
          });
          expect(`${key.rotationWindow.toHours()}h`).toBe(window);
        },
      );
    });

    it('accepts the 2-hour default verifier cache with the shortest interval (4 hours - 1 hour)', () => {
      expect(() =>
        synthKey({
          algorithm: 'RS256',
          rotationInterval: Duration.hours(4),
          gracePeriod: Duration.hours(1),
        }),
      ).not.toThrow();
    });

    it('fails when the grace period is negative (Duration refuses it, naming the value)', () => {
      expect(() => synthKey({ gracePeriod: Duration.hours(-1) })).toThrow(/negative.*-1/);
    });

    it('accepts a grace that covers lifetime + cache + skew exactly, and a zero grace', () => {
      expect(() =>
        synthKey({
          gracePeriod: Duration.minutes(36),
          maxTokenLifetime: Duration.minutes(30),
          appCachePeriod: Duration.minutes(5),
        }),
      ).not.toThrow();
      expect(() => synthKey({ gracePeriod: Duration.seconds(0) })).not.toThrow();
    });
  });

  describe('Method: grantRead', () => {
    it('allows GetSecretValue on AWSCURRENT and AWSPREVIOUS only, and kms:Decrypt through Secrets Manager', () => {
      // THEN (below) the key policy lets the grantee decrypt only via Secrets Manager
      const { template } = synthKey({}, (stack) => {
        const key = stack.node.findChild('JwtKey') as RotatingJwtKey;
        key.grantRead(
          new iam.Role(stack, 'App', {
            assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
          }),
        );
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^App') }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'secretsmanager:GetSecretValue',
              Resource: { Ref: Match.stringLikeRegexp('JwtKey') },
              Condition: {
                StringEquals: { 'secretsmanager:VersionStage': ['AWSCURRENT', 'AWSPREVIOUS'] },
              },
            }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'kms:Decrypt',
              Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^App'), 'Arn'] } },
              Condition: {
                StringEquals: {
                  'kms:ViaService': {
                    'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
                  },
                },
              },
            }),
          ]),
        },
      });
    });
  });

  it.each([
    ['HS256', 88],
    ['HS384', 88],
    ['HS512', 88],
  ] as const)(
    'the %s template with %d generated alphanumeric characters parses as a valid key document',
    (alg, length) => {
      // GIVEN what GenerateSecretString makes: the template with k of letters and digits
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
      for (let sample = 0; sample < 50; sample += 1) {
        const k = Array.from(
          { length },
          (_, index) => alphabet[(index * 7 + sample * 13) % alphabet.length],
        ).join('');
        // WHEN / THEN
        expect(
          parseKeyDocument(JSON.stringify({ kty: 'oct', alg, use: 'sig', kid: 'initial', k })),
        ).toMatchObject({ alg });
      }
    },
  );
});
