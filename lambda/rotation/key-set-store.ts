/**
 * Where the published key set lives: two objects in S3, served by CloudFront. Behind a small
 * interface, so the publication logic is tested without the network as well as end to end.
 * The function holds s3:PutObject on those two object keys and cloudfront:CreateInvalidation on
 * its distribution, nothing else: it never reads the set back, it rewrites it whole.
 */
import { type CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

import { type KeySetObject } from './key-set';

export interface KeySetStore {
  /** Writes one document (PutObject: the whole object, replaced). */
  put(object: KeySetObject, cacheControl: string): Promise<void>;
  /**
   * Invalidates the paths in CloudFront. The same callerReference with the same paths creates
   * nothing new (CloudFront returns the invalidation made the first time), so a retried step
   * passes the same one. Resolves with the invalidation's id.
   */
  invalidate(paths: readonly string[], callerReference: string): Promise<string | undefined>;
}

export class SdkKeySetStore implements KeySetStore {
  constructor(
    private readonly s3: S3Client,
    private readonly cloudFront: CloudFrontClient,
    private readonly target: { readonly bucketName: string; readonly distributionId: string },
  ) {}

  async put(object: KeySetObject, cacheControl: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.target.bucketName,
        Key: object.objectKey,
        Body: object.body,
        ContentType: 'application/json',
        CacheControl: cacheControl,
      }),
    );
  }

  async invalidate(paths: readonly string[], callerReference: string): Promise<string | undefined> {
    const output = await this.cloudFront.send(
      new CreateInvalidationCommand({
        DistributionId: this.target.distributionId,
        InvalidationBatch: {
          CallerReference: callerReference,
          Paths: { Quantity: paths.length, Items: [...paths] },
        },
      }),
    );
    return output.Invalidation?.Id;
  }
}
