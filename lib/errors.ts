/**
 * The one error class lib/ throws: a stable `code` that callers and tests switch on, and the
 * path of the construct at fault at the start of the message, as aws-cdk-lib's ValidationError
 * does (that class and its `lit` codes are internal to aws-cdk-lib, so this one is ours).
 *
 * @example
 * try {
 *   new RotatingJwtKey(this, 'JwtKey', { gracePeriod: Duration.days(100) });
 * } catch (error) {
 *   if (error instanceof RotatingJwtKeyError && error.code === 'ERR_GRACE_PERIOD_TOO_LONG') ...
 * }
 */
import { type IConstruct } from 'constructs';

export type RotatingJwtKeyErrorCode =
  /** `algorithm` is not one the construct makes keys for. */
  | 'ERR_ALGORITHM_UNSUPPORTED'
  /** `rsaModulusBits` is not 2048, 3072 or 4096. */
  | 'ERR_RSA_MODULUS_BITS_UNSUPPORTED'
  /** `rsaModulusBits` given with an algorithm other than RS256. */
  | 'ERR_RSA_MODULUS_BITS_WITHOUT_RSA'
  /** `rotationInterval` is outside Secrets Manager's 4 hours .. 1000 days. */
  | 'ERR_ROTATION_INTERVAL_OUT_OF_RANGE'
  /** `rotationInterval` is not a whole number of hours (a rate expression cannot say it). */
  | 'ERR_ROTATION_INTERVAL_NOT_WHOLE_HOURS'
  /** Two scheduled rotations could come inside one grace period. */
  | 'ERR_GRACE_PERIOD_TOO_LONG'
  /** Tokens signed just before a rotation would stop verifying before they expire. */
  | 'ERR_GRACE_PERIOD_TOO_SHORT'
  /** `maxTokenLifetime` without `appCachePeriod`, or the reverse. */
  | 'ERR_TOKEN_TIMING_INCOMPLETE'
  /** A standby key could be promoted before every verifier's key cache has seen it. */
  | 'ERR_VERIFIER_CACHE_TOO_LONG'
  /** `secretName` breaks Secrets Manager's name rules (1 to 512 of A-Z a-z 0-9 / _ + = . @ -). */
  | 'ERR_SECRET_NAME_INVALID'
  /**
   * `replicaRegions`: a malformed or duplicate region, the stack's own region, or a kmsKeyArn
   * that is no KMS key ARN in the replica's region.
   */
  | 'ERR_REPLICA_REGION_INVALID'
  /**
   * A grant that must go in the secret's and the key's resource policies (a principal of another
   * account, or one that holds no IAM policy) where the app cannot write them: an imported
   * encryption key, or replicas (encrypted with keys of their own regions).
   */
  | 'ERR_CROSS_ACCOUNT_GRANT_UNSUPPORTED'
  /** A grantee that holds no IAM policy and names no account (a service, `*`, an organization). */
  | 'ERR_GRANTEE_UNSUPPORTED'
  /** A CDK context setting of the app (`-c name=value`) has a value it cannot use. */
  | 'ERR_CONTEXT_INVALID'
  /** `keySetMaxAge` is not whole seconds up to a day, or exceeds `maxVerifierCacheTime`. */
  | 'ERR_KEY_SET_MAX_AGE_OUT_OF_RANGE'
  /** `domainName` without `certificate`, or the reverse. */
  | 'ERR_KEY_SET_DOMAIN_INCOMPLETE'
  /** `domainName` is not a host name. */
  | 'ERR_KEY_SET_DOMAIN_INVALID'
  /** `certificate` is not in us-east-1, where CloudFront takes its certificates. */
  | 'ERR_KEY_SET_CERTIFICATE_REGION'
  /** A published key set in a partition whose CloudFront lacks what it needs (aws-cn, aws-us-gov). */
  | 'ERR_KEY_SET_PARTITION_UNSUPPORTED'
  /** A key set setting given for an HMAC key, which is never published. */
  | 'ERR_KEY_SET_WITHOUT_ASYMMETRIC_KEY'
  /** A `verificationAlarms` entry has a bad application, threshold, period or repeats one. */
  | 'ERR_VERIFICATION_ALARM_INVALID'
  /** A verification metric's application is not a CloudWatch dimension value (ASCII, 1-255). */
  | 'ERR_VERIFICATION_METRIC_INVALID'
  /** A synthesized assembly does not hold exactly one bundled rotation function. */
  | 'ERR_BUNDLE_NOT_FOUND'
  /** `runtime` is not a Node.js runtime, or is older than Node.js 22. */
  | 'ERR_RUNTIME_UNSUPPORTED';

export class RotatingJwtKeyError extends Error {
  override readonly name = 'RotatingJwtKeyError';
  readonly code: RotatingJwtKeyErrorCode;
  /** The path of the construct at fault; undefined for errors no construct owns (context). */
  readonly constructPath: string | undefined;

  constructor(
    code: RotatingJwtKeyErrorCode,
    message: string,
    scope?: IConstruct,
    options?: ErrorOptions,
  ) {
    const path = scope?.node.path || undefined;
    super(path === undefined ? message : `${path}: ${message}`, options);
    this.code = code;
    this.constructPath = path;
  }
}
