/**
 * The rotation function's runtime: the newest Node.js runtime of the loaded aws-cdk-lib by
 * default, or the `runtime` prop, a Node.js runtime of version 22 or later (the bundle's target).
 */
import * as lambda from 'aws-cdk-lib/aws-lambda';

import { RotatingJwtKeyError } from '../../lib/errors';

import { newestListedNodeRuntime, synthKey, thrownBy } from './support';

function runtimeOf(props: Parameters<typeof synthKey>[0]): unknown {
  const functions = synthKey(props).template.findResources('AWS::Lambda::Function');
  return Object.values(functions).map(
    (fn) => (fn as { Properties: { Runtime: unknown } }).Properties.Runtime,
  );
}

describe('Construct: RotatingJwtKey, the rotation function runtime', () => {
  it('is the newest Node.js runtime aws-cdk-lib lists by default, ahead of NODEJS_LATEST', () => {
    // GIVEN no runtime prop WHEN synthesized THEN the one function runs the newest listed runtime
    expect(runtimeOf({})).toEqual([newestListedNodeRuntime()]);
    // AND that is never older than aws-cdk-lib's own idea of the latest (which lags behind)
    expect(Number(newestListedNodeRuntime().replace(/\D/g, ''))).toBeGreaterThanOrEqual(
      Number(lambda.Runtime.NODEJS_LATEST.name.replace(/\D/g, '')),
    );
  });

  it.each([lambda.Runtime.NODEJS_22_X, lambda.Runtime.NODEJS_24_X])(
    'is the runtime given, when it is Node.js 22 or later (%s)',
    (runtime) => {
      expect(runtimeOf({ runtime, algorithm: 'ES256' })).toEqual([runtime.name]);
    },
  );

  it.each([
    lambda.Runtime.NODEJS_20_X,
    lambda.Runtime.NODEJS_18_X,
    lambda.Runtime.PYTHON_3_13,
    lambda.Runtime.PROVIDED_AL2023,
    lambda.Runtime.JAVA_21,
    new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.OTHER),
  ])('refuses %s: not a Node.js runtime of version 22 or later', (runtime) => {
    // WHEN
    const error = thrownBy(() => synthKey({ runtime }));

    // THEN a stable code, the construct's path, and the runtime received
    expect(error).toBeInstanceOf(RotatingJwtKeyError);
    expect(error).toMatchObject({ code: 'ERR_RUNTIME_UNSUPPORTED', constructPath: 'Test/JwtKey' });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Test/JwtKey: runtime must be a Node\\.js runtime, 22 or later .*got ${runtime.name.replace('.', '\\.')}$`,
      ),
    );
  });
});
