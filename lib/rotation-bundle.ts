/**
 * Where the rotation function's code is in a synthesized assembly: the index.js `cdk deploy`
 * uploads, found through the template's S3 key and the asset manifest. Used by the asset test
 * and the benchmark, which measure the bytes that ship rather than a bundle of their own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { App } from 'aws-cdk-lib';

import { RotatingJwtKeyError } from './errors';
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
 * Synthesizes the app's stack with real bundling (esbuild) into `outdir` and returns the
 * rotation function's index.js and environment. `outdir` must be inside the project for the
 * bundle's external @aws-sdk/* imports to resolve from node_modules, as the Lambda runtime
 * provides them.
 */
export function synthesizeRotationBundle(outdir: string): RotationBundle {
  const app = new App({ outdir });
  const stack = new JwtKeysStack(app, 'JwtKeys');
  const template = app.synth().getStackByName(stack.stackName).template as Template;
  const manifest = JSON.parse(
    readFileSync(join(outdir, `${stack.stackName}.assets.json`), 'utf8'),
  ) as AssetManifest;
  const assetHolding = (
    objectKey: string | undefined,
  ): AssetManifest['files'][string] | undefined =>
    Object.values(manifest.files).find((file) =>
      Object.values(file.destinations).some((destination) => destination.objectKey === objectKey),
    );
  const bundledFunctions = Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .flatMap(({ Properties: properties }) => {
      const asset = assetHolding(properties.Code?.S3Key);
      return asset === undefined ? [] : [{ asset, properties }];
    });
  if (bundledFunctions.length !== 1) {
    throw new RotatingJwtKeyError(
      'ERR_BUNDLE_NOT_FOUND',
      `expected one bundled function in the assembly, found ${bundledFunctions.length}`,
    );
  }
  const { asset, properties } = bundledFunctions[0]!;
  const literalEnvironment = Object.fromEntries(
    Object.entries(properties.Environment?.Variables ?? {}).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
  return { indexFile: join(outdir, asset.source.path, 'index.js'), literalEnvironment };
}
