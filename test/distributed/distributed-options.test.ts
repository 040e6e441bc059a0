import { App, CfnParameter, Duration, Size, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DatasetIngestion, DatasetIngestionDistributedOptions, DistributedConversionOptions, TrainingNetwork } from '../../lib';
import { definitionOf, evaluate, type Json } from './support/construct-stack';

// The distributed options are declared once (DistributedConversionOptions); DatasetIngestion takes
// them in distributedConversion and passes every one through to the DistributedConversion it creates.

function ingestionTemplate(distributedConversion: DatasetIngestionDistributedOptions, configure?: (stack: Stack) => DatasetIngestionDistributedOptions) {
  const stack = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
  const network = new TrainingNetwork(stack, 'Network');
  new DatasetIngestion(stack, 'Ingestion', { network, distributedConversion: configure ? configure(stack) : distributedConversion });
  return { stack, template: Template.fromStack(stack) };
}

const functionsByService = (t: Template): Record<string, Json> => Object.fromEntries(
  (Object.values(t.findResources('AWS::Lambda::Function')) as Json[])
    .filter((f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME)
    .map((f) => [f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME, f.Properties]));

/** The state machine definition with references rendered as `<LogicalId>` (a token is not JSON). */
const definitionText = (t: Template): string =>
  evaluate((Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0] as Json).Properties.DefinitionString) as string;

/** Every option, a non-default value, and where it lands in the template. */
const CASES: Array<[keyof DistributedConversionOptions, DistributedConversionOptions, (t: Template) => unknown, unknown]> = [
  ['maxConcurrency', { maxConcurrency: 321 }, (t) => definitionOf(t).States.ConvertShards.MaxConcurrency, 321],
  ['workItemSize', { workItemSize: Size.mebibytes(256) }, (t) => functionsByService(t)['plan-conversion'].Environment.Variables.WORK_ITEM_BYTES, String(256 * 1024 ** 2)],
  ['workerMemorySize', { workerMemorySize: 4096 }, (t) => functionsByService(t)['convert-shards'].MemorySize, 4096],
  ['workerTimeout', { workerTimeout: Duration.minutes(7) }, (t) => functionsByService(t)['convert-shards'].Timeout, 420],
  ['workerRetries', { workerRetries: 5 }, (t) => definitionOf(t).States.ConvertShards.ItemProcessor.States.ConvertWorkItem.Retry.at(-1).MaxAttempts, 5],
  ['plannerMemorySize', { plannerMemorySize: 5120 }, (t) => functionsByService(t)['plan-conversion'].MemorySize, 5120],
  ['finalizerMemorySize', { finalizerMemorySize: 6144 }, (t) => functionsByService(t)['finalize-conversion'].MemorySize, 6144],
  ['timeout', { timeout: Duration.hours(3) }, (t) => definitionOf(t).TimeoutSeconds, 3 * 3600],
  ['maxConcurrentConversions', { maxConcurrentConversions: 3 }, (t) => functionsByService(t)['dispatch-conversions'].Environment.Variables.MAX_CONCURRENT_CONVERSIONS, '3'],
  ['workerReservedConcurrency', { workerReservedConcurrency: 250 }, (t) => functionsByService(t)['convert-shards'].ReservedConcurrentExecutions, 250],
];

describe('DatasetIngestion passes every distributed option through', () => {
  test('the table covers every option of DistributedConversionOptions', () => {
    // A compile-time list: adding an option without adding it here fails to type-check.
    const every: Record<keyof DistributedConversionOptions, true> = {
      maxConcurrency: true, workItemSize: true, workerMemorySize: true, workerTimeout: true, workerRetries: true,
      plannerMemorySize: true, finalizerMemorySize: true, timeout: true, maxConcurrentConversions: true, workerReservedConcurrency: true,
    };
    expect(CASES.map(([name]) => name).sort()).toEqual(Object.keys(every).sort());
  });

  const defaults = ingestionTemplate({}).template;
  test.each(CASES)('%s reaches the template', (_name, options, read, expected) => {
    expect(read(defaults)).not.toEqual(expected);
    expect(read(ingestionTemplate(options).template)).toEqual(expected);
  });

  test('DatasetIngestionDistributedOptions is DistributedConversionOptions plus enabled', () => {
    const options: DatasetIngestionDistributedOptions = { enabled: true, plannerMemorySize: 4096 } satisfies DistributedConversionOptions & { enabled: boolean };
    expect(options.plannerMemorySize).toBe(4096);
  });
});

describe('token-valued distributed options pass validation (CloudFormation parameters)', () => {
  test.each<[string, (n: number) => DistributedConversionOptions, (t: Template) => unknown, string]>([
    ['maxConcurrency', (n) => ({ maxConcurrency: n }), (t) => definitionText(t).match(/"MaxConcurrency":[^,}]*/)?.[0], 'maxConcurrency'],
    ['workerMemorySize', (n) => ({ workerMemorySize: n }), (t) => functionsByService(t)['convert-shards'].MemorySize, 'workerMemorySize'],
    ['plannerMemorySize', (n) => ({ plannerMemorySize: n }), (t) => functionsByService(t)['plan-conversion'].MemorySize, 'plannerMemorySize'],
    ['finalizerMemorySize', (n) => ({ finalizerMemorySize: n }), (t) => functionsByService(t)['finalize-conversion'].MemorySize, 'finalizerMemorySize'],
    ['workerRetries', (n) => ({ workerRetries: n }), (t) => definitionText(t).match(/"MaxAttempts":<workerRetries>/)?.[0], 'workerRetries'],
    ['maxConcurrentConversions', (n) => ({ maxConcurrentConversions: n }), (t) => functionsByService(t)['dispatch-conversions'].Environment.Variables.MAX_CONCURRENT_CONVERSIONS, 'maxConcurrentConversions'],
    ['workerReservedConcurrency', (n) => ({ workerReservedConcurrency: n }), (t) => functionsByService(t)['convert-shards'].ReservedConcurrentExecutions, 'workerReservedConcurrency'],
  ])('%s', (_name, options, read, parameter) => {
    let value: number | undefined;
    const { template } = ingestionTemplate({}, (stack) => {
      value = new CfnParameter(stack, parameter, { type: 'Number' }).valueAsNumber;
      return options(value);
    });
    expect(Token.isUnresolved(value)).toBe(true);
    expect(JSON.stringify(read(template))).toContain(parameter);
  });
});
