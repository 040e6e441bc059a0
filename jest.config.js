/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking runs once in `npm run typecheck`; with isolatedModules (tsconfig) ts-jest only transpiles.
  transform: { '^.+\\.ts$': 'ts-jest' },
  // The README's usage example imports the package by name.
  moduleNameMapper: { '^cdk-sagemaker-datasets$': '<rootDir>/lib' },
  // Test-wide environment (e.g. aws-cdk-lib's built-in template validation off: see the file).
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  // One scratch folder per run for every cdk.out and temporary file, removed at the end.
  globalSetup: '<rootDir>/test/support/scratch-global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/scratch-global-teardown.mjs',
  // Files marked @slow start first, so the long ones do not end the run with one worker idle.
  testSequencer: '<rootDir>/test/support/slow-first-sequencer.mjs',
  testTimeout: 120_000,
  maxWorkers: 2,
};
