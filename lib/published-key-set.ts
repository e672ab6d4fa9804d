/**
 * PublishedKeySet: the home of an asymmetric key's public key set. A private S3 bucket behind a
 * CloudFront distribution (origin access control, HTTPS only) that serves
 * `/.well-known/jwks.json` and `/.well-known/openid-configuration`; the rotation function writes
 * both (grantPublish) and invalidates them when a key leaves. RotatingJwtKey makes one for ES256,
 * EdDSA and RS256 keys.
 *
 * Choices, and why:
 * - SSE-S3 encryption: origin access control reads SSE-S3 objects with no KMS key policy work,
 *   and the documents are public: a customer-managed key would protect nothing.
 * - Not versioned: the set is derived state, rewritten whole from the secret at every change
 *   and at least every 5 minutes by the retirement check; an old version restores nothing the
 *   next write would keep. The function's logs record the kids of every set it writes.
 * - Removal: the construct's removalPolicy (RETAIN by default, as for the secret). DESTROY also
 *   empties the bucket on delete (autoDeleteObjects): the documents are public and rebuilt
 *   from the secret, and CloudFormation cannot delete a bucket that holds objects.
 * - A cache policy with min TTL 0 that follows the origin's Cache-Control max-age, so the
 *   function's max-age bounds the edge cache too, and a query string cannot bypass the cache.
 * - Access logs (S3 server access logs and CloudFront standard logs) go to a log bucket of
 *   its own: who fetches the keys, and how often, is what "seeing unusual activity" looks at.
 */
import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { TARGET_PARTITIONS } from 'aws-cdk-lib/cx-api';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';

import { FUNCTION_ENVIRONMENT, KEY_SET_DOCUMENTS, MAX_KEY_SET_MAX_AGE_SECONDS } from '../contract';

import { RotatingJwtKeyError } from './errors';
import { warn } from './warnings';

export interface PublishedKeySetProps {
  /** Cache-Control max-age of both documents (CloudFront and verifiers). */
  readonly maxAge: Duration;
  /** A domain of the user's serving the key set (then the issuer); needs `certificate`. */
  readonly domainName?: string;
  /** An ACM certificate in us-east-1 (CloudFront's requirement) covering `domainName`. */
  readonly certificate?: acm.ICertificate;
  readonly removalPolicy: RemovalPolicy;
}

/** Where the access logs of the key set go, by source. */
const LOG_PREFIXES = { bucket: 's3-access/', distribution: 'cloudfront/' } as const;
/** How long access logs are kept: as long as the rotation function's logs. */
const LOG_RETENTION = Duration.days(365);
/** The longest max-age CloudFront may keep a document for, whatever the origin says. */
const EDGE_MAX_TTL = Duration.seconds(MAX_KEY_SET_MAX_AGE_SECONDS);

export class PublishedKeySet extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://` and the distribution's domain (or the custom domain): tokens' `iss`. */
  readonly issuer: string;
  /** The issuer's `/.well-known/jwks.json`. */
  readonly jwksUri: string;
  readonly maxAge: Duration;

  constructor(scope: Construct, id: string, props: PublishedKeySetProps) {
    super(scope, id);
    this.maxAge = props.maxAge;
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      // CloudFront's standard logs are delivered with an ACL grant to the log delivery account.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: LOG_RETENTION }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });
    this.bucket = new s3.Bucket(this, 'Resource', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: LOG_PREFIXES.bucket,
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });
    const cachePolicy = new cloudfront.CachePolicy(this, 'CachePolicy', {
      comment: 'JWKS and OpenID discovery: the origin Cache-Control max-age decides',
      minTtl: Duration.seconds(0),
      defaultTtl: props.maxAge,
      maxTtl: EDGE_MAX_TTL,
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Published JWT verification keys (JWKS and OpenID discovery)',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        cachePolicy,
        compress: true,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: LOG_PREFIXES.distribution,
      ...(props.domainName !== undefined &&
        props.certificate !== undefined && {
          domainNames: [props.domainName],
          certificate: props.certificate,
          minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
        }),
    });
    this.issuer = `https://${props.domainName ?? this.distribution.distributionDomainName}`;
    this.jwksUri = `${this.issuer}${KEY_SET_DOCUMENTS.jwks.path}`;
  }

  /**
   * What the writer needs, exactly: s3:PutObject on the two documents' keys (no read, no list:
   * it rewrites the set whole) and cloudfront:CreateInvalidation on this distribution.
   */
  grantPublish(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject'],
      resourceArns: Object.values(KEY_SET_DOCUMENTS).map(({ objectKey }) =>
        this.bucket.arnForObjects(objectKey),
      ),
    });
    this.distribution.grantCreateInvalidation(grantee);
  }

  /** The writer's environment: where to write, what to invalidate, the issuer, the max-age. */
  functionEnvironment(): Record<string, string> {
    const seconds = this.maxAge.toSeconds();
    return {
      [FUNCTION_ENVIRONMENT.keySetBucket]: this.bucket.bucketName,
      [FUNCTION_ENVIRONMENT.keySetDistributionId]: this.distribution.distributionId,
      [FUNCTION_ENVIRONMENT.keySetIssuer]: this.issuer,
      [FUNCTION_ENVIRONMENT.keySetMaxAgeSeconds]: Token.isUnresolved(seconds)
        ? Token.asString(seconds)
        : String(seconds),
    };
  }
}

/** `keys.example.com`: lower-case labels of letters, digits and hyphens, no scheme or path. */
const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * Checks the key set's settings at synth (tokens are skipped): a max-age of whole seconds up to
 * a day and no longer than the verifier cache the user states, and a custom domain given with
 * its certificate, which CloudFront takes only from us-east-1.
 */
export function validateKeySetSettings(
  settings: {
    readonly maxAge: Duration;
    readonly maxVerifierCacheTime: Duration | undefined;
    readonly domainName?: string;
    readonly certificate?: acm.ICertificate;
  },
  scope: Construct,
): void {
  const fail = (code: ConstructorParameters<typeof RotatingJwtKeyError>[0], message: string) => {
    throw new RotatingJwtKeyError(code, message, scope);
  };
  const maxAge = settings.maxAge.toSeconds({ integral: false });
  if (!Token.isUnresolved(maxAge)) {
    if (!Number.isInteger(maxAge) || maxAge > EDGE_MAX_TTL.toSeconds()) {
      fail(
        'ERR_KEY_SET_MAX_AGE_OUT_OF_RANGE',
        `keySetMaxAge must be whole seconds from 0 to 1 day (86400), got ${maxAge} seconds`,
      );
    }
    const cache = settings.maxVerifierCacheTime?.toSeconds();
    if (cache !== undefined && !Token.isUnresolved(cache) && maxAge > cache) {
      fail(
        'ERR_KEY_SET_MAX_AGE_OUT_OF_RANGE',
        `keySetMaxAge must not exceed maxVerifierCacheTime (${settings.maxVerifierCacheTime?.toHumanString()}), ` +
          `got ${settings.maxAge.toHumanString()}: verifiers honouring it would cache the keys longer than stated`,
      );
    }
  }
  const { domainName, certificate } = settings;
  if ((domainName === undefined) !== (certificate === undefined)) {
    fail(
      'ERR_KEY_SET_DOMAIN_INCOMPLETE',
      "domainName and certificate (the key set's custom domain) go together: give both or neither",
    );
  }
  if (
    domainName !== undefined &&
    !Token.isUnresolved(domainName) &&
    !DOMAIN_NAME.test(domainName)
  ) {
    fail(
      'ERR_KEY_SET_DOMAIN_INVALID',
      `domainName must be a lower-case host name (no scheme, path or trailing dot), got ${JSON.stringify(domainName)}`,
    );
  }
  validateKeySetPartition(scope);
  if (certificate !== undefined) {
    const region = certificateRegion(certificate);
    if (region !== undefined && region !== 'us-east-1') {
      fail(
        'ERR_KEY_SET_CERTIFICATE_REGION',
        `certificate must be an ACM certificate in us-east-1 (CloudFront uses no other), got one in ${region}`,
      );
    }
  }
}

/**
 * Partitions whose CloudFront lacks what the key set is made of (CloudFormation's own resource
 * type lists per region say so): the China regions have no origin access control, AWS GovCloud
 * (US) has no CloudFront distribution, cache policy or origin access control.
 */
const PARTITIONS_WITHOUT_KEY_SET: Readonly<Record<string, string>> = {
  'aws-cn': 'no CloudFront origin access control',
  'aws-us-gov': 'no CloudFront distribution, cache policy or origin access control',
};

/**
 * Refuses a key set in a stack whose region is in such a partition. An environment-agnostic
 * stack's partition is known only at deploy; if the app declares it targets such a partition
 * (`@aws-cdk/core:target-partitions`, the list CDK's region lookups use) that is a warning:
 * CloudFormation's resource types for that region lack the key set's, so the deploy fails there.
 */
function validateKeySetPartition(scope: Construct): void {
  const region = Stack.of(scope).region;
  const serves =
    'the published key set (ES256, EdDSA, RS256) is served by CloudFront with origin access ' +
    'control and a cache policy';
  if (!Token.isUnresolved(region)) {
    const partition = RegionInfo.get(region).partition;
    const lacks = partition === undefined ? undefined : PARTITIONS_WITHOUT_KEY_SET[partition];
    if (partition !== undefined && lacks !== undefined) {
      throw new RotatingJwtKeyError(
        'ERR_KEY_SET_PARTITION_UNSUPPORTED',
        `${serves}, and the stack's region ${region} is in the ${partition} partition, which has ` +
          `${lacks}: use an HMAC algorithm there, or deploy the key in the aws partition`,
        scope,
      );
    }
    return;
  }
  const targets: unknown = scope.node.tryGetContext(TARGET_PARTITIONS);
  const unsupported = (Array.isArray(targets) ? targets : []).filter(
    (partition): partition is string =>
      typeof partition === 'string' && Object.hasOwn(PARTITIONS_WITHOUT_KEY_SET, partition),
  );
  if (unsupported.length > 0) {
    warn(
      scope,
      'keySetTargetPartition',
      `the app targets ${unsupported.join(' and ')} (${TARGET_PARTITIONS}), where the published ` +
        `key set (ES256, EdDSA, RS256) cannot be deployed: ` +
        unsupported
          .map((partition) => `${partition} has ${PARTITIONS_WITHOUT_KEY_SET[partition] ?? ''}`)
          .join(', ') +
        ". The stack's region is known only at deploy, and a deploy there fails: CloudFormation " +
        'has no such resource types in those regions',
    );
  }
}

/**
 * The certificate's region when synth can tell: an imported certificate's ARN says it, one made
 * in the app lives in its stack's region (unknown for an environment-agnostic stack).
 */
function certificateRegion(certificate: acm.ICertificate): string | undefined {
  const arn = certificate.certificateArn;
  if (!Token.isUnresolved(arn)) return arn.split(':')[3];
  const region = Stack.of(certificate).region;
  return Token.isUnresolved(region) ? undefined : region;
}
