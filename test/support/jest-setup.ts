/**
 * Runs before every test file (jest.config.js `setupFiles`): switches that make in-process
 * synthesis cheaper without changing any template or any finding a test asserts on.
 *
 * - aws-cdk-lib's built-in CloudFormation validation is off. Its WebAssembly engine starts anew in
 *   every test file (about 6 s of CPU, again whenever a later stack brings new resource types), then
 *   spends about 1 s per template, and it never fails a synthesis: it only prints warnings. Every
 *   template the tests lint is held to cfn-lint for its own region instead, and the consumer test
 *   (test/package/consumer.test.ts) synthesizes with it on, as a consumer does, and asserts it finds nothing.
 * - No stack traces in construct metadata: capturing them (source-mapped under jest) costs seconds
 *   per file, and they only locate findings in reports.
 *
 * Subprocesses that stand for a consumer run without these (see {@link withoutTestSwitches}).
 */
export const TEST_SWITCHES: Readonly<Record<string, string>> = {
  CDK_VALIDATION: 'false',
  CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:disable-stack-trace': true, 'aws:cdk:disable-creation-stack-traces': true }),
};

Object.assign(process.env, TEST_SWITCHES);

/** `env` less the switches above: the environment a consumer's own `cdk synth` has. */
export function withoutTestSwitches(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !(name in TEST_SWITCHES)));
}
