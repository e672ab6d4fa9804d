/**
 * How the construct's grants on the secret and its KMS key are written, so that they hold
 * wherever the principal and the key live. Every use of the key goes through Secrets Manager in
 * the secret's region (kms:ViaService).
 *
 * - On the principal's own policy (an identity statement naming the key): this works for an
 *   imported key of the account (whose key policy the app cannot write; a key's default policy
 *   lets the account's IAM policies grant its use), and across stacks (the statement lives in the
 *   principal's stack, so the key's stack never refers to the principal: no dependency cycle).
 * - In the key's policy as well when the key is one of this app's and in the principal's stack,
 *   as before: a key whose policy does not defer to IAM still serves the grant.
 * - In the secret's and the key's resource policies for a principal of another account (which
 *   needs both its own policy and the resource's) or one that holds no IAM policy (an account,
 *   a role ARN). Where the app cannot write them (an imported key; replicas, encrypted with keys
 *   of their regions) the grant is refused with a coded error rather than left half done.
 */
import { Resource, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IConstruct } from 'constructs';

import { APPLICATION_STAGES } from '../contract';

import { RotatingJwtKeyError } from './errors';
import {
  type JwtKeyReplicaRegion,
  replicaKeyStatement,
  replicaSecretArn,
  withKey,
} from './replica-regions';

/**
 * What Secrets Manager asks of the key for a writer: GenerateDataKey for each new version
 * (PutSecretValue), Decrypt to read one and to compare a repeated PutSecretValue ("Permissions
 * for the KMS key" in its guide). It never calls kms:Encrypt or ReEncrypt for a secret value.
 */
export const WRITER_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;
const READ_ACTIONS = ['secretsmanager:GetSecretValue'];

/** The secret, its key and its replicas: what a grant covers. */
export interface GrantTarget {
  readonly secret: secretsmanager.ISecret;
  readonly encryptionKey: kms.IKey;
  readonly replicaRegions: readonly JwtKeyReplicaRegion[];
}

/**
 * Lets `principal` use the secret's key through Secrets Manager in the secret's region: an
 * identity statement on the principal, and (unless `inKeyPolicy` is false) a key policy
 * statement when the key is this app's, in the principal's stack. Returns whether the
 * principal's own policy took the statement.
 */
export function grantKeyThroughSecretsManager(
  scope: IConstruct,
  key: kms.IKey,
  principal: iam.IPrincipal,
  actions: readonly string[],
  { inKeyPolicy = true }: { readonly inKeyPolicy?: boolean } = {},
): boolean {
  const viaService = secretsManagerEndpoint(scope);
  const onPrincipal = principal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [...actions],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': viaService } },
    }),
  );
  if (
    inKeyPolicy &&
    onPrincipal.statementAdded &&
    keyPolicyIsOurs(key) &&
    inStackOf(key, principal)
  ) {
    key.grant(new kms.ViaServicePrincipal(viaService, principal), ...actions);
  }
  return onPrincipal.statementAdded;
}

/**
 * grantRead: GetSecretValue on AWSCURRENT and AWSPREVIOUS of the secret and every replica, and
 * kms:Decrypt through Secrets Manager on the secret's key and each named replica key; for a
 * principal of another account or one that holds no policy, the secret's resource policy and
 * a key policy statement too (kms:ViaService and kms:CallerAccount).
 */
export function grantSecretRead(
  scope: IConstruct,
  target: GrantTarget,
  grantee: iam.IGrantable,
): iam.Grant {
  const principal = grantee.grantPrincipal;
  const otherAccount = otherAccountOf(principal, scope);
  if (otherAccount !== undefined) {
    refuseWhereResourcePoliciesCannotGo(scope, target, `account ${otherAccount}`);
  }
  const onPrincipal = iam.Grant.addToPrincipal({
    grantee,
    actions: READ_ACTIONS,
    resourceArns: readableArns(scope, target),
    conditions: onApplicationStages(),
  });
  // A principal of another account gets its key policy statement below, with its account.
  grantKeyThroughSecretsManager(scope, target.encryptionKey, principal, ['kms:Decrypt'], {
    inKeyPolicy: otherAccount === undefined,
  });
  for (const replica of target.replicaRegions.filter(withKey)) {
    principal.addToPrincipalPolicy(replicaKeyStatement(replica, ['kms:Decrypt']));
  }
  if (otherAccount === undefined && onPrincipal.success) return onPrincipal;

  const account = otherAccount ?? accountOf(principal);
  if (account === undefined) {
    throw new RotatingJwtKeyError(
      'ERR_GRANTEE_UNSUPPORTED',
      `grantRead: ${described(principal)} holds no IAM policy and names no account; grant a role, ` +
        'a user, a function or an account',
      scope,
    );
  }
  if (otherAccount === undefined) {
    refuseWhereResourcePoliciesCannotGo(scope, target, described(principal));
  }
  return onPrincipal.combine(grantOnResourcePolicies(scope, target, grantee, account));
}

/**
 * The resource side of a read grant: the secret's resource policy (the stages as on the
 * principal's side) and a statement in the key's policy for that account's calls through
 * Secrets Manager.
 */
function grantOnResourcePolicies(
  scope: IConstruct,
  target: GrantTarget,
  grantee: iam.IGrantable,
  account: string,
): iam.Grant {
  const principal = grantee.grantPrincipal;
  const onSecret = iam.Grant.addStatementToResourcePolicy({
    grantee,
    actions: READ_ACTIONS,
    resourceArns: [target.secret.secretArn],
    resource: target.secret,
    statement: new iam.PolicyStatement({
      principals: [principal],
      actions: READ_ACTIONS,
      // In a secret's resource policy, "*" is the secret itself.
      resources: ['*'],
      conditions: onApplicationStages(),
    }),
  });
  target.encryptionKey.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [principal],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: {
        StringEquals: {
          'kms:ViaService': secretsManagerEndpoint(scope),
          'kms:CallerAccount': account,
        },
      },
    }),
  );
  return onSecret;
}

/** Throws when a grant needs resource policies the app cannot write, before anything is written. */
function refuseWhereResourcePoliciesCannotGo(
  scope: IConstruct,
  target: GrantTarget,
  who: string,
): void {
  const fail = (message: string): never => {
    throw new RotatingJwtKeyError('ERR_CROSS_ACCOUNT_GRANT_UNSUPPORTED', message, scope);
  };
  if (!keyPolicyIsOurs(target.encryptionKey)) {
    const arn = target.encryptionKey.keyArn;
    fail(
      `grantRead to ${who} needs a statement in the encryption key's policy, and the key ` +
        `${Token.isUnresolved(arn) ? target.encryptionKey.node.path : arn} is imported: its ` +
        "policy is not this app's to write. Let the construct make its key, or grant kms:Decrypt " +
        `to ${who} (kms:ViaService secretsmanager.<region>.amazonaws.com) in that key's policy and ` +
        "GetSecretValue in the secret's resource policy yourself",
    );
  }
  if (target.replicaRegions.length > 0) {
    fail(
      `grantRead to ${who} would cover the primary secret only: the replicas in ` +
        `${target.replicaRegions.map(({ region }) => region).join(', ')} are encrypted with ` +
        'keys whose policies this app cannot write (aws/secretsmanager serves its own account only)',
    );
  }
}

/**
 * The principal's account when it is not the stack's, as far as synth can tell: a literal
 * account that differs, or a literal account beside the stack's unresolved one (an
 * environment-agnostic stack: its resource policies then name that account, which is right
 * whichever account the stack lands in). A principal whose account is unresolved (a role of an
 * environment-agnostic stack of the app) is taken to be of this account.
 */
function otherAccountOf(principal: iam.IPrincipal, scope: IConstruct): string | undefined {
  const account = accountOf(principal);
  if (account === undefined || Token.isUnresolved(account)) return undefined;
  const comparison = Token.compareStrings(Stack.of(scope).account, account);
  return comparison === TokenComparison.DIFFERENT || comparison === TokenComparison.ONE_UNRESOLVED
    ? account
    : undefined;
}

/** The principal's account: its own say, or the account of a literal IAM ARN. */
function accountOf(principal: iam.IPrincipal): string | undefined {
  if (principal.principalAccount !== undefined) return principal.principalAccount;
  if (principal instanceof iam.ArnPrincipal && !Token.isUnresolved(principal.arn)) {
    return /^arn:[a-z-]+:(?:iam|sts)::(\d{12}):/.exec(principal.arn)?.[1];
  }
  return undefined;
}

/** The principal as a message names it: a construct's path, an ARN, or CDK's description. */
function described(principal: iam.IPrincipal): string {
  if (Construct.isConstruct(principal)) return principal.node.path;
  if (principal instanceof iam.ArnPrincipal && !Token.isUnresolved(principal.arn)) {
    return principal.arn;
  }
  return principal instanceof iam.PrincipalBase ? principal.toString() : 'the principal';
}

function readableArns(scope: IConstruct, target: GrantTarget): string[] {
  return [
    target.secret.secretArn,
    ...target.replicaRegions.map(({ region }) =>
      replicaSecretArn(scope, target.secret.secretArn, region),
    ),
  ];
}

/** The stages JwtKeyRing reads: an application never holds the standby key before it signs. */
function onApplicationStages(): Record<string, Record<string, unknown>> {
  return { StringEquals: { 'secretsmanager:VersionStage': [...APPLICATION_STAGES] } };
}

function secretsManagerEndpoint(scope: IConstruct): string {
  return `secretsmanager.${Stack.of(scope).region}.amazonaws.com`;
}

/** A key made in this app, whose policy its grants can write (an imported key has none). */
function keyPolicyIsOurs(key: kms.IKey): boolean {
  return Resource.isOwnedResource(key);
}

/** Whether a statement in the key's stack may name the principal without a cross-stack reference. */
function inStackOf(key: kms.IKey, principal: iam.IPrincipal): boolean {
  return !Construct.isConstruct(principal) || Stack.of(principal) === Stack.of(key);
}
