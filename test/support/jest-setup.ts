/**
 * Runs before every test file.
 *
 * aws-cdk-lib's built-in CloudFormation validation (a WebAssembly engine) is off for tests: it
 * starts anew in every test file (about 6 s of CPU) and then spends about 1 s per template, and it
 * never fails a synthesis, it only prints warnings. The tests hold templates to stricter checks:
 * cfn-lint for each template's own region (test/support/cfn-lint.ts), and
 * test/platform/builtin-validation.test.ts, which turns the built-in validation back on and asserts
 * it finds nothing in the example app.
 */
process.env.CDK_VALIDATION = 'false';
