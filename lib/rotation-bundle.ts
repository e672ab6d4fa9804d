/**
 * Where the rotation function's code is in a synthesized assembly: the index.js `cdk deploy`
 * uploads, found through the template's S3 key and the asset manifest. Used by the asset test,
 * the package's consumer test (on an app outside the repository) and the benchmark, which look
 * at the bytes that ship rather than at a bundle of their own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { App } from 'aws-cdk-lib';

import { FUNCTION_ENVIRONMENT, ROTATION_HANDLER } from '../contract';

import { RotatingJwtKeyError } from './errors';
import { JwtKeysStack, type JwtKeysStackProps } from './jwt-keys-stack';
import { ROTATION_BUNDLE_FILE } from './rotation-code';

interface AssetManifest {
  readonly files: Record<
    string,
    {
      readonly source: { readonly path: string };
      readonly destinations: Record<string, { readonly objectKey: string }>;
    }
  >;
}

interface FunctionProperties {
  readonly Handler?: string;
  readonly Runtime?: string;
  readonly Code?: { readonly S3Key?: string };
  readonly Environment?: { readonly Variables?: Record<string, unknown> };
}

interface Template {
  readonly Resources: Record<
    string,
    { readonly Type: string; readonly Properties: FunctionProperties }
  >;
}

export interface RotationBundle {
  /** The rotation function's logical id in the template. */
  readonly logicalId: string;
  /** The asset folder `cdk deploy` zips and uploads as the function's code. */
  readonly assetDir: string;
  /** The index.js in it. */
  readonly indexFile: string;
  /** The function's runtime, as the template names it (nodejs26.x). */
  readonly runtime: string | undefined;
  /**
   * The function's environment variables that are plain text in the template (NODE_OPTIONS,
   * the algorithm, the grace period...); those resolved at deploy time (the bus name) are left out.
   */
  readonly literalEnvironment: Readonly<Record<string, string>>;
}

/**
 * Finds the rotation function (its handler and its algorithm variable tell it from any other
 * function in the stack) in the assembly `assemblyDir` holds, and the asset that is its code.
 * `stackId` is the stack's artifact id: its construct id, for a stack at the top of the app.
 */
export function findRotationBundle(assemblyDir: string, stackId: string): RotationBundle {
  const read = (file: string): unknown => JSON.parse(readFileSync(join(assemblyDir, file), 'utf8'));
  const template = read(`${stackId}.template.json`) as Template;
  const manifest = read(`${stackId}.assets.json`) as AssetManifest;
  const rotationFunctions = Object.entries(template.Resources).filter(
    ([, { Type: type, Properties: properties }]) =>
      type === 'AWS::Lambda::Function' &&
      properties.Handler === ROTATION_HANDLER &&
      properties.Environment?.Variables?.[FUNCTION_ENVIRONMENT.algorithm] !== undefined,
  );
  if (rotationFunctions.length !== 1) {
    throw new RotatingJwtKeyError(
      'ERR_BUNDLE_NOT_FOUND',
      `expected one rotation function in ${stackId}, found ${rotationFunctions.length}`,
    );
  }
  const [[logicalId, { Properties: properties }]] = rotationFunctions as [
    (typeof rotationFunctions)[number],
  ];
  const asset = Object.values(manifest.files).find((file) =>
    Object.values(file.destinations).some(
      (destination) => destination.objectKey === properties.Code?.S3Key,
    ),
  );
  if (asset === undefined) {
    throw new RotatingJwtKeyError(
      'ERR_BUNDLE_NOT_FOUND',
      `the code of ${logicalId} is not a file asset of ${stackId}`,
    );
  }
  const assetDir = join(assemblyDir, asset.source.path);
  const literalEnvironment = Object.fromEntries(
    Object.entries(properties.Environment?.Variables ?? {}).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
  return {
    logicalId,
    assetDir,
    indexFile: join(assetDir, ROTATION_BUNDLE_FILE),
    runtime: properties.Runtime,
    literalEnvironment,
  };
}

/**
 * Synthesizes this repository's stack into `outdir` and finds its rotation function's code.
 * `outdir` must be inside the project for the bundle's external @aws-sdk/* imports to resolve
 * from node_modules, as the Lambda runtime provides them.
 */
export function synthesizeRotationBundle(
  outdir: string,
  props: JwtKeysStackProps = {},
): RotationBundle {
  const app = new App({ outdir });
  const stack = new JwtKeysStack(app, 'JwtKeys', props);
  app.synth();
  return findRotationBundle(outdir, stack.artifactId);
}
