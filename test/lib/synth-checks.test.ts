/**
 * What synth catches before a deploy would: an unchecked grace period, a secret name Secrets
 * Manager refuses, numbers in context that are not whole decimal numbers, context keys that are
 * no setting, a key set in a partition without what it needs, and the stack's own region among
 * the replicas when that region is known only at deploy (a CloudFormation Rule).
 */
import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';

import { keyPropsFromContext, recordingReader, warnUnknownContext } from '../../bin/app-settings';
import {
  ASSUMED_TOKEN_LIFETIME_SECONDS,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  DEFAULT_KEY_CACHE_SECONDS,
} from '../../contract';
import { RotatingJwtKeyError } from '../../lib/errors';
import {
  type JwtAlgorithm,
  RotatingJwtKey,
  type RotatingJwtKeyProps,
} from '../../lib/rotating-jwt-key';
import { WARNING_IDS } from '../../lib/warnings';

import { thrownBy } from './support';

function stackWith(
  props: RotatingJwtKeyProps,
  { region, context }: { region?: string; context?: Record<string, unknown> } = {},
) {
  const app = new App(context === undefined ? {} : { context });
  const stack = new Stack(
    app,
    'Test',
    region === undefined ? {} : { env: { region, account: '123456789012' } },
  );
  new RotatingJwtKey(stack, 'JwtKey', props);
  return stack;
}

/** The messages of the warnings with that id on the stack. */
function warnings(stack: Stack, id: string): string[] {
  return Annotations.fromStack(stack)
    .findWarning('*', Match.stringLikeRegexp(id))
    .map((entry) => String(entry.entry.data));
}

describe('the grace period with no token lifetime stated', () => {
  const needed = ASSUMED_TOKEN_LIFETIME_SECONDS + DEFAULT_KEY_CACHE_SECONDS + 60;

  it('counts an assumed 1-hour token, the client key cache (5 minutes) and 1 minute of skew', () => {
    expect([ASSUMED_TOKEN_LIFETIME_SECONDS, DEFAULT_KEY_CACHE_SECONDS]).toEqual([3600, 300]);
    expect(DEFAULT_CLOCK_TOLERANCE_SECONDS).toBe(60);
  });

  it.each<[string, Duration, boolean]>([
    ['0', Duration.seconds(0), true],
    ['90 seconds', Duration.seconds(90), true],
    ['one second short', Duration.seconds(needed - 1), true],
    ['exactly enough', Duration.seconds(needed), false],
    ['the default 24 hours', Duration.hours(24), false],
  ])('warns of a grace of %s: %s', (_name, gracePeriod, warned) => {
    // GIVEN / WHEN
    const stack = stackWith({ gracePeriod });

    // THEN
    const found = warnings(stack, WARNING_IDS.gracePeriodUnchecked);
    expect(found).toHaveLength(warned ? 1 : 0);
    if (warned) {
      expect(found[0]).toMatch(
        /no maxTokenLifetime is stated: .* need a grace of 1 hour 6 minutes.* State maxTokenLifetime and appCachePeriod/,
      );
    }
  });

  it('counts the stated clockSkew, and says nothing once the lifetime is stated (then checked)', () => {
    const skewed = stackWith({
      gracePeriod: Duration.seconds(needed),
      clockSkew: Duration.minutes(5),
    });
    expect(warnings(skewed, WARNING_IDS.gracePeriodUnchecked)).toHaveLength(1);

    const stated = stackWith({
      gracePeriod: Duration.minutes(10),
      maxTokenLifetime: Duration.minutes(5),
      appCachePeriod: Duration.minutes(1),
    });
    expect(warnings(stated, WARNING_IDS.gracePeriodUnchecked)).toEqual([]);
  });
});

describe('secretName', () => {
  it.each<[string, string, RegExp]>([
    ['empty', '', /got "" \(0 characters\)/],
    ['with a space and a bang', 'my secret!', /got "my secret!" \(" ", "!" not allowed\)/],
    ['too long', 'a'.repeat(513), /\(513 characters\)/],
    ['with a non-ASCII letter', 'clé', /"é" not allowed/],
  ])('fails when %s', (_name, secretName, message) => {
    const error = thrownBy(() => stackWith({ secretName }));
    expect(error).toBeInstanceOf(RotatingJwtKeyError);
    expect(error).toMatchObject({
      code: 'ERR_SECRET_NAME_INVALID',
      message: expect.stringMatching(message),
    });
  });

  it.each([['prod/jwt'], ['A-Z_a+z=0.9@/x'], ['a'.repeat(512)]])('accepts %s', (secretName) => {
    const stack = stackWith({ secretName });
    expect(warnings(stack, WARNING_IDS.secretNameSuffix)).toEqual([]);
  });

  it('skips a name known only at deploy', () => {
    expect(() => stackWith({ secretName: Lazy.string({ produce: () => 'x y' }) })).not.toThrow();
  });

  it('warns of a name ending in a hyphen and six characters, like the ARN suffix', () => {
    const stack = stackWith({ secretName: 'prod/jwt-signer' });
    expect(warnings(stack, WARNING_IDS.secretNameSuffix)).toEqual([
      expect.stringMatching(/"prod\/jwt-signer" ends with a hyphen and six characters/),
    ]);
  });
});

describe('numbers in context', () => {
  const context = (values: Record<string, unknown>) => (name: string) => values[name];

  it.each<[Record<string, unknown>, string]>([
    [{ rotationDays: '0x10' }, '"rotationDays" must be a number >= 0, got "0x10"'],
    [{ rotationDays: '1.5' }, '"rotationDays" must be a number >= 0, got "1.5"'],
    [{ rotationDays: 1.5 }, '"rotationDays" must be a number >= 0, got 1.5'],
    [{ rotationDays: '1e2' }, 'got "1e2"'],
    [{ rotationDays: ' 16' }, 'got " 16"'],
    [{ rotationDays: '016' }, 'got "016"'],
    [{ rotationDays: '+16' }, 'got "+16"'],
    [{ gracePeriodHours: '0x18' }, '"gracePeriodHours" must be a number >= 0, got "0x18"'],
    [{ maxTokenLifetimeMinutes: '15.5', appCachePeriodMinutes: '5' }, 'got "15.5"'],
    [{ keySetMaxAgeSeconds: '3e2' }, '"keySetMaxAgeSeconds" must be a number >= 0, got "3e2"'],
    [{ rsaModulusBits: '0x800', algorithm: 'RS256' }, '"rsaModulusBits" must be a number'],
  ])('refuses %j, naming the value', (values, message) => {
    const error = thrownBy(() => keyPropsFromContext(context(values)));
    expect(error).toBeInstanceOf(RotatingJwtKeyError);
    expect(error).toMatchObject({ code: 'ERR_CONTEXT_INVALID' });
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toContain('a whole number in decimal digits');
  });

  it('reads whole numbers given as text or as numbers', () => {
    expect(keyPropsFromContext(context({ rotationDays: '16', gracePeriodHours: 0 }))).toMatchObject(
      { rotationInterval: Duration.days(16), gracePeriod: Duration.hours(0) },
    );
  });

  it('refuses a secretName that is not text', () => {
    expect(thrownBy(() => keyPropsFromContext(context({ secretName: 42 })))).toMatchObject({
      code: 'ERR_CONTEXT_INVALID',
      message: expect.stringMatching(/"secretName" must be text, got 42/),
    });
  });
});

describe('context keys that are no setting', () => {
  function warned(given: Record<string, unknown>): string[] {
    // GIVEN the app's reader over that context, read as bin/app.ts does
    const { context, names } = recordingReader((name) => given[name]);
    keyPropsFromContext(context);
    const stack = new Stack(new App(), 'Test');

    // WHEN
    warnUnknownContext(stack, Object.keys(given), names);

    // THEN
    return warnings(stack, WARNING_IDS.unknownContext);
  }

  it('names a typo and the setting it is closest to', () => {
    expect(warned({ rotatonDays: '30', gracePeriod: '48' })).toEqual([
      expect.stringMatching(/context "rotatonDays" is no setting .* did you mean "rotationDays"\?/),
      expect.stringMatching(
        /context "gracePeriod" is no setting .* did you mean "gracePeriodHours"\?/,
      ),
    ]);
  });

  it('lists the settings when none is close', () => {
    expect(warned({ region: 'eu-west-1' })).toEqual([
      expect.stringMatching(/"region" is no setting .* the settings are algorithm, .*rotationDays/),
    ]);
  });

  it("leaves the app's settings and CDK's own keys alone", () => {
    expect(
      warned({
        rotationDays: 90,
        gracePeriodHours: 24,
        algorithm: 'HS256',
        secretName: 'prod/jwt',
        '@aws-cdk/core:target-partitions': ['aws', 'aws-cn'],
        'aws:cdk:enable-path-metadata': true,
        'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a'],
        'acknowledged-issue-numbers': [32775],
        'cli-telemetry': false,
      }),
    ).toEqual([]);
  });
});

describe('the published key set and the partition', () => {
  it.each<[string, string]>([
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
  ])('fails in %s, naming the %s partition', (region, partition) => {
    const error = thrownBy(() => stackWith({ algorithm: 'ES256' }, { region }));
    expect(error).toBeInstanceOf(RotatingJwtKeyError);
    expect(error).toMatchObject({
      code: 'ERR_KEY_SET_PARTITION_UNSUPPORTED',
      message: expect.stringContaining(`region ${region} is in the ${partition} partition`),
    });
  });

  it.each<[JwtAlgorithm, string]>([
    ['HS256', 'cn-north-1'],
    ['RS256', 'eu-west-1'],
  ])('accepts %s in %s', (algorithm, region) => {
    expect(() => stackWith({ algorithm }, { region })).not.toThrow();
  });

  it('warns, for an environment-agnostic stack, when the app targets such a partition', () => {
    const targets = (partitions: string[]) =>
      warnings(
        stackWith(
          { algorithm: 'EdDSA' },
          { context: { '@aws-cdk/core:target-partitions': partitions } },
        ),
        WARNING_IDS.keySetTargetPartition,
      );
    expect(targets(['aws', 'aws-cn'])).toEqual([
      expect.stringMatching(/targets aws-cn .* aws-cn has no CloudFront origin access control/),
    ]);
    expect(targets(['aws'])).toEqual([]);
  });
});

describe("replicaRegions and the stack's own region, known only at deploy", () => {
  const replicaRules = (stack: Stack) =>
    Object.entries(
      (Template.fromStack(stack).toJSON().Rules ?? {}) as Record<string, unknown>,
    ).filter(([id]) => id.includes('ReplicaRegionsRule'));

  it('adds a Rule that fails the deploy in a replica region, before any resource changes', () => {
    // GIVEN an environment-agnostic stack, as bin/app.ts makes it
    const stack = stackWith({
      replicaRegions: [{ region: 'eu-west-1' }, { region: 'ap-southeast-2' }],
    });

    // THEN
    const rules = replicaRules(stack);
    expect(rules).toHaveLength(1);
    expect(rules[0]![1]).toEqual({
      Assertions: [
        {
          Assert: {
            'Fn::Not': [
              { 'Fn::Contains': [['eu-west-1', 'ap-southeast-2'], { Ref: 'AWS::Region' }] },
            ],
          },
          AssertDescription: expect.stringMatching(
            /replicaRegions of Test\/JwtKey \(eu-west-1, ap-southeast-2\) must not name the stack's own region/,
          ),
        },
      ],
    });
  });

  it('adds none when the region is known at synth (checked there) or there is no replica', () => {
    expect(
      replicaRules(
        stackWith({ replicaRegions: [{ region: 'eu-west-1' }] }, { region: 'us-east-1' }),
      ),
    ).toEqual([]);
    expect(replicaRules(stackWith({}))).toEqual([]);
  });
});
