/**
 * The rotation Lambda's bundle, built and found again. Run as a script, it bundles
 * lambda/rotation/handler.ts into the folder the construct deploys, dist/lambda/rotation/index.js:
 * the second half of `npm run build`, after tsc. The settings are the ones NodejsFunction used
 * when the construct bundled at synth; bench/ builds its reference handler with them too, so the
 * two are compared like for like.
 *
 * Imported, it also finds the rotation function's code in a synthesized assembly: the index.js
 * `cdk deploy` uploads, through the template's S3 key and the asset manifest. Used by the asset
 * test, the package's consumer test (on an app outside the repository) and the benchmark, which
 * look at the bytes that ship rather than at a bundle of their own. Not shipped.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { App } from 'aws-cdk-lib';
import { type BuildOptions, buildSync } from 'esbuild';

import { FUNCTION_ENVIRONMENT, ROTATION_HANDLER } from '../contract';
import { RotatingJwtKeyError } from '../lib/errors';
import { JwtKeysStack, type JwtKeysStackProps } from '../lib/jwt-keys-stack';
import {
  OLDEST_ROTATION_NODE_MAJOR,
  packageRoot,
  ROTATION_BUNDLE_DIR,
  ROTATION_BUNDLE_FILE,
} from '../lib/rotation-code';

export const LAMBDA_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  // The oldest runtime the construct may give the function (its `runtime` prop; by default the
  // newest of the user's aws-cdk-lib): one bundle runs on all of them.
  target: `node${OLDEST_ROTATION_NODE_MAJOR}`,
  format: 'cjs',
  minify: true,
  // No source map: with NODE_OPTIONS=--enable-source-maps, Node reads the map and scans the
  // bundle at load, which cost each cold start about 5 ms (a 1.12× load time against the
  // SDK-only reference instead of 1.04×). A failure is logged with its step, error name, code
  // and message, which is what the stack trace would have located.
  sourcemap: false,
  // The AWS SDK v3 is left out: the Node.js runtime provides it. Bundled, it made the function
  // 554 KB (168 KB gzip) and slower to load; without it the bundle is jose, the Powertools
  // logger and our code (figures: README, "Figures"; npm run bench).
  external: ['@aws-sdk/*'],
  // The S3 and CloudFront clients are loaded on first use (key-set-store.ts) with import():
  // as require() in the bundle, so the runtime's SDK resolves as the other clients do (through
  // NODE_PATH, which an ES module import ignores).
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
} as const satisfies BuildOptions;

/** Writes the bundle, alone in its folder (the folder is the asset), and returns its path. */
export function buildRotationBundle(root: string = packageRoot()): string {
  const outdir = join(root, ROTATION_BUNDLE_DIR);
  const outfile = join(outdir, ROTATION_BUNDLE_FILE);
  rmSync(outdir, { recursive: true, force: true });
  buildSync({
    ...LAMBDA_BUILD_OPTIONS,
    absWorkingDir: root,
    entryPoints: [join(root, 'lambda', 'rotation', 'handler.ts')],
    outfile,
  });
  return outfile;
}

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

if (require.main === module) {
  buildRotationBundle();
}
