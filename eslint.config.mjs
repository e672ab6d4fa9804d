// @ts-check
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const SHIPPED = ['{bin,cli,client,contract,key-document,lambda,lib,rotation-events}/**/*.ts'];

/** Every top folder of ours, for the "imports nothing of ours but..." zones. */
const FOLDERS = [
  'bench',
  'bin',
  'cli',
  'client',
  'contract',
  'demo',
  'examples',
  'key-document',
  'lambda',
  'lib',
  'local-aws',
  'rotation-events',
  'scripts',
  'test',
];

/**
 * A zone: the files of `folder` import none of ours but `allowed` (docs/contracts.md, "may
 * import"). One way only: no import runs back up.
 */
function zone(folder, allowed, why) {
  return {
    target: `./${folder}`,
    from: FOLDERS.filter((each) => each !== folder && !allowed.includes(each)).map(
      (each) => `./${each}`,
    ),
    message: `${folder}/ may import ${allowed.length > 0 ? allowed.join(', ') : 'none of our folders'}: ${why} (docs/contracts.md)`,
  };
}

const FOLDER_ZONES = [
  zone('contract', [], 'it is what every part shares, so it depends on none'),
  zone('key-document', ['contract'], 'the format is shared by all, and stays light'),
  zone('rotation-events', ['contract', 'key-document'], 'events are read by the client too'),
  zone(
    'lambda',
    ['contract', 'key-document', 'rotation-events'],
    'the bundle holds no CDK nor client',
  ),
  zone('lib', ['contract', 'rotation-events'], 'the construct deploys the bundle, by its path'),
  zone('bin', ['contract', 'lib'], 'the app is the construct and its settings'),
  zone(
    'client',
    ['contract', 'key-document', 'rotation-events'],
    'the application library has no CDK',
  ),
  zone(
    'cli',
    ['contract', 'key-document'],
    'the operator command talks to AWS, not to the construct',
  ),
  zone('local-aws', [], 'the emulator follows AWS, not our code'),
  zone('scripts', ['contract', 'key-document', 'lib'], 'the build'),
  zone(
    'demo',
    ['cli', 'client', 'contract', 'key-document', 'lambda', 'local-aws', 'rotation-events'],
    'the demo runs what ships, offline, without CDK',
  ),
  zone(
    'bench',
    ['client', 'contract', 'key-document', 'local-aws', 'scripts'],
    'the benchmarks measure the shipped bytes',
  ),
  zone('examples', ['client', 'contract', 'lib'], 'the examples use the package as a user does'),
];

/** Each file's relative imports (type-only ones too), resolved to .ts files; read once a run. */
const importsCache = new Map();
function relativeImportsOf(file) {
  let imports = importsCache.get(file);
  if (imports === undefined) {
    const source = existsSync(file) ? readFileSync(file, 'utf8') : '';
    imports = [...source.matchAll(/(?:from|import\()\s*'(\.[^']*)'/g)]
      .map((match) => resolveTs(file, match[1]))
      .filter((target) => target !== undefined);
    importsCache.set(file, imports);
  }
  return imports;
}
function resolveTs(from, specifier) {
  const path = resolve(dirname(from), specifier);
  return [`${path}.ts`, `${path}/index.ts`].find((candidate) => existsSync(candidate));
}

/**
 * import-x/no-cycle does not follow type-only imports, but a circle of types is still one to
 * read around: this reports a type-only import whose module leads back to the importing file
 * (import-x/no-cycle reports the circles made of value imports alone).
 */
const typeImportCycles = {
  meta: {
    type: 'problem',
    schema: [],
    messages: { cycle: 'import cycle through a type-only import: {{route}}' },
  },
  create(context) {
    const file = context.physicalFilename;
    const check = (node) => {
      const typeOnly =
        node.importKind === 'type' ||
        node.exportKind === 'type' ||
        (node.specifiers?.length > 0 &&
          node.specifiers.every(
            (each) => each.importKind === 'type' || each.exportKind === 'type',
          ));
      const target = node.source?.value.startsWith('.')
        ? resolveTs(file, node.source.value)
        : undefined;
      if (!typeOnly || target === undefined) return;
      const routes = new Map([[target, [target]]]);
      for (const [module, route] of routes) {
        for (const next of relativeImportsOf(module)) {
          if (next === file) {
            const names = [file, ...route, file].map((each) => relative(process.cwd(), each));
            context.report({ node, messageId: 'cycle', data: { route: names.join(' -> ') } });
            return;
          }
          if (!routes.has(next)) routes.set(next, [...route, next]);
        }
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', 'coverage/', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX, local: { rules: { 'type-import-cycles': typeImportCycles } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'import-x/order': [
        'error',
        {
          groups: ['builtin', 'external', 'internal', 'parent', 'sibling', 'index'],
          'newlines-between': 'always',
          alphabetize: { order: 'asc', caseInsensitive: true },
        },
      ],
      'no-console': 'off',
    },
  },
  {
    files: [
      '{bench,bin,cli,client,contract,demo,examples,key-document,lambda,lib,local-aws,rotation-events,scripts}/**/*.ts',
    ],
    settings: {
      // Our imports name no extension: resolve them to the .ts files, and read those.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/resolver-next': [
        importX.createNodeResolver({ extensions: ['.ts', '.js', '.json', '.node'] }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: FOLDER_ZONES }],
      // Value imports: import-x skips type-only ones; local/type-import-cycles counts those.
      'import-x/no-cycle': ['error', { maxDepth: 20, ignoreExternal: true }],
      'local/type-import-cycles': 'error',
    },
  },
  {
    // The key document is read by the Lambda, the client and the tools: node:* and contract/.
    files: ['key-document/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!node:|\\./|\\.\\./contract/)',
              message: 'key-document/ imports node:* and contract/ only (no jose)',
            },
          ],
        },
      ],
    },
  },
  {
    // The client is installed without aws-cdk-lib (an optional peer).
    files: ['client/**/*.ts', 'lambda/**/*.ts', 'cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(aws-cdk-lib|constructs|cdk-nag)(/|$)',
              message: 'only lib/ and bin/ use the CDK',
            },
          ],
        },
      ],
    },
  },
  {
    // Only the app's own checks load cdk-nag (a development dependency, not shipped).
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^cdk-nag(/|$)', message: 'cdk-nag is wired in bin/nag.ts only' }] },
      ],
    },
  },
  // What ships (the construct, the Lambda, the client, the CLI and what they share) is held to
  // typescript-eslint's strictest type-aware rules; tests, demo and bench to the defaults above.
  ...tseslint.configs.strictTypeChecked.map((config) => ({ ...config, files: SHIPPED })),
  {
    files: SHIPPED,
    rules: {
      // Numbers in messages ("got 47 hours", "2048 to 8192 bits") read as they should.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  prettier,
);
