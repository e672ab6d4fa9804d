/**
 * Lambda's REST Invoke (`POST /2015-03-31/functions/<name>/invocations`): RequestResponse
 * answers the function's result, or 200 with X-Amz-Function-Error and its error; Event answers
 * 202 and runs the function in the background.
 */
import { type ServerResponse } from 'node:http';

import { type CallLog } from '../call-log';
import { type Faults } from '../faults';
import { errorMessage, readBody, sendError } from '../http';
import { FunctionError, type LambdaFunctions } from '../lambda-functions';
import { type RestResponse } from '../rest';
import { type Route } from '../router';
import { ServiceError } from '../service-error';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export function lambdaInvokeRoute(functions: LambdaFunctions, faults: Faults, log: CallLog): Route {
  return {
    matches: ({ message }) => message.method === 'POST' && INVOKE_PATH.test(message.url ?? ''),
    serve: async ({ message }, response) => {
      const functionName = decodeURIComponent(INVOKE_PATH.exec(message.url ?? '')![1]!);
      const body = await readBody(message);
      log.record({ service: 'lambda', operation: 'Invoke' });
      const invocationType = message.headers['x-amz-invocation-type'] ?? 'RequestResponse';
      try {
        const answer = await faults.apply<RestResponse | ServiceError>({
          operation: 'Invoke',
          input: { FunctionName: functionName },
          serve: () => invoke(functions, functionName, body, invocationType),
          fail: (fault) => fault.error,
        });
        if (typeof answer === 'symbol') return;
        if (answer instanceof ServiceError) sendError(response, answer);
        else writeAnswer(response, answer);
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        sendError(response, error);
      }
    },
  };
}

async function invoke(
  functions: LambdaFunctions,
  functionName: string,
  body: Buffer,
  invocationType: string | string[],
): Promise<RestResponse> {
  if (!functions.exists(functionName)) {
    throw new ServiceError('ResourceNotFoundException', `Function not found: ${functionName}`, 404);
  }
  let event: unknown;
  try {
    event = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new ServiceError(
      'InvalidRequestContentException',
      'Could not parse request body into json',
    );
  }
  if (invocationType === 'Event') {
    void functions.invoke(functionName, event).catch(() => undefined);
    return { status: 202, headers: {} };
  }
  try {
    const result = await functions.invoke(functionName, event);
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' },
      body: JSON.stringify(result ?? null),
    };
  } catch (error) {
    const failure =
      error instanceof FunctionError ? error : new FunctionError('Error', errorMessage(error));
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' },
      body: JSON.stringify({ errorType: failure.errorType, errorMessage: failure.errorMessage }),
    };
  }
}

function writeAnswer(response: ServerResponse, answer: RestResponse): void {
  response.writeHead(answer.status, answer.headers).end(answer.body);
}
