/**
 * Where the construct finds the rotation function's bundle: from the TypeScript sources here,
 * from dist/lib in an installed package, and a clear failure when `npm run build` has not run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import {
  packageRoot,
  ROTATION_BUNDLE_DIR,
  ROTATION_BUNDLE_FILE,
  rotationBundleDir,
} from '../../lib/rotation-code';

describe('Function: rotationBundleDir', () => {
  let scratch: string;

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'rotation-code-'));
    writeFileSync(join(scratch, 'package.json'), '{}');
  });

  afterEach(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('finds the bundle npm run build made, from the sources of this repository', () => {
    expect(packageRoot()).toBe(resolve(__dirname, '../..'));
    expect(rotationBundleDir()).toBe(resolve(__dirname, '../..', ROTATION_BUNDLE_DIR));
  });

  it('finds the package root from dist/lib, as in an installed package', () => {
    // GIVEN a package laid out as the tarball is
    const compiled = join(scratch, 'dist', 'lib');
    mkdirSync(compiled, { recursive: true });
    mkdirSync(join(scratch, ROTATION_BUNDLE_DIR), { recursive: true });
    writeFileSync(join(scratch, ROTATION_BUNDLE_DIR, ROTATION_BUNDLE_FILE), '');

    // WHEN / THEN
    expect(packageRoot(compiled)).toBe(scratch);
    expect(rotationBundleDir(packageRoot(compiled))).toBe(join(scratch, ROTATION_BUNDLE_DIR));
  });

  it('fails when the bundle is missing, naming the file and the command that builds it', () => {
    const missing = join(scratch, ROTATION_BUNDLE_DIR, ROTATION_BUNDLE_FILE);
    expect(() => rotationBundleDir(scratch)).toThrow(
      `The rotation function's bundle is missing: ${missing}. Build it with \`npm run build\``,
    );
  });
});
