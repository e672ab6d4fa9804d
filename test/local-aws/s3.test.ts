/**
 * Contract tests for the local S3, written from S3's API reference and driven through the real
 * @aws-sdk/client-s3 (path-style, flexible checksums on as the SDK defaults them): what the
 * rotation Lambda's key set writes rely on, and the integrity checks S3 applies to uploads.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';

import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';

import { type LocalAws, startLocalAws } from '../../local-aws';
import { computeChecksum } from '../../local-aws/checksums';

const BUCKET = 'jwks-bucket';
const KEY = '.well-known/jwks.json';
const JWKS = '{"keys":[]}';

describe('local S3', () => {
  let local: LocalAws;
  let s3: S3Client;
  let now: number;

  beforeEach(async () => {
    now = Date.UTC(2026, 0, 1, 12, 0, 0, 500);
    local = await startLocalAws({ clock: () => now });
    s3 = new S3Client(local.s3ClientConfig({ maxAttempts: 1 }));
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  afterEach(async () => {
    s3.destroy();
    await local.close();
  });

  async function put(body: string, extra: Partial<PutObjectCommand['input']> = {}) {
    return s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: KEY,
        Body: body,
        ContentType: 'application/json',
        CacheControl: 'max-age=300',
        ...extra,
      }),
    );
  }

  /** A raw signed-looking PUT, for request shapes the SDK never sends. */
  function rawPut(
    path: string,
    headers: Record<string, string>,
    body: Buffer,
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        `${local.endpoint}${path}`,
        {
          method: 'PUT',
          headers: {
            authorization:
              'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00',
            'content-length': String(body.length),
            ...headers,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  describe('PutObject and GetObject', () => {
    it('stores the bytes with Content-Type, Cache-Control, an MD5 ETag and Last-Modified', async () => {
      // GIVEN / WHEN
      const written = await put(JWKS);
      const read = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));

      // THEN
      const md5 = createHash('md5').update(JWKS).digest('hex');
      expect(written.ETag).toBe(`"${md5}"`);
      expect(await read.Body!.transformToString()).toBe(JWKS);
      expect(read).toMatchObject({
        ContentType: 'application/json',
        CacheControl: 'max-age=300',
        ContentLength: JWKS.length,
        ETag: `"${md5}"`,
        // HTTP dates carry whole seconds
        LastModified: new Date(Date.UTC(2026, 0, 1, 12, 0, 0)),
      });
    });

    it('verifies and returns the CRC32 the SDK computes by default', async () => {
      // GIVEN / WHEN
      const written = await put(JWKS);
      const read = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: KEY, ChecksumMode: 'ENABLED' }),
      );

      // THEN the same value, which the SDK checked against the bytes it downloaded
      expect(written.ChecksumCRC32).toBe(computeChecksum('CRC32', Buffer.from(JWKS)));
      expect(read.ChecksumCRC32).toBe(written.ChecksumCRC32);
      expect(await read.Body!.transformToString()).toBe(JWKS);
    });

    it.each(['CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as const)(
      'accepts a %s checksum and returns it on read',
      async (algorithm) => {
        // GIVEN / WHEN
        await put(JWKS, { ChecksumAlgorithm: algorithm });
        const read = await s3.send(
          new GetObjectCommand({ Bucket: BUCKET, Key: KEY, ChecksumMode: 'ENABLED' }),
        );

        // THEN
        expect(read[`Checksum${algorithm}`]).toBe(computeChecksum(algorithm, Buffer.from(JWKS)));
        expect(await read.Body!.transformToString()).toBe(JWKS);
      },
    );

    it('decodes an aws-chunked upload of a stream body, verifying its trailing checksum', async () => {
      // GIVEN a stream body: the SDK sends aws-chunked with a trailing x-amz-checksum-crc32
      const parts = ['{"keys":', '[{"kid":"a"}', ']}'];

      // WHEN
      const written = await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: KEY,
          Body: Readable.from(parts.map((part) => Buffer.from(part))),
          ContentLength: parts.join('').length,
          ContentType: 'application/json',
        }),
      );

      // THEN the object is the decoded bytes, without aws-chunked as its encoding
      const stored = local.readObject(BUCKET, KEY)!;
      expect(stored.body.toString()).toBe(parts.join(''));
      expect(stored.headers['content-encoding']).toBeUndefined();
      expect(written.ChecksumCRC32).toBe(computeChecksum('CRC32', Buffer.from(parts.join(''))));
    });

    it('keeps a Content-Encoding given beside aws-chunked', async () => {
      // GIVEN / WHEN
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: KEY,
          Body: Readable.from([Buffer.from('compressed')]),
          ContentLength: 10,
          ContentEncoding: 'gzip',
        }),
      );

      // THEN
      expect(local.readObject(BUCKET, KEY)!.headers['content-encoding']).toBe('gzip');
    });

    it('computes CRC64NVME for an object uploaded without a checksum', async () => {
      // GIVEN a client that sends checksums only when an operation requires them
      const plain = new S3Client({
        ...local.s3ClientConfig({ maxAttempts: 1 }),
        requestChecksumCalculation: 'WHEN_REQUIRED',
      });
      await plain.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: JWKS }));
      plain.destroy();

      // WHEN
      const read = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: KEY, ChecksumMode: 'ENABLED' }),
      );

      // THEN
      expect(read.ChecksumCRC64NVME).toBe(computeChecksum('CRC64NVME', Buffer.from(JWKS)));
    });

    it('stores binary/octet-stream when the request has no Content-Type', async () => {
      const answer = await rawPut(
        `/${BUCKET}/${KEY}`,
        { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        Buffer.from(JWKS),
      );
      expect(answer.status).toBe(200);
      expect(local.readObject(BUCKET, KEY)?.headers['content-type']).toBe('binary/octet-stream');
    });

    it('replaces the object on a second write', async () => {
      await put('first');
      now += 5_000;
      await put('second', { CacheControl: 'max-age=60' });
      const read = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
      expect(await read.Body!.transformToString()).toBe('second');
      expect(read.CacheControl).toBe('max-age=60');
      expect(read.LastModified).toEqual(new Date(Date.UTC(2026, 0, 1, 12, 0, 5)));
    });

    it('uploads a stream body without a checksum when the client sends one only if required', async () => {
      // GIVEN
      const plain = new S3Client({
        ...local.s3ClientConfig({ maxAttempts: 1 }),
        requestChecksumCalculation: 'WHEN_REQUIRED',
      });

      // WHEN
      await plain.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: KEY,
          Body: Readable.from([Buffer.from(JWKS)]),
          ContentLength: JWKS.length,
        }),
      );
      plain.destroy();

      // THEN
      expect(local.readObject(BUCKET, KEY)?.body.toString()).toBe(JWKS);
    });

    it('writes conditionally: If-None-Match * only a new key, If-Match only over that ETag', async () => {
      // GIVEN
      const { ETag } = await put(JWKS, { IfNoneMatch: '*' });

      // WHEN / THEN
      await expect(put('again', { IfNoneMatch: '*' })).rejects.toMatchObject({
        name: 'PreconditionFailed',
        $metadata: { httpStatusCode: 412 },
      });
      await expect(put('stale', { IfMatch: '"0123"' })).rejects.toMatchObject({
        name: 'PreconditionFailed',
      });
      await put('next', { IfMatch: ETag });
      expect(local.readObject(BUCKET, KEY)?.body.toString()).toBe('next');
      await expect(
        s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'new', Body: 'x', IfMatch: ETag })),
      ).rejects.toMatchObject({ name: 'NoSuchKey' });
    });

    it('fails when the expected bucket owner is another account, with AccessDenied (403)', async () => {
      await expect(put(JWKS, { ExpectedBucketOwner: '111122223333' })).rejects.toMatchObject({
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
      await expect(put(JWKS, { ExpectedBucketOwner: '123456789012' })).resolves.toBeDefined();
    });

    it('answers a conditional GET: 304 for a current ETag, 412 for a stale If-Match', async () => {
      const { ETag } = await put(JWKS);
      await expect(
        s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY, IfNoneMatch: ETag })),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
      await expect(
        s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY, IfMatch: '"0000"' })),
      ).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    });
  });

  describe('integrity checks on upload', () => {
    it('fails when the x-amz-checksum value does not match the body, with BadDigest', async () => {
      // GIVEN a checksum of other bytes
      const wrong = computeChecksum('CRC32', Buffer.from('other'));

      // WHEN / THEN
      await expect(put(JWKS, { ChecksumCRC32: wrong })).rejects.toMatchObject({
        name: 'BadDigest',
        $metadata: { httpStatusCode: 400 },
      });
      expect(local.readObject(BUCKET, KEY)).toBeUndefined();
    });

    it('fails when a trailing checksum does not match the chunks, with BadDigest', async () => {
      // GIVEN an aws-chunked body whose trailer is the CRC32 of other bytes
      const body = Buffer.from(
        `5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${computeChecksum('CRC32', Buffer.from('world'))}\r\n\r\n`,
      );

      // WHEN
      const answer = await rawPut(
        `/${BUCKET}/${KEY}`,
        {
          'content-encoding': 'aws-chunked',
          'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
          'x-amz-decoded-content-length': '5',
          'x-amz-trailer': 'x-amz-checksum-crc32',
          'x-amz-sdk-checksum-algorithm': 'CRC32',
        },
        body,
      );

      // THEN
      expect(answer.status).toBe(400);
      expect(answer.body).toContain('<Code>BadDigest</Code>');
      expect(local.readObject(BUCKET, KEY)).toBeUndefined();
    });

    it.each([
      [
        'a decoded length that differs from the chunks',
        { 'x-amz-decoded-content-length': '6' },
        'IncompleteBody',
      ],
      [
        'a declared trailer missing',
        { 'x-amz-trailer': 'x-amz-checksum-sha256' },
        'MalformedTrailerError',
      ],
    ])('fails an aws-chunked body with %s', async (_, overrides, code) => {
      const body = Buffer.from(
        `5\r\nhello\r\n0\r\nx-amz-checksum-crc32:${computeChecksum('CRC32', Buffer.from('hello'))}\r\n\r\n`,
      );
      const answer = await rawPut(
        `/${BUCKET}/${KEY}`,
        {
          'content-encoding': 'aws-chunked',
          'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
          'x-amz-decoded-content-length': '5',
          'x-amz-trailer': 'x-amz-checksum-crc32',
          ...overrides,
        },
        body,
      );
      expect(answer.status).toBe(400);
      expect(answer.body).toContain(`<Code>${code}</Code>`);
    });

    it('fails when Content-MD5 does not match the body, with BadDigest', async () => {
      const md5OfOther = createHash('md5').update('other').digest('base64');
      await expect(put(JWKS, { ContentMD5: md5OfOther })).rejects.toMatchObject({
        name: 'BadDigest',
      });
    });

    it('fails when Content-MD5 is not a base64 MD5, with InvalidDigest', async () => {
      await expect(put(JWKS, { ContentMD5: 'not-an-md5' })).rejects.toMatchObject({
        name: 'InvalidDigest',
      });
    });

    it('accepts a matching Content-MD5', async () => {
      const md5 = createHash('md5').update(JWKS).digest('base64');
      await expect(put(JWKS, { ContentMD5: md5 })).resolves.toMatchObject({
        ETag: `"${Buffer.from(md5, 'base64').toString('hex')}"`,
      });
    });

    it('fails when x-amz-content-sha256 does not match the body, with XAmzContentSHA256Mismatch', async () => {
      const answer = await rawPut(
        `/${BUCKET}/${KEY}`,
        { 'x-amz-content-sha256': createHash('sha256').update('other').digest('hex') },
        Buffer.from(JWKS),
      );
      expect(answer.status).toBe(400);
      expect(answer.body).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    });

    it.each([
      [
        'two checksum values',
        {
          'x-amz-checksum-crc32': computeChecksum('CRC32', Buffer.from(JWKS)),
          'x-amz-checksum-sha1': computeChecksum('SHA1', Buffer.from(JWKS)),
        },
      ],
      ['an algorithm without its value', { 'x-amz-sdk-checksum-algorithm': 'SHA256' }],
      ['a value that is no CRC32', { 'x-amz-checksum-crc32': 'AAAA' }],
    ])('fails a request with %s, with InvalidRequest', async (_, headers) => {
      const answer = await rawPut(
        `/${BUCKET}/${KEY}`,
        { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers },
        Buffer.from(JWKS),
      );
      expect(answer.status).toBe(400);
      expect(answer.body).toContain('<Code>InvalidRequest</Code>');
    });
  });

  describe('errors', () => {
    it('GetObject of a missing key fails with NoSuchKey (404)', async () => {
      await expect(
        s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'missing' })),
      ).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    });

    it('HeadObject of a missing key answers 404 without a body (the SDK names it NotFound)', async () => {
      await expect(
        s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'missing' })),
      ).rejects.toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    });

    it.each([
      ['PutObject', () => new PutObjectCommand({ Bucket: 'no-such-bucket', Key: KEY, Body: JWKS })],
      ['GetObject', () => new GetObjectCommand({ Bucket: 'no-such-bucket', Key: KEY })],
      ['DeleteObject', () => new DeleteObjectCommand({ Bucket: 'no-such-bucket', Key: KEY })],
    ])('%s in a missing bucket fails with NoSuchBucket (404)', async (_, command) => {
      await expect(s3.send(command())).rejects.toMatchObject({
        name: 'NoSuchBucket',
        $metadata: { httpStatusCode: 404 },
      });
    });

    it.each([
      ['ListObjectsV2', () => s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))],
      [
        'CopyObject',
        () =>
          s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'b', CopySource: `${BUCKET}/a` })),
      ],
    ])(
      '%s, which local-aws does not implement, fails with NotImplemented (501)',
      async (_, command) => {
        await expect(command()).rejects.toMatchObject({
          name: 'NotImplemented',
          $metadata: { httpStatusCode: 501 },
        });
      },
    );

    it('CreateBucket with an invalid name fails with InvalidBucketName', async () => {
      await expect(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' }))).rejects.toMatchObject({
        name: 'InvalidBucketName',
      });
    });

    it('CreateBucket of a bucket you own succeeds in us-east-1 and keeps its objects', async () => {
      await put(JWKS);
      await expect(s3.send(new CreateBucketCommand({ Bucket: BUCKET }))).resolves.toBeDefined();
      expect(local.readObject(BUCKET, KEY)?.body.toString()).toBe(JWKS);
    });
  });

  describe('HeadObject and DeleteObject', () => {
    it('HeadObject answers the headers of GetObject', async () => {
      const { ETag } = await put(JWKS);
      await expect(
        s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY })),
      ).resolves.toMatchObject({
        ContentType: 'application/json',
        CacheControl: 'max-age=300',
        ContentLength: JWKS.length,
        ETag,
      });
    });

    it('DeleteObject removes the object and succeeds again when it is gone', async () => {
      await put(JWKS);
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY }));
      await expect(
        s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: KEY })),
      ).resolves.toMatchObject({
        $metadata: { httpStatusCode: 204 },
      });
      expect(local.readObject(BUCKET, KEY)).toBeUndefined();
    });
  });

  describe('faults and calls', () => {
    it('fails PutObject with an injected InternalError (500) as many times as asked, then writes', async () => {
      // GIVEN
      local.faults.inject({ operation: 'PutObject', times: 2 });

      // WHEN / THEN
      await expect(put(JWKS)).rejects.toMatchObject({
        name: 'InternalError',
        $metadata: { httpStatusCode: 500 },
      });
      await expect(put(JWKS)).rejects.toMatchObject({ name: 'InternalError' });
      expect(local.readObject(BUCKET, KEY)).toBeUndefined();
      await put(JWKS);
      expect(local.readObject(BUCKET, KEY)?.body.toString()).toBe(JWKS);
    });

    it('fails only the matching key with SlowDown (503), which the SDK retries', async () => {
      // GIVEN
      local.faults.inject({
        operation: 'PutObject',
        error: 'SlowDown',
        when: (input) => input.Key === KEY,
      });
      const retrying = new S3Client(local.s3ClientConfig({ maxAttempts: 2 }));

      // WHEN
      await retrying.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'other', Body: 'x' }));
      await retrying.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: JWKS }));
      retrying.destroy();

      // THEN the first attempt on the key failed, the retry wrote it
      expect(
        local.calls
          .filter((call) => call.service === 's3' && call.key === KEY)
          .map((call) => call.operation),
      ).toEqual(['PutObject', 'PutObject']);
      expect(local.readObject(BUCKET, KEY)?.body.toString()).toBe(JWKS);
    });

    it('records each call with its bucket and key', async () => {
      await put(JWKS);
      await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY }));
      expect(
        local.calls.map(({ service, operation, bucket, key }) => ({
          service,
          operation,
          bucket,
          key,
        })),
      ).toEqual([
        { service: 's3', operation: 'CreateBucket', bucket: BUCKET, key: undefined },
        { service: 's3', operation: 'PutObject', bucket: BUCKET, key: KEY },
        { service: 's3', operation: 'GetObject', bucket: BUCKET, key: KEY },
      ]);
    });
  });
});

describe('checksums', () => {
  it.each([
    ['CRC32', 'y/Q5Jg=='],
    ['CRC32C', '4waSgw=='],
    ['CRC64NVME', 'rosUhgp5mIg='],
  ] as const)('%s of "123456789" is the published check value', (algorithm, expected) => {
    // CRC-32 0xCBF43926, CRC-32C 0xE3069283, CRC-64/NVME 0xAE8B14860A799888
    expect(computeChecksum(algorithm, Buffer.from('123456789'))).toBe(expected);
  });
});
