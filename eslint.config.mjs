import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'assets/', 'cdk.out/', 'coverage/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // The architecture's boundaries. lib/ (the constructs) and lambda/ (the code they deploy) meet
  // only in contract/, which imports nothing from outside itself.
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '(^|/)lambda/src(/|$)', message: 'Constructs never import handler code: move what both sides need to contract/.' },
      ] }],
    },
  },
  {
    files: ['lambda/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'], message: 'Lambda code never imports CDK.' },
        { regex: '^(\\.\\./)+lib(/|$)', message: 'Lambda code never imports the constructs (lib/): move what both sides need to contract/.' },
      ] }],
    },
  },
  {
    files: ['contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { regex: '^(?!\\./)', message: 'contract/ is dependency-free: it imports only its own modules (./…), so lib/, lambda/ and any client can use it.' },
      ] }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly', module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },
);
