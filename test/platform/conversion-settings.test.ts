import { App, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DatasetPlatformStack } from '../../lib';

type Fn = { Properties: { Environment?: { Variables?: Record<string, unknown> } } };

describe('DatasetPlatformStack conversion: the ingestion\'s settings, validation split included', () => {
  test('conversion.validationFraction reaches the single function and the distributed planner as the same CONVERSION_OPTIONS', () => {
    const stack = new DatasetPlatformStack(new App(), 'Platform', { env: { region: 'us-east-1' }, conversion: { validationFraction: 0.1, seed: 5 } });
    const variables = (Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as Fn[]).map((fn) => fn.Properties.Environment?.Variables ?? {});
    const options = variables.map((v) => v.CONVERSION_OPTIONS).filter(Boolean);
    expect(options.length).toBeGreaterThanOrEqual(2);
    expect(new Set(options)).toEqual(new Set([JSON.stringify({ shuffleBlockBytes: 16 * 1024 * 1024, seed: 5, validationFraction: 0.1 })]));
  });

  test('a bad fraction fails at synth naming the prop', () => {
    expect(() => new DatasetPlatformStack(new App(), 'Platform', { env: { region: 'us-east-1' }, conversion: { validationFraction: 0.9 } }))
      .toThrow(/conversion\.validationFraction is 0\.9; it must be a number greater than 0 and at most 0\.5/);
  });
});

describe('DatasetPlatformStack distributedConversion: the ingestion\'s distributed options', () => {
  type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const fnNamed = (resources: Resources, prefix: string) =>
    Object.entries(resources).filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(prefix)).map(([, r]) => r.Properties);

  test('maxConcurrentConversions, workerReservedConcurrency and the backlog alarm follow the prop', () => {
    const stack = new DatasetPlatformStack(new App(), 'Platform', {
      env: { region: 'us-east-1' },
      distributedConversion: { maxConcurrency: 50, maxConcurrentConversions: 3, workerReservedConcurrency: 120, timeout: Duration.hours(2) },
    });
    const resources = Template.fromStack(stack).toJSON().Resources as Resources;
    const [dispatcher] = fnNamed(resources, 'IngestionDistributedDispatcher');
    expect((dispatcher.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({ MAX_CONCURRENT_CONVERSIONS: '3' });
    const [worker] = fnNamed(resources, 'IngestionDistributedWorker');
    expect(worker.ReservedConcurrentExecutions).toBe(120);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 2 * 3600 });
  });

  test('enabled: false builds no distributed conversion (no state machine, no backlog alarm)', () => {
    const stack = new DatasetPlatformStack(new App(), 'Platform', { env: { region: 'us-east-1' }, distributedConversion: { enabled: false } });
    expect(stack.ingestion.distributedConversion).toBeUndefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ApproximateAgeOfOldestMessage' } })).toEqual({});
  });

  test('a bad option fails at synth naming the prop', () => {
    expect(() => new DatasetPlatformStack(new App(), 'Platform', { env: { region: 'us-east-1' }, distributedConversion: { maxConcurrentConversions: 0 } }))
      .toThrow(/maxConcurrentConversions is 0/);
  });
});
