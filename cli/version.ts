/** `jwt-keys --version`: the version of the package this command ships in (its package.json). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'rotating-jwt-keys';

/**
 * Walks up from this file to the package's package.json: cli/ in the repository, dist/cli/ in
 * the installed package.
 */
export function packageVersion(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === PACKAGE_NAME && typeof manifest.version === 'string') {
        return manifest.version;
      }
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
