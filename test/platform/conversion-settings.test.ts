import { App } from 'aws-cdk-lib';
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
