/**
 * The app as `cdk synth` builds it: settings from context, cdk-nag's AwsSolutions and
 * Serverless packs with no unacknowledged finding, and a negative control proving the packs run.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { CfnDistribution } from 'aws-cdk-lib/aws-cloudfront';
import * as sns from 'aws-cdk-lib/aws-sns';

import { keyPropsFromContext, keySetCertificateArnFromContext } from '../../bin/app-settings';
import { addNagChecks } from '../../bin/nag';
import { RotatingJwtKeyError } from '../../lib/errors';
import { JwtKeysStack } from '../../lib/jwt-keys-stack';
import { RotatingJwtKey } from '../../lib/rotating-jwt-key';

import { thrownBy } from './support';

function context(values: Record<string, unknown>): (name: string) => unknown {
  return (name) => values[name];
}

describe('Function: keyPropsFromContext', () => {
  it('reads the cdk.json defaults', () => {
    expect(
      keyPropsFromContext(context({ rotationDays: 90, gracePeriodHours: 24, algorithm: 'HS256' })),
    ).toEqual({
      algorithm: 'HS256',
      rotationInterval: Duration.days(90),
      gracePeriod: Duration.hours(24),
    });
  });

  it('reads -c overrides given as text, and the optional settings', () => {
    expect(
      keyPropsFromContext(
        context({
          rotationDays: '30',
          gracePeriodHours: '2',
          algorithm: 'HS512',
          maxTokenLifetimeMinutes: '60',
          appCachePeriodMinutes: '5',
          secretName: 'prod/jwt',
        }),
      ),
    ).toEqual({
      algorithm: 'HS512',
      rotationInterval: Duration.days(30),
      gracePeriod: Duration.hours(2),
      maxTokenLifetime: Duration.minutes(60),
      appCachePeriod: Duration.minutes(5),
      secretName: 'prod/jwt',
    });
  });

  it('reads an asymmetric algorithm, its RSA size and the verifier cache', () => {
    expect(
      keyPropsFromContext(
        context({ algorithm: 'RS256', rsaModulusBits: '3072', maxVerifierCacheMinutes: '90' }),
      ),
    ).toEqual({
      algorithm: 'RS256',
      rsaModulusBits: 3072,
      rotationInterval: Duration.days(90),
      gracePeriod: Duration.hours(24),
      maxVerifierCacheTime: Duration.minutes(90),
    });
    expect(keyPropsFromContext(context({ algorithm: 'EdDSA' }))).toMatchObject({
      algorithm: 'EdDSA',
    });
  });

  it('reads the key set settings: its max-age, its domain and certificate', () => {
    const values = {
      algorithm: 'RS256',
      keySetMaxAgeSeconds: '120',
      keySetDomainName: 'keys.example.com',
      keySetCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123',
    };
    expect(keyPropsFromContext(context(values))).toMatchObject({
      keySetMaxAge: Duration.seconds(120),
      domainName: 'keys.example.com',
    });
    expect(keySetCertificateArnFromContext(context(values))).toBe(values.keySetCertificateArn);
    expect(keySetCertificateArnFromContext(context({}))).toBeUndefined();
  });

  it('fails when the key set certificate is not an ACM certificate ARN', () => {
    const error = thrownBy(() =>
      keySetCertificateArnFromContext(context({ keySetCertificateArn: 'keys.example.com' })),
    );
    expect(error).toMatchObject({
      code: 'ERR_CONTEXT_INVALID',
      message: expect.stringMatching(/"keySetCertificateArn" must be an ACM certificate ARN/),
    });
  });

  it.each([
    [{ keySetMaxAgeSeconds: 'five' }, /context "keySetMaxAgeSeconds" must be a number/],
    [{ keySetDomainName: 42 }, /context "keySetDomainName" must be text, got 42/],
    [{ rotationDays: 'ninety' }, /context "rotationDays" must be a number >= 0, got "ninety"/],
    [{ gracePeriodHours: -1 }, /context "gracePeriodHours" must be a number >= 0, got -1/],
    [
      { algorithm: 'none' },
      /context "algorithm" must be HS256, HS384, HS512, ES256, EdDSA or RS256, got "none"/,
    ],
    [
      { algorithm: 'RS256', rsaModulusBits: '1024' },
      /context "rsaModulusBits" must be 2048, 3072 or 4096, got "1024"/,
    ],
    [
      { maxVerifierCacheMinutes: 'two hours' },
      /context "maxVerifierCacheMinutes" must be a number/,
    ],
  ])('fails when the context is wrong (%j)', (values, message) => {
    const error = thrownBy(() => keyPropsFromContext(context(values)));
    expect(error).toBeInstanceOf(RotatingJwtKeyError);
    expect(error).toMatchObject({
      code: 'ERR_CONTEXT_INVALID',
      message: expect.stringMatching(message),
    });
  });
});

describe('cdk-nag', () => {
  it.each(['HS256', 'ES256', 'EdDSA', 'RS256'] as const)(
    'finds nothing unacknowledged in the %s stack (AwsSolutions and Serverless packs)',
    (algorithm) => {
      const nagged = new App();
      new JwtKeysStack(nagged, 'JwtKeys', { key: { algorithm } });
      addNagChecks(nagged);
      expect(() => nagged.synth()).not.toThrow();
    },
  );

  it('finds nothing unacknowledged with a custom key set domain, whose TLS policy is set (no CFR4 to acknowledge)', () => {
    // GIVEN a key set on the user's domain and certificate
    const nagged = new App();
    const stack = new Stack(nagged, 'JwtKeys');
    new RotatingJwtKey(stack, 'JwtKey', {
      algorithm: 'RS256',
      domainName: 'keys.example.com',
      certificate: acm.Certificate.fromCertificateArn(
        stack,
        'Certificate',
        'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
      ),
    });
    addNagChecks(nagged);

    // WHEN / THEN
    expect(() => nagged.synth()).not.toThrow();
    const acknowledged = (scope: Stack): string =>
      JSON.stringify(
        scope.node.findAll().find((each) => each instanceof CfnDistribution)!.node.metadata,
      );
    expect(acknowledged(stack)).not.toContain('AwsSolutions-CFR4');
    // AND the default *.cloudfront.net certificate's stack does acknowledge it (the contrast)
    const defaultDomain = new Stack(new App(), 'Default');
    new RotatingJwtKey(defaultDomain, 'JwtKey', { algorithm: 'RS256' });
    expect(acknowledged(defaultDomain)).toContain('AwsSolutions-CFR4');
  });

  it('fails synthesis when a finding is not acknowledged (negative control)', () => {
    // GIVEN the same stack plus a topic that accepts plain HTTP and no encryption
    const nagged = new App();
    const stack = new JwtKeysStack(nagged, 'JwtKeys');
    new sns.Topic(stack, 'CarelessTopic');
    addNagChecks(nagged);

    // WHEN / THEN
    expect(() => nagged.synth()).toThrow(/AwsSolutions-SNS3/);
  });
});
