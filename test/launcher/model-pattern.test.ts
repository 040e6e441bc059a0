import { isReservedName, lineTerminatorAt, modelPattern, reservedEnvironmentVariable, reservedHyperParameter } from '../../lambda/src/launcher';

describe('model patterns compile with Java semantics', () => {
  const cases: Array<[string, string, boolean]> = [
    ['.*', 'anything at all ✓', true],
    ['.*', '', true],
    ['.*', 'a\nb', false],
    ['.*', 'a\r', false],
    ['.*', '\u0085', false],
    ['.*', 'a\u2028', false],
    ['.*', '\u2029b', false],
    ['.*', 'tab\there', true],
    ['(https|s3)://([^/]+)/?(.*)', 's3://bucket/key', true],
    ['(https|s3)://([^/]+)/?(.*)', 's3://bucket/key\n', false],
    ['(https|s3)://([^/]+)/?(.*)', 'xs3://bucket/key', false],
    ['[A-Za-z0-9\\.\\-_]+', 'a.b', true],
    ['[A-Za-z0-9\\.\\-_]+', 'a\nb', false],
    ['[\\S\\s]*', 'a\nb\u2028', true],
    ['a\\.b', 'a.b', true],
    ['a\\.b', 'axb', false],
  ];
  test.each(cases)('%s on %j → %s', (pattern, value, matches) => {
    expect(modelPattern(pattern).test(value)).toBe(matches);
  });

  test('lineTerminatorAt names the first one and where it is', () => {
    expect(lineTerminatorAt('ab\u2028c\n')).toBe('U+2028 at character 2');
    expect(lineTerminatorAt('plain')).toBeUndefined();
  });
});

describe('reserved names', () => {
  test.each(['sagemaker_program', 'SAGEMAKER_program'])('hyperparameter %s is reserved unless allowed', (name) => {
    expect(reservedHyperParameter(name, [])).toContain('is reserved');
    expect(reservedHyperParameter(name, [name])).toBeUndefined();
  });
  test.each(['SAGEMAKER_REGION', 'SM_CHANNELS', 'AWS_ENDPOINT_URL', 'LD_PRELOAD', 'ld_preload', 'PYTHONPATH', 'HTTPS_PROXY', 'PATH'])('environment %s is reserved unless allowed', (name) => {
    expect(reservedEnvironmentVariable(name, [])).toContain('is reserved');
    expect(reservedEnvironmentVariable(name, [name])).toBeUndefined();
    expect(isReservedName(name)).toBe(true);
  });
  test.each(['epochs', 'WANDB_MODE', 'MY_PATH', 'SMALL'])('%s is an ordinary name', (name) => {
    expect(reservedHyperParameter(name, [])).toBeUndefined();
    expect(reservedEnvironmentVariable(name, [])).toBeUndefined();
    expect(isReservedName(name)).toBe(false);
  });
});
