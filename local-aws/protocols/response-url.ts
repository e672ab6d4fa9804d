/**
 * A custom resource's ResponseURL: a PUT presigned for S3, like CloudFormation's, served
 * before S3 is (the router puts this route first).
 */
import { CustomResourceRunner } from '../custom-resources';
import { readBody } from '../http';
import { type Route } from '../router';

export function responseUrlRoute(customResources: CustomResourceRunner): Route {
  return {
    matches: ({ message, url }) =>
      message.method === 'PUT' && CustomResourceRunner.isResponsePath(url.pathname),
    serve: async ({ message, url }, response) => {
      const body = await readBody(message);
      const stored = customResources.upload(url, body.toString('utf8'));
      response
        .writeHead(stored.status, stored.body === '' ? {} : { 'content-type': 'application/xml' })
        .end(stored.body);
    },
  };
}
