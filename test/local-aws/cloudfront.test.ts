/**
 * Contract tests for the local CloudFront invalidation API, written from CloudFront's API
 * reference (2020-05-31) and driven through the real @aws-sdk/client-cloudfront.
 */
import {
  CloudFrontClient,
  CreateInvalidationCommand,
  GetInvalidationCommand,
  ListInvalidationsCommand,
} from '@aws-sdk/client-cloudfront';

import { type Distribution, type LocalAws, startLocalAws } from '../../local-aws';

const PATHS = ['/.well-known/jwks.json', '/.well-known/openid-configuration'];

describe('local CloudFront', () => {
  let local: LocalAws;
  let cloudFront: CloudFrontClient;
  let distribution: Distribution;
  let now: number;

  beforeEach(async () => {
    now = Date.UTC(2026, 0, 1, 12);
    local = await startLocalAws({ clock: () => now });
    cloudFront = new CloudFrontClient(local.clientConfig({ maxAttempts: 1 }));
    local.createBucket('jwks-bucket');
    distribution = local.createDistribution({ bucket: 'jwks-bucket' });
  });

  afterEach(async () => {
    cloudFront.destroy();
    await local.close();
  });

  function invalidate(callerReference: string, items: string[] = PATHS, quantity = items.length) {
    return cloudFront.send(
      new CreateInvalidationCommand({
        DistributionId: distribution.id,
        InvalidationBatch: {
          CallerReference: callerReference,
          Paths: { Quantity: quantity, Items: items },
        },
      }),
    );
  }

  it('registers distributions with an id, an ARN, a CloudFront domain name and a URL of their own', () => {
    const other = local.createDistribution({ bucket: 'jwks-bucket' });
    expect(distribution.id).toMatch(/^E[A-Z0-9]{13}$/);
    expect(distribution.arn).toBe(
      `arn:aws:cloudfront::123456789012:distribution/${distribution.id}`,
    );
    expect(distribution.domainName).toMatch(/^d[a-z0-9]+\.cloudfront\.net$/);
    expect(distribution.url).toBe(`${local.endpoint}/cf/${distribution.id}`);
    expect(other.url).not.toBe(distribution.url);
  });

  it('fails when a TTL setting is out of order', () => {
    expect(() =>
      local.createDistribution({
        bucket: 'jwks-bucket',
        minTtlSeconds: 600,
        defaultTtlSeconds: 60,
      }),
    ).toThrow('TTLs must satisfy min <= default <= max, got 600 / 60 / 31536000');
  });

  describe('CreateInvalidation', () => {
    it('answers 201 with a Location and the invalidation: Id, InProgress, CreateTime, the batch', async () => {
      // WHEN
      const created = await invalidate('rotation-1');

      // THEN
      expect(created.$metadata.httpStatusCode).toBe(201);
      const id = created.Invalidation!.Id!;
      expect(id).toMatch(/^I[A-Z0-9]+$/);
      expect(created.Location).toBe(
        `https://cloudfront.amazonaws.com/2020-05-31/distribution/${distribution.id}/invalidation/${id}`,
      );
      expect(created.Invalidation).toEqual({
        Id: id,
        Status: 'InProgress',
        CreateTime: new Date(now),
        InvalidationBatch: {
          CallerReference: 'rotation-1',
          Paths: { Quantity: 2, Items: PATHS },
        },
      });
    });

    it('returns the earlier invalidation for the same CallerReference and paths', async () => {
      const first = await invalidate('rotation-1');
      const again = await invalidate('rotation-1', [...PATHS].reverse());
      expect(again.Invalidation!.Id).toBe(first.Invalidation!.Id);
      const list = await cloudFront.send(
        new ListInvalidationsCommand({ DistributionId: distribution.id }),
      );
      expect(list.InvalidationList!.Quantity).toBe(1);
    });

    it('fails for the same CallerReference with other paths, with InvalidationBatchAlreadyExists', async () => {
      await invalidate('rotation-1');
      await expect(invalidate('rotation-1', ['/other'])).rejects.toMatchObject({
        name: 'InvalidationBatchAlreadyExists',
        $metadata: { httpStatusCode: 400 },
      });
    });

    it('fails when Quantity differs from the number of paths, with InconsistentQuantities', async () => {
      await expect(invalidate('r', PATHS, 3)).rejects.toMatchObject({
        name: 'InconsistentQuantities',
        $metadata: { httpStatusCode: 400 },
      });
    });

    it.each([
      ['no leading slash', '.well-known/jwks.json'],
      ['a wildcard inside', '/.well-known/*.json'],
    ])('fails for a path with %s, with InvalidArgument', async (_, path) => {
      await expect(invalidate('r', [path])).rejects.toMatchObject({
        name: 'InvalidArgument',
        $metadata: { httpStatusCode: 400 },
      });
    });

    it('fails for an unknown distribution, with NoSuchDistribution (404)', async () => {
      await expect(
        cloudFront.send(
          new CreateInvalidationCommand({
            DistributionId: 'E000000000000',
            InvalidationBatch: { CallerReference: 'r', Paths: { Quantity: 1, Items: ['/a'] } },
          }),
        ),
      ).rejects.toMatchObject({ name: 'NoSuchDistribution', $metadata: { httpStatusCode: 404 } });
    });

    it('fails with an injected InternalError as many times as asked, creating nothing', async () => {
      // GIVEN
      local.faults.inject({ operation: 'CreateInvalidation', times: 1 });

      // WHEN / THEN
      await expect(invalidate('rotation-1')).rejects.toMatchObject({
        name: 'InternalError',
        $metadata: { httpStatusCode: 500 },
      });
      const list = await cloudFront.send(
        new ListInvalidationsCommand({ DistributionId: distribution.id }),
      );
      expect(list.InvalidationList!.Quantity).toBe(0);
      await expect(invalidate('rotation-1')).resolves.toMatchObject({
        Invalidation: { Status: 'InProgress' },
      });
    });

    it('matches a fault on the batch: CallerReference and Paths', async () => {
      local.faults.inject({
        operation: 'CreateInvalidation',
        error: 'ServiceUnavailable',
        when: (input) => input.CallerReference === 'retire-1',
      });
      await expect(invalidate('rotation-1')).resolves.toBeDefined();
      await expect(invalidate('retire-1')).rejects.toMatchObject({
        $metadata: { httpStatusCode: 503 },
      });
      expect(
        local.calls
          .filter((call) => call.service === 'cloudfront')
          .map((call) => [call.operation, call.distributionId]),
      ).toEqual([
        ['CreateInvalidation', distribution.id],
        ['CreateInvalidation', distribution.id],
      ]);
    });
  });

  describe('GetInvalidation and ListInvalidations', () => {
    it('reads an invalidation back, Completed: it took effect at once', async () => {
      const created = await invalidate('rotation-1');
      const read = await cloudFront.send(
        new GetInvalidationCommand({
          DistributionId: distribution.id,
          Id: created.Invalidation!.Id,
        }),
      );
      expect(read.Invalidation).toMatchObject({
        Id: created.Invalidation!.Id,
        Status: 'Completed',
        InvalidationBatch: created.Invalidation!.InvalidationBatch,
      });
    });

    it('fails for an unknown invalidation, with NoSuchInvalidation (404)', async () => {
      await expect(
        cloudFront.send(
          new GetInvalidationCommand({ DistributionId: distribution.id, Id: 'INOPE' }),
        ),
      ).rejects.toMatchObject({ name: 'NoSuchInvalidation', $metadata: { httpStatusCode: 404 } });
    });

    it('lists newest first, in pages of MaxItems', async () => {
      const ids: string[] = [];
      for (const reference of ['r1', 'r2', 'r3']) {
        now += 1000;
        ids.push((await invalidate(reference)).Invalidation!.Id!);
      }
      const first = await cloudFront.send(
        new ListInvalidationsCommand({ DistributionId: distribution.id, MaxItems: 2 }),
      );
      expect(first.InvalidationList).toMatchObject({
        IsTruncated: true,
        Quantity: 2,
        NextMarker: ids[1],
      });
      expect(first.InvalidationList!.Items!.map((item) => item.Id)).toEqual([ids[2], ids[1]]);
      const second = await cloudFront.send(
        new ListInvalidationsCommand({
          DistributionId: distribution.id,
          MaxItems: 2,
          Marker: first.InvalidationList!.NextMarker,
        }),
      );
      expect(second.InvalidationList).toMatchObject({ IsTruncated: false, Quantity: 1 });
      expect(second.InvalidationList!.Items!.map((item) => item.Id)).toEqual([ids[0]]);
    });
  });
});
