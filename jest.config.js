/**
 * jose 6 ships only as an ES module, so jest (which runs CommonJS here) transforms it with
 * ts-jest like our own sources. Type checking is `npm run typecheck`'s job; tests only transpile.
 */
/** The oldest aws-cdk-lib the construct supports (its peer range's floor), as a devDependency alias. */
const OLDEST_AWS_CDK_LIB = 'aws-cdk-lib-oldest';
/** The tests that run a second time against that aws-cdk-lib: the app synthesized with cdk-nag. */
const BOTH_AWS_CDK_LIBS = ['<rootDir>/test/lib/aws-cdk-lib-range.test.ts'];
/** How every test runs, in both projects below. */
const project = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  setupFiles: ['<rootDir>/test/support/env.js'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.[tj]s$': [
      'ts-jest',
      {
        tsconfig: {
          module: 'commonjs',
          moduleResolution: 'node10',
          ignoreDeprecations: '6.0',
          rootDir: '.',
          allowJs: true,
          isolatedModules: true,
          esModuleInterop: true,
          sourceMap: true,
        },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // The bench imports the client by the package's name (it measures the compiled package); its
  // tests check the bench's logic, on the sources.
  moduleNameMapper: { '^rotating-jwt-keys/client(.*)$': '<rootDir>/client$1' },
  globals: { AWS_CDK_LIB_UNDER_TEST: 'aws-cdk-lib' },
};
/** @type {import('jest').Config} */
module.exports = {
  // Two workers on CI's two cores: many suites wait on local servers rather than compute, and
  // jest's default (cores - 1) left one core idle: 174 s of jest became 102 s (2026-11-23).
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    project,
    // The same app tests with every import of aws-cdk-lib, ours and cdk-nag's in node_modules
    // alike, answered by the oldest supported version (jest maps inside node_modules too), so
    // both ends of the peer range synthesize with cdk-nag.
    {
      ...project,
      displayName: OLDEST_AWS_CDK_LIB,
      testMatch: BOTH_AWS_CDK_LIBS,
      moduleNameMapper: {
        ...project.moduleNameMapper,
        '^aws-cdk-lib(/.*)?$': `${OLDEST_AWS_CDK_LIB}$1`,
      },
      globals: { AWS_CDK_LIB_UNDER_TEST: OLDEST_AWS_CDK_LIB },
    },
  ],
};
