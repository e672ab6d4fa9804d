/** Stacks for assertion tests. The rotation code is the bundle `npm run build` made. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';

import { RotatingJwtKey, type RotatingJwtKeyProps } from '../../lib/rotating-jwt-key';

export function synthKey(
  props: RotatingJwtKeyProps = {},
  extend?: (stack: Stack) => void,
  /** Resources made in the stack first and passed as props (a bus, a key, a topic). */
  provided?: (stack: Stack) => RotatingJwtKeyProps,
): {
  stack: Stack;
  key: RotatingJwtKey;
  template: Template;
} {
  const app = new App();
  const stack = new Stack(app, 'Test');
  const key = new RotatingJwtKey(stack, 'JwtKey', { ...props, ...provided?.(stack) });
  extend?.(stack);
  return { stack, key, template: Template.fromStack(stack) };
}

/** Every IAM policy statement in the template, from roles' inline policies and policy resources. */
export function allStatements(template: Template): Record<string, unknown>[] {
  const statements: Record<string, unknown>[] = [];
  for (const resource of Object.values(
    template.toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >,
  )) {
    if (resource.Type === 'AWS::IAM::Policy') {
      statements.push(
        ...(resource.Properties.PolicyDocument as { Statement: Record<string, unknown>[] })
          .Statement,
      );
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of (resource.Properties.Policies as
        { PolicyDocument: { Statement: Record<string, unknown>[] } }[] | undefined) ?? []) {
        statements.push(...policy.PolicyDocument.Statement);
      }
    }
  }
  return statements;
}

export function asList<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** What `action` throws (fails the test when it throws nothing). */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, none was thrown');
}

/**
 * The newest Node.js runtime the loaded aws-cdk-lib lists, found as cdk-nag's latest-runtime
 * rules find it (every `Runtime.ALL` entry named nodejsN.x, the highest N): the expectation for
 * the construct's default, computed apart from lib/rotation-runtime.ts.
 */
export function newestListedNodeRuntime(): string {
  const majors = lambda.Runtime.ALL.map((runtime) => /^nodejs(\d+)\.x$/.exec(runtime.name))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]));
  return `nodejs${Math.max(...majors)}.x`;
}
