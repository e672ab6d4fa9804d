/**
 * S3's REST-XML protocol, path-style (`/<bucket>/<key>`), for requests signed for `s3`: each
 * call recorded, faulted (`{ Bucket, Key }`; InternalError by default), then served; errors as
 * S3's XML document (none for HEAD).
 */
import { type CallLog } from '../call-log';
import { type Faults } from '../faults';
import { readBody, sendRest, sendRestFailure } from '../http';
import { type Route } from '../router';
import { type S3Service, s3ErrorXml, s3Operation, s3Target } from '../s3';
import { ServiceError } from '../service-error';

export function s3Route(s3: S3Service, faults: Faults, log: CallLog): Route {
  return {
    matches: ({ signingService }) => signingService === 's3',
    serve: async ({ message, url }, response) => {
      const requestId = randomRequestId();
      const headOnly = message.method === 'HEAD';
      try {
        const target = s3Target(url.pathname);
        const operation =
          target === undefined
            ? undefined
            : s3Operation(message.method ?? '', target, url.searchParams, message.headers);
        if (target === undefined || operation === undefined) {
          throw new ServiceError(
            'NotImplemented',
            `local-aws does not implement ${message.method ?? ''} ${url.pathname}${url.search}`,
            501,
          );
        }
        log.record({ service: 's3', operation, bucket: target.bucket, key: target.key });
        const body = await readBody(message).catch((error: unknown) => {
          if (!(error instanceof ServiceError)) throw error;
          throw new ServiceError(
            'EntityTooLarge',
            'Your proposed upload exceeds the maximum allowed size',
            400,
          );
        });
        const s3Request = { ...target, operation, headers: message.headers, body };
        const answer = await faults.apply({
          operation,
          input: { Bucket: target.bucket, Key: target.key },
          defaultError: 'InternalError',
          serve: () => s3.handle(s3Request),
        });
        if (typeof answer !== 'symbol') sendRest(response, answer, requestId);
      } catch (error) {
        sendRestFailure(response, error, requestId, (failure) => ({
          headers: headOnly
            ? ({} as Record<string, string>)
            : { 'content-type': 'application/xml' },
          body: headOnly ? undefined : s3ErrorXml(failure, requestId),
        }));
      }
    },
  };
}

function randomRequestId(): string {
  return crypto.randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
}
