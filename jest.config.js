/**
 * jose 6 ships only as an ES module, so jest (which runs CommonJS here) transforms it with
 * ts-jest like our own sources. Type checking is `npm run typecheck`'s job; tests only transpile.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
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
};
