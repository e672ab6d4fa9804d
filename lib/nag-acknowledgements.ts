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
  /** The published key set's AWS::CloudFront::Distribution (asymmetric keys only). */
  readonly keySet?: {
    readonly distribution: IConstruct;
    /** Whether it serves a domain of the user's with their certificate (TLS 1.2 minimum). */
    readonly customDomain: boolean;
  };
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
  if (resources.keySet !== undefined) acknowledgeKeySetFindings(resources.keySet);
  Validations.of(resources.rotationFailedRule).acknowledge({
    id: 'Serverless::Serverless-EventBusDLQ',
    reason:
      'The rule has no target to deliver to: it only counts the matching events, and the ' +
      'RotationFailedAlarm on its MatchedEvents metric publishes to the alarm topic.',
  });
}

function acknowledgeKeySetFindings(keySet: NonNullable<AcknowledgedResources['keySet']>): void {
  Validations.of(keySet.distribution).acknowledge(
    {
      id: 'AwsSolutions::AwsSolutions-CFR1',
      reason:
        'The published key set is public by design: verifiers anywhere (partners, API Gateway in ' +
        'any region) must fetch it; public keys reveal nothing to restrict by country.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-CFR2',
      reason:
        'Two small static documents served from the edge cache (GET and HEAD only, no query ' +
        'string or header in the cache key, so no request reaches the bucket more than once per ' +
        'max-age); Shield Standard covers floods, and a WAF web ACL would cost more than it guards.',
    },
  );
  if (!keySet.customDomain) {
    Validations.of(keySet.distribution).acknowledge({
      id: 'AwsSolutions::AwsSolutions-CFR4',
      reason:
        "With CloudFront's default *.cloudfront.net certificate the security policy cannot be " +
        'chosen (CloudFront sets TLSv1); clients still negotiate the newest version both ' +
        'sides speak (TLS 1.2 or 1.3 for every JOSE library and API Gateway), and the ' +
        'documents are public. With domainName and ' +
        'certificate the distribution requires TLS 1.2 (TLSv1.2_2021) and this does not apply.',
    });
  }
}
