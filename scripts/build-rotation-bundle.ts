/**
 * Bundles the rotation Lambda (lambda/rotation/handler.ts) into the folder the construct deploys,
 * dist/lambda/rotation/index.js: the second half of `npm run build`, after tsc. The settings are
 * the ones NodejsFunction used when the construct bundled at synth; bench/ builds its reference
 * handler with them too, so the two are compared like for like.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';

import { type BuildOptions, buildSync } from 'esbuild';

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

if (require.main === module) {
  buildRotationBundle();
}
