import { DEFAULT_REGIONS, parseRegions, platformStackName } from '../../lib/platform/regions';

describe('parseRegions', () => {
  test.each<[string, unknown, string[]]>([
    ['unset → the defaults', undefined, ['us-east-1', 'cn-north-1']],
    ['a comma-separated string', 'eu-west-1,ap-northeast-1', ['eu-west-1', 'ap-northeast-1']],
    ['spaces and empty items', ' us-west-2 , ,cn-northwest-1', ['us-west-2', 'cn-northwest-1']],
    ['a JSON list from cdk.json', ['us-gov-west-1'], ['us-gov-west-1']],
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
