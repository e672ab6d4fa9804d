/**
 * The stack `cdk deploy` creates: one RotatingJwtKey and its outputs (for an asymmetric key,
 * also the issuer and JWKS URL of its published key set).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { type Construct } from 'constructs';

import { RotatingJwtKey, type RotatingJwtKeyProps } from './rotating-jwt-key';

export interface JwtKeysStackProps extends StackProps {
  readonly key?: RotatingJwtKeyProps;
  /**
   * The ACM certificate (us-east-1) of the key set's custom domain (`key.domainName`), by ARN:
   * the stack imports it as the key's `certificate`.
   * @default - none
   */
  readonly keySetCertificateArn?: string;
}

export class JwtKeysStack extends Stack {
  readonly key: RotatingJwtKey;

  constructor(scope: Construct, id: string, props: JwtKeysStackProps = {}) {
    super(scope, id, props);
    this.key = new RotatingJwtKey(this, 'JwtKey', {
      ...props.key,
      ...(props.keySetCertificateArn !== undefined && {
        certificate: acm.Certificate.fromCertificateArn(
          this,
          'KeySetCertificate',
          props.keySetCertificateArn,
        ),
      }),
    });
    new CfnOutput(this, 'SecretArn', {
      value: this.key.secret.secretArn,
      description: 'JWT_SECRET_ARN for applications',
    });
    new CfnOutput(this, 'SecretName', { value: this.key.secret.secretName });
    new CfnOutput(this, 'EventBusName', { value: this.key.eventBus.eventBusName });
    new CfnOutput(this, 'EventBusArn', { value: this.key.eventBus.eventBusArn });
    new CfnOutput(this, 'RotationFunctionName', { value: this.key.rotationFunction.functionName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.key.alarmTopic.topicArn });
    if (this.key.issuer !== undefined && this.key.jwksUri !== undefined) {
      new CfnOutput(this, 'Issuer', {
        value: this.key.issuer,
        description:
          'iss of the tokens you sign, and the OpenID discovery issuer (JWT authorizers)',
      });
      new CfnOutput(this, 'JwksUri', {
        value: this.key.jwksUri,
        description: 'The published public keys (JWKS), for verifiers without AWS access',
      });
    }
  }
}
