/**
 * An HTTP API behind API Gateway's JWT authorizer, trusting the tokens your services sign with
 * JwtKeyRing. API Gateway reads `{issuer}/.well-known/openid-configuration`, then the `jwks_uri`
 * it names, and caches the keys for up to 2 hours: the published key set the construct makes.
 *
 * The key must be RS256: API Gateway's HTTP API JWT authorizer supports RSA-based algorithms
 * only (an ES256 or EdDSA token is refused, whatever its key set says).
 *
 * Run it with `npx cdk synth --app "npx tsx examples/api-gateway-jwt-authorizer.ts"`; sign tokens
 * with `new JwtKeyRing({ secretId, issuer, audience: 'orders-api' })` (the stack outputs the
 * issuer and the secret's ARN).
 */
import { App, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type Construct } from 'constructs';

import { RotatingJwtKey } from '../lib';

export interface OrdersApiStackProps extends StackProps {
  /**
   * The audiences the authorizer accepts: a token's `aud` (or, without `aud`, its `client_id`)
   * must be one of them.
   * @default ['orders-api']
   */
  readonly audience?: string[];
}

/** The key (RS256, published), and an HTTP API whose route requires its tokens. */
export class OrdersApiStack extends Stack {
  readonly key: RotatingJwtKey;
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: OrdersApiStackProps = {}) {
    super(scope, id, props);
    this.key = new RotatingJwtKey(this, 'JwtKey', { algorithm: 'RS256' });

    // A small function: inline code, so the example synthesizes with nothing to bundle.
    const handler = new lambda.Function(this, 'Orders', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      memorySize: 128,
      timeout: Duration.seconds(5),
      code: lambda.Code.fromInline(
        // API Gateway passes the verified claims in requestContext.authorizer.jwt.claims.
        'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ ' +
          'caller: event.requestContext.authorizer.jwt.claims.sub }) });',
      ),
    });

    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', this.key.issuer!, {
      jwtAudience: props.audience ?? ['orders-api'],
      // The default: the token in `Authorization`, alone or after "Bearer ".
      identitySource: ['$request.header.Authorization'],
    });
    this.api = new HttpApi(this, 'Api');
    this.api.addRoutes({
      path: '/orders',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('OrdersIntegration', handler),
      authorizer,
    });
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
  }
}

if (require.main === module) {
  const app = new App();
  new OrdersApiStack(app, 'OrdersApi');
  app.synth();
}
