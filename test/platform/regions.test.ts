import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { DatasetPlatformApp, DatasetPlatformStack } from '../../lib';
import { DEFAULT_REGIONS, parseRegions, platformStackName } from '../../lib/platform/regions';
import { UnsupportedRegionError, unsupportedRegionsMessage } from '../../lib/regions/platform-regions';

describe('parseRegions', () => {
  test.each<[string, unknown, string[]]>([
    ['unset → the defaults', undefined, ['us-east-1', 'cn-north-1']],
    ['a comma-separated string', 'eu-west-1,ap-northeast-1', ['eu-west-1', 'ap-northeast-1']],
    ['spaces and empty items', ' us-west-2 , ,cn-northwest-1', ['us-west-2', 'cn-northwest-1']],
    ['a JSON list from cdk.json', ['us-gov-west-1'], ['us-gov-west-1']],
    ['the European Sovereign Cloud and ISO regions', 'eusc-de-east-1,us-isob-east-1,eu-isoe-west-1', ['eusc-de-east-1', 'us-isob-east-1', 'eu-isoe-west-1']],
  ])('%s', (_name, value, expected) => {
    expect(parseRegions(value)).toEqual(expected);
  });

  test.each<[string, unknown, RegExp]>([
    ['a number', 42, /must be a comma-separated string or a list of region names \(got 42\)/],
    ['an empty string', '', /must list region names such as us-east-1,cn-north-1 \(got ""\)/],
    ['a typo', 'us-east1', /not a region name: us-east1/],
    ['a duplicate', 'us-east-1,us-east-1', /lists us-east-1 more than once/],
  ])('rejects %s', (_name, value, message) => {
    expect(() => parseRegions(value)).toThrow(message);
  });

  test('the default list is what the README documents and stacks are named after the region', () => {
    expect(DEFAULT_REGIONS).toEqual(['us-east-1', 'cn-north-1']);
    expect(platformStackName('cn-north-1')).toBe('DatasetPlatform-cn-north-1');
  });
});

describe('regions the platform cannot run in', () => {
  const MESSAGE = new RegExp([
    '^The dataset platform cannot be deployed to eu-isoe-west-1, us-iso-west-1, us-isob-west-1: every way of reading datasets \\(FSx for Lustre, EFS or S3\\) needs SageMaker training jobs, and these regions lack them\\.',
    '  eu-isoe-west-1 \\(aws-iso-e\\) has no SageMaker API \\(training jobs\\), no FSx for Lustre \\[the AWS SDK endpoint list \\(botocore 1\\.43\\.11\\) for fsx, elasticfilesystem and api\\.sagemaker in eu-isoe-west-1\\]',
    '  us-iso-west-1 \\(aws-iso\\) has no SageMaker API \\(training jobs\\) \\[the AWS SDK endpoint list .*\\]',
    '  us-isob-west-1 \\(aws-iso-b\\) has no SageMaker API \\(training jobs\\), no FSx for Lustre, no EFS \\[the AWS SDK endpoint list .*\\]',
    'Remove them from the regions context \\(-c regions=\\.\\.\\.\\)\\.$',
  ].join('\n'));

  test('every region SageMaker runs in passes; the others are named together, each with what it lacks and the source', () => {
    expect(unsupportedRegionsMessage(['us-east-1', 'cn-north-1', 'ap-southeast-6', 'us-iso-east-1', 'xx-future-1'])).toBeUndefined();
    expect(unsupportedRegionsMessage(['us-east-1', 'eu-isoe-west-1', 'us-iso-west-1', 'us-isob-west-1'])).toMatch(MESSAGE);
    expect(unsupportedRegionsMessage(['us-iso-west-1'])).toMatch(/^The dataset platform cannot be deployed to us-iso-west-1: .* and this region lacks them\.\n.*\nRemove it from/);
  });

  test('DatasetPlatformApp refuses them in one error before building any stack', () => {
    let error: unknown;
    try {
      new DatasetPlatformApp({ context: { regions: 'us-east-1,eu-isoe-west-1,us-iso-west-1,us-isob-west-1' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UnsupportedRegionError);
    expect((error as Error).message).toMatch(MESSAGE);
  });

  test('DatasetPlatformStack refuses one on its own, before any construct', () => {
    const app = new App();
    expect(() => new DatasetPlatformStack(app, 'Iso', { env: { region: 'us-isob-west-1' } })).toThrow(UnsupportedRegionError);
    expect(app.node.findChild('Iso').node.children).toEqual([]);
  });

  test('the README shows the refusal exactly as the app prints it', () => {
    expect(readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8')).toContain(unsupportedRegionsMessage(['us-iso-west-1']));
  });
});
