/**
 * A user's side of the package, built outside the repository: the tarball `npm pack` makes,
 * extracted as node_modules/rotating-jwt-keys of a fresh app in the system's temp folder. The
 * app holds nothing of this repository but the tarball: the package's dependencies and peers are
 * symbolic links to this repository's installed copies, so it installs offline and in a second,
 * and anything else the package loaded would fail to resolve, as on a user's machine.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const REPOSITORY = resolve(__dirname, '../..');
export const PACKAGE_NAME = 'rotating-jwt-keys';

export interface PackageJson {
  readonly name: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly bin: Readonly<Record<string, string>>;
}

export const PACKAGE_JSON = JSON.parse(
  readFileSync(join(REPOSITORY, 'package.json'), 'utf8'),
) as PackageJson;

export interface Tarball {
  readonly file: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly string[];
}

const execFileAsync = promisify(execFile);

export function scratchFolder(): string {
  return mkdtempSync(join(tmpdir(), 'rotating-jwt-keys-consumer-'));
}

/**
 * `npm pack` of dist/ as `npm run build` left it (scripts skipped: npm test has just built it,
 * and the build is not what this test measures).
 */
export function pack(destination: string): Tarball {
  const output = execFileSync(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', destination],
    { cwd: REPOSITORY, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const [packed] = JSON.parse(output) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
  }[];
  return {
    file: join(destination, packed!.filename),
    size: packed!.size,
    unpackedSize: packed!.unpackedSize,
    files: packed!.files.map((file) => file.path),
  };
}

/**
 * A new app at `folder` with the tarball installed and `linked` packages (names) linked from
 * this repository's node_modules. Returns the installed package's folder.
 */
export function installInApp(folder: string, tarball: Tarball, linked: readonly string[]): string {
  const installed = join(folder, 'node_modules', PACKAGE_NAME);
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', tarball.file, '-C', installed, '--strip-components=1']);
  for (const name of linked) {
    const link = join(folder, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(REPOSITORY, 'node_modules', name), link, 'dir');
  }
  writeFiles(folder, {
    'package.json': JSON.stringify({ name: 'consumer-app', version: '0.0.0', private: true }),
  });
  return installed;
}

export function writeFiles(folder: string, files: Readonly<Record<string, string>>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, name)), { recursive: true });
    writeFileSync(join(folder, name), text);
  }
}

/**
 * Runs Node (or a Node script, such as tsc) in `folder` with none of this process's module
 * settings (NODE_PATH, NODE_OPTIONS) and no AWS configuration. Resolves with stdout; rejects
 * with both outputs in the message (tsc reports on stdout).
 */
export async function runNode(
  folder: string,
  args: readonly string[],
  environment: Readonly<Record<string, string>> = {},
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(process.execPath, args, {
      cwd: folder,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: folder,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...environment,
      },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`node ${args.join(' ')} failed in ${folder}:\n${stdout ?? ''}${stderr ?? ''}`, {
      cause: error,
    });
  }
}

/** The fenced block that follows `marker` in the README: what a user copies. */
export function readmeBlock(marker: string): string {
  const readme = readFileSync(join(REPOSITORY, 'README.md'), 'utf8');
  const at = readme.indexOf(marker);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || block === null) {
    throw new Error(`README.md has no \`\`\`ts block after "${marker}"`);
  }
  return block[1]!;
}

/**
 * The packages a file loads: require(), import and import() (type imports too, in .d.ts). Read
 * from the text, comments included, so a package named in an example counts: callers filter.
 */
export function importedPackages(code: string): Set<string> {
  const specifiers = [
    ...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g),
    ...code.matchAll(/\bfrom\s+["']([^"']+)["']/g),
    ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
  ].map((match) => match[1]!);
  return new Set(
    specifiers
      .filter((specifier) => !specifier.startsWith('.'))
      .map((specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1))
      .map((parts) => parts.join('/')),
  );
}

/**
 * An ES module that imports `named` from `specifier` by name (Node links it only if
 * cjs-module-lexer found each of those exports in the CommonJS file), runs `body`, and prints
 * `{ esm, cjs, ...fields }`: the names its namespace shows next to those require() returns.
 */
export function esmCheck(
  specifier: string,
  named: readonly string[],
  imports: readonly string[],
  body: readonly string[],
  fields: string,
): string {
  return [
    "import { createRequire } from 'node:module';",
    ...imports,
    `import * as namespace from '${specifier}';`,
    `import { ${named.join(', ')} } from '${specifier}';`,
    ...body,
    'console.log(JSON.stringify({',
    "  esm: Object.keys(namespace).filter((name) => name !== 'default' && name !== '__esModule').sort(),",
    `  cjs: Object.keys(createRequire(import.meta.url)('${specifier}')).sort(),`,
    `  ${fields},`,
    '}));',
    '',
  ].join('\n');
}
