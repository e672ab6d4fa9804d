/**
 * Where the rotation function's code is: the folder `npm run build` bundles the Lambda into,
 * inside this package. The same lookup serves this repository's app and tests (lib/*.ts through
 * tsx or ts-jest) and an installed package (dist/lib/*.js): both find the package root, the
 * nearest folder above with a package.json, and the bundle below it. A user's synth needs no
 * esbuild, no TypeScript sources and no Docker.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { ROTATION_HANDLER } from '../contract';

import { RotatingJwtKeyError } from './errors';

const [handlerModule, handlerExport] = ROTATION_HANDLER.split('.') as [string, string];

/** The bundle's folder, from the package root. It holds the bundle and nothing else. */
export const ROTATION_BUNDLE_DIR = join('dist', 'lambda', 'rotation');
/** The bundle's file in that folder. */
export const ROTATION_BUNDLE_FILE = `${handlerModule}.js`;
/** The name the bundle exports the handler as. */
export const ROTATION_HANDLER_EXPORT = handlerExport;
/**
 * The oldest Node.js major the function may run on (the `runtime` prop refuses older ones). The
 * bundle is built for it, so the same file runs on every runtime from it to the newest.
 */
export const OLDEST_ROTATION_NODE_MAJOR = 22;

/** The root of the package this module is part of. */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) {
      throw new RotatingJwtKeyError(
        'ERR_BUNDLE_NOT_FOUND',
        `no package.json in ${from} or any folder above it`,
      );
    }
  }
}

/**
 * The folder to deploy as the rotation function's code. Fails, naming the file and the command
 * that builds it, when the bundle is absent (a checkout where `npm run build` has not run).
 */
export function rotationBundleDir(root: string = packageRoot()): string {
  const dir = join(root, ROTATION_BUNDLE_DIR);
  const file = join(dir, ROTATION_BUNDLE_FILE);
  if (!existsSync(file)) {
    throw new RotatingJwtKeyError(
      'ERR_BUNDLE_NOT_FOUND',
      `The rotation function's bundle is missing: ${file}. Build it with \`npm run build\` in ${root}.`,
    );
  }
  return dir;
}
