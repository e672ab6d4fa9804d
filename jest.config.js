/**
 * jose 6 ships only as an ES module, so jest (which runs CommonJS here) transforms it with
 * ts-jest like our own sources. Type checking is `npm run typecheck`'s job; tests only transpile.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Two workers on CI's two cores: many suites wait on local servers rather than compute, and
  // jest's default (cores - 1) left one core idle: 174 s of jest became 102 s (2026-11-23).
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
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
};
