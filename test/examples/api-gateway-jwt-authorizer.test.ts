/**
 * examples/api-gateway-jwt-authorizer.ts: the synthesized authorizer trusts the construct's
 * issuer (the distribution's https URL) for the configured audience, and the route requires it;
 * and tokens JwtKeyRing signs for it carry what API Gateway's documented JWT authorizer checks
 * (api-gateway-jwt-rules.ts).
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';

import { JwtKeyRing } from '../../client';
import { OrdersApiStack } from '../../examples/api-gateway-jwt-authorizer';
import { localSecret } from '../support/local-secret';
import { asymmetricKey } from '../support/tokens';

import { apiGatewayJwtProblems } from './api-gateway-jwt-rules';

describe('examples/api-gateway-jwt-authorizer', () => {
  function synth(audience?: string[]): { stack: OrdersApiStack; template: Template } {
    const stack = new OrdersApiStack(new App(), 'OrdersApi', audience && { audience });
    return { stack, template: Template.fromStack(stack) };
  }

  it('the authorizer trusts the construct issuer, the distribution https URL, for the audience', () => {
    // GIVEN / WHEN
    const { stack, template } = synth(['orders-api', 'admin-api']);

    // THEN a JWT authorizer reads the token from Authorization
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');
    expect(Object.values(authorizers)).toHaveLength(1);
    const properties = Object.values(authorizers)[0]!.Properties as Record<string, unknown>;
    expect(properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: ['orders-api', 'admin-api'] },
    });
    // AND its issuer is the construct's issuer, the same expression: https:// + the distribution
    const issuer = (properties.JwtConfiguration as { Issuer: unknown }).Issuer;
    expect(issuer).toEqual(stack.resolve(stack.key.issuer));
    const distribution = Object.keys(template.findResources('AWS::CloudFront::Distribution'));
    expect(distribution).toHaveLength(1);
    expect(issuer).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution[0], 'DomainName'] }]],
    });
    // AND the key is RS256, the only kind API Gateway verifies
    expect(stack.key.algorithm).toBe('RS256');
  });

  it('the route uses the authorizer, in front of the function', () => {
    const { template } = synth();
    const authorizerId = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0]!;
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /orders',
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: authorizerId },
      Target: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Audience: ['orders-api'] },
    });
  });

  it('tokens JwtKeyRing signs for it pass the authorizer rules; wrong issuer, audience or key do not', async () => {
    // GIVEN the key set as published (current and standby), and a ring on the secret
    const issuer = 'https://d111111abcdef8.cloudfront.net';
    const now = Date.UTC(2026, 0, 1);
    const standby = await asymmetricKey('RS256', 'standby', now);
    const current = await asymmetricKey('RS256', 'current', now, { nextKid: standby.kid });
    const secret = await localSecret(() => now, current);
    try {
      const ring = new JwtKeyRing({
        secretId: secret.arn,
        client: secret.client,
        clock: () => now,
        issuer,
        audience: 'orders-api',
      });
      const authorizer = { issuer, audience: ['orders-api'], jwks: [current, standby], now };

      // WHEN / THEN a token for the API passes
      expect(apiGatewayJwtProblems(await ring.sign({ sub: 'user-42' }), authorizer)).toEqual([]);
      // AND one for another issuer or audience, or an expired one, does not
      const other = await ring.sign({ sub: 'u' }, { issuer: 'https://other.example' });
      expect(apiGatewayJwtProblems(other, authorizer)).toEqual([
        'iss "https://other.example" is not the authorizer issuer',
      ]);
      const elsewhere = await ring.sign({ sub: 'u' }, { audience: 'billing-api' });
      expect(apiGatewayJwtProblems(elsewhere, authorizer)).toEqual([
        'aud names none of the authorizer audiences',
      ]);
      const token = await ring.sign({ sub: 'u' }, { expiresIn: 60 });
      expect(apiGatewayJwtProblems(token, { ...authorizer, now: now + 61_000 })).toEqual([
        'exp is not after the current time',
      ]);
      // AND a key the set does not hold is refused by kid
      expect(apiGatewayJwtProblems(token, { ...authorizer, jwks: [standby] })).toEqual([
        'kid "current" is not in the jwks_uri key set',
      ]);
    } finally {
      await secret.close();
    }
  }, 60_000);
});
