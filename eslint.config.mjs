// @ts-check
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

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', 'coverage/', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
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
      // Value imports: import-x skips type-only ones; the type-cycle rule below counts those.
      'import-x/no-cycle': ['error', { maxDepth: 20, ignoreExternal: true }],
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
