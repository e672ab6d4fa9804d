/**
 * The stack `cdk deploy` creates: one RotatingJwtKey and its outputs.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { type Construct } from 'constructs';

import { RotatingJwtKey, type RotatingJwtKeyProps } from './rotating-jwt-key';

export interface JwtKeysStackProps extends StackProps {
  readonly key?: RotatingJwtKeyProps;
}

export class JwtKeysStack extends Stack {
  readonly key: RotatingJwtKey;

  constructor(scope: Construct, id: string, props: JwtKeysStackProps = {}) {
    super(scope, id, props);
    this.key = new RotatingJwtKey(this, 'JwtKey', props.key);
    new CfnOutput(this, 'SecretArn', {
      value: this.key.secret.secretArn,
      description: 'JWT_SECRET_ARN for applications',
    });
    new CfnOutput(this, 'SecretName', { value: this.key.secret.secretName });
    new CfnOutput(this, 'EventBusName', { value: this.key.eventBus.eventBusName });
    new CfnOutput(this, 'EventBusArn', { value: this.key.eventBus.eventBusArn });
    new CfnOutput(this, 'RotationFunctionName', { value: this.key.rotationFunction.functionName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.key.alarmTopic.topicArn });
  }
}
