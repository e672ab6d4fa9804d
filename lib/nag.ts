/**
 * The cdk-nag findings the construct's design accepts, each acknowledged with its reason on the
 * narrowest construct that needs it. Through aws-cdk-lib's Validations only: the construct ships
 * to CDK apps that need not install cdk-nag (the packs are added by nag-checks.ts).
 */
import { Validations } from 'aws-cdk-lib';
import { type IConstruct } from 'constructs';

import { type RotatingJwtKey } from './rotating-jwt-key';

/** The findings this design accepts, each with why. */
export function acknowledgeNagFindings(key: RotatingJwtKey): void {
  const rotationFunction = key.rotationFunction.node.defaultChild as IConstruct;
  Validations.of(rotationFunction).acknowledge(
    {
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        'Secrets Manager invokes the function synchronously and retries failed rotations itself; ' +
        'the retirement check runs every 5 minutes, so a lost invocation is redone by the next; ' +
        'failures raise the RotationErrorsAlarm.',
    },
    {
      id: 'Serverless::Serverless-LambdaTracing',
      reason:
        'A few short invocations per day; structured JSON logs and embedded metrics cover them, ' +
        'and X-Ray would need xray:PutTraceSegments on "*" for little insight.',
    },
  );
  for (const ruleId of ['RetirementSchedule', 'RotationFailedRule']) {
    const rule = key.node.findChild(ruleId).node.defaultChild as IConstruct;
    Validations.of(rule).acknowledge({
      id: 'Serverless::Serverless-EventBusDLQ',
      reason:
        ruleId === 'RetirementSchedule'
          ? 'The retirement check is idempotent and runs every 5 minutes: a dropped event is ' +
            'superseded by the next one; the target retries twice.'
          : 'EventBridge retries delivery to SNS for 24 hours; the Lambda errors alarm is a second path to the same topic.',
    });
  }
}
