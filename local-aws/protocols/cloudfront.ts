/**
 * CloudFront's REST-XML API, for requests signed for `cloudfront`: each call recorded, faulted
 * (`{ DistributionId, CallerReference, Paths }`; InternalError by default), then served;
 * errors as CloudFront's XML document.
 */
import { type CallLog } from '../call-log';
import { type CloudFrontService, cloudFrontErrorXml, cloudFrontTarget } from '../cloudfront';
import { type Faults } from '../faults';
import { readBody, sendRest, sendRestFailure } from '../http';
import { type Route } from '../router';
import { ServiceError } from '../service-error';

export function cloudFrontRoute(
  cloudFront: CloudFrontService,
  faults: Faults,
  log: CallLog,
): Route {
  return {
    matches: ({ signingService }) => signingService === 'cloudfront',
    serve: async ({ message, url }, response) => {
      const requestId = crypto.randomUUID();
      try {
        const target = cloudFrontTarget(message.method ?? '', url.pathname);
        if (target === undefined) {
          throw new ServiceError(
            'NotImplemented',
            `local-aws does not implement ${message.method ?? ''} ${url.pathname}`,
            501,
          );
        }
        log.record({
          service: 'cloudfront',
          operation: target.operation,
          distributionId: target.distributionId,
        });
        const body = await readBody(message);
        const cloudFrontRequest = { ...target, query: url.searchParams, body };
        const answer = await faults.apply({
          operation: target.operation,
          input: { DistributionId: target.distributionId, ...invalidationInput(body) },
          defaultError: 'InternalError',
          serve: () => cloudFront.handle(cloudFrontRequest),
        });
        if (typeof answer !== 'symbol') sendRest(response, answer, requestId);
      } catch (error) {
        sendRestFailure(response, error, requestId, (failure) => ({
          headers: { 'content-type': 'text/xml' },
          body: cloudFrontErrorXml(failure, requestId),
        }));
      }
    },
  };
}

/** What a fault's `when` sees of a CreateInvalidation body. */
function invalidationInput(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  const callerReference = /<CallerReference>([^<]*)<\/CallerReference>/.exec(text)?.[1];
  const paths = [...text.matchAll(/<Path>([^<]*)<\/Path>/g)].map((match) => match[1]);
  return callerReference === undefined ? {} : { CallerReference: callerReference, Paths: paths };
}
