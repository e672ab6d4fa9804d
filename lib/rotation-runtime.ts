/**
 * The Node.js runtime of the rotation function. By default the newest one the user's aws-cdk-lib
 * defines, found by reading `Runtime.ALL` as cdk-nag's latest-version rules (AwsSolutions-L1,
 * Serverless-LambdaLatestVersion) do: `determineLatestNodeRuntime()` and `NODEJS_LATEST` lag
 * behind (on aws-cdk-lib 2.278 they answer nodejs24.x while nodejs26.x is defined), so a pinned
 * or "latest" runtime fails those rules as soon as aws-cdk-lib learns a newer one.
 */
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type IConstruct } from 'constructs';

import { RotatingJwtKeyError } from './errors';
import { OLDEST_ROTATION_NODE_MAJOR } from './rotation-code';

/** A versioned Node.js runtime name, as Lambda spells it: nodejs22.x. */
const NODE_RUNTIME_NAME = /^nodejs(\d+)\.x$/;

/** The Node.js major of a runtime, or undefined when it is no versioned Node.js runtime. */
function nodeMajor(runtime: lambda.Runtime): number | undefined {
  if (runtime.family !== lambda.RuntimeFamily.NODEJS) return undefined;
  const match = NODE_RUNTIME_NAME.exec(runtime.name);
  return match === null ? undefined : Number(match[1]);
}

/**
 * The newest versioned Node.js runtime aws-cdk-lib defines. Variable aliases (NODEJS_LATEST)
 * are skipped: their name is one of the versioned runtimes, not a newer one. aws-cdk-lib marks
 * retired runtimes deprecated only in its documentation, and those are the oldest, never the
 * newest.
 */
function newestNodeRuntime(): lambda.Runtime {
  // Node.js 22 is in every aws-cdk-lib of the peer range, and the oldest the function may run.
  let newest = { runtime: lambda.Runtime.NODEJS_22_X, major: OLDEST_ROTATION_NODE_MAJOR };
  for (const runtime of lambda.Runtime.ALL) {
    const major = runtime.isVariable ? undefined : nodeMajor(runtime);
    if (major !== undefined && major > newest.major) newest = { runtime, major };
  }
  return newest.runtime;
}

/** The runtime the rotation function gets: `runtime` if given (a Node.js 22 or later), else the newest. */
export function rotationRuntime(
  runtime: lambda.Runtime | undefined,
  scope: IConstruct,
): lambda.Runtime {
  if (runtime === undefined) return newestNodeRuntime();
  const major = nodeMajor(runtime);
  if (major === undefined || major < OLDEST_ROTATION_NODE_MAJOR) {
    throw new RotatingJwtKeyError(
      'ERR_RUNTIME_UNSUPPORTED',
      `runtime must be a Node.js runtime, ${OLDEST_ROTATION_NODE_MAJOR} or later ` +
        `(nodejs${OLDEST_ROTATION_NODE_MAJOR}.x and up): got ${runtime.name}`,
      scope,
    );
  }
  return runtime;
}
