/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking runs once in `npm run typecheck`; with isolatedModules (tsconfig) ts-jest only transpiles.
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 120_000,
  maxWorkers: 2,
};
