/**
 * The cdk-nag findings the construct accepts, each with its reason, on the narrowest resource.
 * Acknowledgements go through aws-cdk-lib's own `Validations`, so this module needs no cdk-nag:
 * the construct ships without it. The packs themselves are attached by the app (nag.ts).
 */
import { Validations } from 'aws-cdk-lib';
import { type IConstruct } from 'constructs';

export interface AcknowledgedResources {
  /** The rotation function's AWS::Lambda::Function. */
  readonly rotationFunction: IConstruct;
  /** The 5-minute retirement rule's AWS::Events::Rule. */
  readonly retirementRule: IConstruct;
  /** The AWS::Events::Rule that counts Secrets Manager's rotation failures (no target). */
  readonly rotationFailedRule: IConstruct;
}

/** The findings this design accepts, each with why. */
export function acknowledgeNagFindings(resources: AcknowledgedResources): void {
  Validations.of(resources.rotationFunction).acknowledge(
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
  Validations.of(resources.retirementRule).acknowledge({
    id: 'Serverless::Serverless-EventBusDLQ',
    reason:
      'The retirement check is idempotent and runs every 5 minutes: a dropped event is ' +
      'superseded by the next one; the target retries twice.',
  });
  Validations.of(resources.rotationFailedRule).acknowledge({
    id: 'Serverless::Serverless-EventBusDLQ',
    reason:
      'The rule has no target to deliver to: it only counts the matching events, and the ' +
      'RotationFailedAlarm on its MatchedEvents metric publishes to the alarm topic.',
  });
}
