/**
 * Walks every policy of a synthesized template for statements that let an AWS service principal
 * act, and reports each one that does not say on whose behalf: without `aws:SourceAccount` and
 * `aws:SourceArn` (or, for AWS::Lambda::Permission, the SourceAccount and SourceArn properties
 * Lambda turns into those conditions), any resource of that service in any account could use it
 * (the confused deputy).
 *
 * Where it looks: every `Statement` anywhere in a resource's properties (KMS key policies, SNS
 * topic policies, SQS queue and S3 bucket policies, EventBridge bus policies, IAM trust
 * policies), and AWS::Lambda::Permission resources. Identity policies (AWS::IAM::Policy, a
 * role's inline policies) name no principal and are passed over by the same rule.
 *
 * Trust policies are walked too: a role a service assumes is as open as the service's reach.
 * The exceptions are those AWS documents, each with what it asks for instead (EXCEPTIONS).
 */
import { type Template } from 'aws-cdk-lib/assertions';

export interface ServicePrincipalGrant {
  readonly logicalId: string;
  readonly type: string;
  readonly service: string;
  readonly actions: readonly string[];
  /** Condition keys that hold (lower case), from conditions or Lambda permission properties. */
  readonly conditionKeys: readonly string[];
}

interface Exception {
  readonly type: string;
  readonly service: string;
  /** A condition key the statement must carry in place of the source keys; none: nothing. */
  readonly insteadKey?: string;
  readonly why: string;
}

/** The documented cases where the source keys cannot be used. */
export const EXCEPTIONS: readonly Exception[] = [
  {
    type: 'AWS::IAM::Role',
    service: 'lambda.amazonaws.com',
    why:
      "A Lambda execution role's trust policy: Lambda assumes the role only for a function it is " +
      'attached to, and attaching it takes iam:PassRole on the role in this account; Lambda ' +
      'documents no source condition keys for assuming an execution role.',
  },
  {
    type: 'AWS::S3::BucketPolicy',
    service: 'cloudfront.amazonaws.com',
    insteadKey: 'aws:sourcearn',
    why:
      "CloudFront's origin access control: AWS documents the bucket policy statement with " +
      "AWS:SourceArn set to the distribution's ARN, arn:aws:cloudfront::<account>:distribution/" +
      '<id>, which names this account and one distribution; aws:SourceAccount would add nothing.',
  },
];

const SOURCE_KEYS = ['aws:sourceaccount', 'aws:sourcearn'] as const;

type Json = Record<string, unknown>;

/** Every Allow statement of the template that names a service principal. */
export function servicePrincipalGrants(template: Template): ServicePrincipalGrant[] {
  const grants: ServicePrincipalGrant[] = [];
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties?: Json }
  >;
  for (const [logicalId, { Type: type, Properties: properties = {} }] of Object.entries(
    resources,
  )) {
    if (type === 'AWS::Lambda::Permission') {
      const principal = properties.Principal;
      if (typeof principal === 'string' && isService(principal)) {
        grants.push({
          logicalId,
          type,
          service: principal,
          actions: [String(properties.Action)],
          conditionKeys: [
            ...(present(properties.SourceAccount) ? ['aws:sourceaccount'] : []),
            ...(present(properties.SourceArn) ? ['aws:sourcearn'] : []),
          ],
        });
      }
      continue;
    }
    for (const statement of statementsIn(properties)) {
      if (statement.Effect !== 'Allow') continue;
      for (const service of servicesOf(statement.Principal)) {
        grants.push({
          logicalId,
          type,
          service,
          actions: list(statement.Action).map(String),
          conditionKeys: conditionKeysOf(statement.Condition),
        });
      }
    }
  }
  return grants;
}

/** What is wrong with each grant, one line each; empty when every grant names its source. */
export function findings(template: Template): string[] {
  return servicePrincipalGrants(template).flatMap((grant) => {
    const where = `${grant.logicalId} (${grant.type}): ${grant.service} ${grant.actions.join(',')}`;
    const exception = EXCEPTIONS.find(
      (candidate) => candidate.type === grant.type && candidate.service === grant.service,
    );
    if (exception !== undefined) {
      if (
        exception.insteadKey === undefined ||
        grant.conditionKeys.includes(exception.insteadKey)
      ) {
        return [];
      }
      return [`${where} without ${exception.insteadKey}`];
    }
    const missing = SOURCE_KEYS.filter((key) => !grant.conditionKeys.includes(key));
    return missing.length === 0 ? [] : [`${where} without ${missing.join(' and ')}`];
  });
}

/** Policy statements anywhere below `value` (a `Statement` array, or one statement object). */
function statementsIn(value: unknown): Json[] {
  if (Array.isArray(value)) return value.flatMap(statementsIn);
  if (!isObject(value)) return [];
  const found: Json[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (key === 'Statement') found.push(...list(child).filter(isObject));
    else found.push(...statementsIn(child));
  }
  return found;
}

function servicesOf(principal: unknown): string[] {
  if (!isObject(principal)) return [];
  return list(principal.Service).filter(
    (service): service is string => typeof service === 'string',
  );
}

/**
 * The keys a condition requires to be present and match: `...IfExists` operators and `Null`
 * hold when the key is absent, so they restrict nothing here; a value of "*" matches anything.
 */
function conditionKeysOf(condition: unknown): string[] {
  if (!isObject(condition)) return [];
  return Object.entries(condition).flatMap(([operator, block]) => {
    if (operator.endsWith('IfExists') || operator === 'Null' || !isObject(block)) return [];
    return Object.entries(block)
      .filter(([, value]) => list(value).length > 0 && list(value).every((item) => item !== '*'))
      .map(([key]) => key.toLowerCase());
  });
}

function isService(principal: string): boolean {
  return /\.amazonaws\.com(\.cn)?$/.test(principal);
}

function present(value: unknown): boolean {
  return value !== undefined && value !== '' && value !== '*';
}

function list(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
