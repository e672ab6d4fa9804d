/**
 * A CloudFront distribution's viewer side, under `/cf/<distribution id>/<path>`: answered from
 * its cache or the bucket. A fault on `ViewerRequest` (`{ DistributionId, Path, Method }`)
 * answers CloudFront's error page with the error's status, as when its origin fails; a read
 * has no write to apply, so a partial fault is a plain failure.
 */
import { type CloudFrontService, DISTRIBUTION_PATH_PREFIX } from '../cloudfront';
import { type ViewerRequest } from '../cloudfront-edge';
import { type Faults, type TriggeredFault } from '../faults';
import { type RestResponse } from '../rest';
import { type Route } from '../router';

export function cloudFrontViewerRoute(
  cloudFront: CloudFrontService,
  faults: Faults,
  viewerRequests: ViewerRequest[],
  clock: () => number,
): Route {
  return {
    matches: ({ url }) => url.pathname.startsWith(DISTRIBUTION_PATH_PREFIX),
    serve: async ({ message, url }, response) => {
      const rest = url.pathname.slice(DISTRIBUTION_PATH_PREFIX.length);
      const slash = rest.indexOf('/');
      const distributionId = slash < 0 ? rest : rest.slice(0, slash);
      const path = slash < 0 ? '/' : rest.slice(slash);
      const method = message.method ?? 'GET';
      const edge = cloudFront.edge(distributionId);
      if (edge === undefined) {
        response
          .writeHead(404, { 'content-type': 'text/plain' })
          .end(`local-aws has no distribution ${distributionId}`);
        return;
      }
      // The body of a viewer request is never used; drain it so the connection can be reused.
      message.resume();
      const failed = (fault: TriggeredFault) => ({ answer: errorPage(fault, method), fault });
      const outcome = await faults.apply<{ answer: RestResponse; fault?: TriggeredFault }>({
        operation: 'ViewerRequest',
        input: { DistributionId: distributionId, Path: path, Method: method },
        serve: () => ({ answer: edge.serve(method, path, message.headers) }),
        fail: failed,
        partial: failed,
      });
      if (typeof outcome === 'symbol') return;
      if (outcome.fault !== undefined) {
        viewerRequests.push({
          distributionId,
          path,
          method,
          status: outcome.fault.error.statusCode,
          servedFrom: 'origin',
          at: clock(),
        });
      }
      response.writeHead(outcome.answer.status, outcome.answer.headers).end(outcome.answer.body);
    },
  };
}

function errorPage(fault: TriggeredFault, method: string): RestResponse {
  const status = fault.error.statusCode;
  return {
    status,
    headers: { 'content-type': 'text/html', 'x-cache': 'Error from cloudfront' },
    body: method === 'HEAD' ? undefined : `<HTML><BODY><H1>${status} ERROR</H1></BODY></HTML>`,
  };
}
