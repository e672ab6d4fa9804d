/**
 * Where the rotation function's code is in a synthesized assembly: the index.js `cdk deploy`
 * uploads, found through the template's S3 key and the asset manifest. Used by the asset test
 * and the benchmark, which measure the bytes that ship rather than a bundle of their own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { App } from 'aws-cdk-lib';

import { JwtKeysStack } from './jwt-keys-stack';

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
  /** The index.js the template deploys. */
  readonly indexFile: string;
  /**
   * The function's environment variables that are plain text in the template (NODE_OPTIONS,
   * the algorithm, the grace period...); those resolved at deploy time (the bus name) are left out.
   */
  readonly literalEnvironment: Readonly<Record<string, string>>;
}

/**
 * Synthesizes the app's stack with real bundling (esbuild) into `outdir` and returns the path
 * of the rotation function's index.js and its environment. `outdir` must be inside the project for the bundle's
 * external @aws-sdk/* imports to resolve from node_modules, as the Lambda runtime provides them.
 */
export function synthesizeRotationBundle(outdir: string): RotationBundle {
  const app = new App({ outdir });
  const stack = new JwtKeysStack(app, 'JwtKeys');
  const template = app.synth().getStackByName(stack.stackName).template as Template;
  const bundledFunctions = Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .map((resource) => resource.Properties)
    .filter((properties) => properties.Code?.S3Key !== undefined);
  const functionCodeKeys = bundledFunctions.map((properties) => properties.Code!.S3Key!);
  const manifest = JSON.parse(
    readFileSync(join(outdir, `${stack.stackName}.assets.json`), 'utf8'),
  ) as AssetManifest;
  const assets = Object.values(manifest.files).filter((file) =>
    Object.values(file.destinations).some((destination) =>
      functionCodeKeys.includes(destination.objectKey),
    ),
  );
  if (assets.length !== 1) {
    throw new Error(`expected one bundled function in the assembly, found ${assets.length}`);
  }
  const objectKeys = Object.values(assets[0]!.destinations).map((to) => to.objectKey);
  const rotationFunction = bundledFunctions.find((properties) =>
    objectKeys.includes(properties.Code!.S3Key!),
  )!;
  const variables = rotationFunction.Environment?.Variables ?? {};
  const literalEnvironment = Object.fromEntries(
    Object.entries(variables).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
  return { indexFile: join(outdir, assets[0]!.source.path, 'index.js'), literalEnvironment };
}
