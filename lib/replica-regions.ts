/**
 * Secrets Manager replicas of the key secret, for applications in other regions: each reads its
 * own region's replica, and keeps reading it when the primary region is down. The service
 * replicates every version and its staging labels; rotation runs in the primary region only
 * (a replica cannot rotate). A replica is encrypted with a KMS key the user names in its region,
 * or that region's AWS managed key `aws/secretsmanager`.
 */
import { Arn, ArnFormat, Aws, CfnRule, Fn, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { type Construct, type IConstruct } from 'constructs';

import { RotatingJwtKeyError } from './errors';

export interface JwtKeyReplicaRegion {
  /** The region of the replica, e.g. `eu-west-1`: not the stack's own region. */
  readonly region: string;
  /**
   * The ARN of a KMS key in that region that encrypts the replica. The construct grants it
   * through Secrets Manager in that region only: kms:Decrypt to `grantRead`'s grantees, and
   * kms:Encrypt and kms:GenerateDataKey to the rotation function (whose writes the service
   * replicates).
   * @default - the region's AWS managed key, aws/secretsmanager (no grant needed)
   */
  readonly kmsKeyArn?: string;
}

/** Region names as AWS spells them: us-east-1, eu-central-2, us-gov-west-1, ap-southeast-7. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** A KMS key ARN (not an alias: the key must be named for its grant). */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/;

/**
 * Throws RotatingJwtKeyError naming `scope` when a replica setting is wrong. The stack's own
 * region among the replicas is refused at synth when the stack's region is known; for an
 * environment-agnostic stack (this repository's app) it is known only at deploy, so the template
 * carries a CloudFormation Rule that fails the deploy before any resource changes
 * (replicaRegionsRule). The region the CLI would pick at synth (CDK_DEFAULT_REGION) is not
 * used: a synthesized template may be deployed to any region.
 */
export function validateReplicaRegions(
  replicas: readonly JwtKeyReplicaRegion[],
  scope: Construct,
): void {
  const fail = (message: string): never => {
    throw new RotatingJwtKeyError('ERR_REPLICA_REGION_INVALID', message, scope);
  };
  const primary = Stack.of(scope).region;
  const seen = new Set<string>();
  for (const { region, kmsKeyArn } of replicas) {
    if (Token.isUnresolved(region)) continue;
    if (typeof region !== 'string' || !REGION.test(region)) {
      fail(`replicaRegions: ${JSON.stringify(region)} is not a region name like eu-west-1`);
    }
    if (seen.has(region)) fail(`replicaRegions names ${region} twice`);
    seen.add(region);
    if (!Token.isUnresolved(primary) && region === primary) {
      fail(`replicaRegions: ${region} is the stack's own region, where the secret itself is`);
    }
    if (kmsKeyArn !== undefined && !Token.isUnresolved(kmsKeyArn)) {
      const match = KMS_KEY_ARN.exec(kmsKeyArn);
      if (match === null) {
        fail(
          `replicaRegions: the kmsKeyArn of ${region} must be a KMS key ARN ` +
            `(arn:aws:kms:${region}:<account>:key/<id>), got ${JSON.stringify(kmsKeyArn)}`,
        );
      } else if (match[1] !== region) {
        fail(
          `replicaRegions: the kmsKeyArn of ${region} is a key in ${match[1]}; a replica is ` +
            'encrypted with a key in its own region',
        );
      }
    }
  }
  if (Token.isUnresolved(primary) && replicas.length > 0) replicaRegionsRule(replicas, scope);
}

/**
 * A Rule (the template's Rules section, evaluated before CloudFormation creates or changes any
 * resource) asserting that the deploy's region (AWS::Region) is none of the replica regions:
 * otherwise the secret's creation would fail midway and roll back. Rules may use Fn::Not,
 * Fn::Contains and Ref to pseudo parameters.
 */
function replicaRegionsRule(replicas: readonly JwtKeyReplicaRegion[], scope: Construct): void {
  const regions = replicas.map(({ region }) => region);
  new CfnRule(scope, 'ReplicaRegionsRule', {
    assertions: [
      {
        assert: Fn.conditionNot(Fn.conditionContains(regions, Aws.REGION)),
        assertDescription:
          `replicaRegions of ${scope.node.path} (${regions.join(', ')}) must not name the ` +
          "stack's own region, where the secret itself is: deploy to another region or remove " +
          'that one from replicaRegions',
      },
    ],
  });
}

/**
 * The ARN of the replica in `region`: the secret's ARN with that region (Secrets Manager keeps
 * the name and its random suffix).
 */
export function replicaSecretArn(scope: IConstruct, secretArn: string, region: string): string {
  const { resourceName } = Arn.split(secretArn, ArnFormat.COLON_RESOURCE_NAME);
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    region,
    resource: 'secret',
    resourceName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** A statement on a replica's KMS key, usable through Secrets Manager in its region only. */
export function replicaKeyStatement(
  replica: JwtKeyReplicaRegion & { readonly kmsKeyArn: string },
  actions: string[],
  sid?: string,
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    ...(sid !== undefined && { sid }),
    actions,
    resources: [replica.kmsKeyArn],
    conditions: {
      StringEquals: { 'kms:ViaService': `secretsmanager.${replica.region}.amazonaws.com` },
    },
  });
}

export function withKey(
  replica: JwtKeyReplicaRegion,
): replica is JwtKeyReplicaRegion & { readonly kmsKeyArn: string } {
  return replica.kmsKeyArn !== undefined;
}
