import { validateLaunchRequest } from '../../lambda/src/launcher';
import { IMAGE, REPOSITORY_URI, testRules, validRequest } from './support/fixtures';

const rules = testRules();
/** A key of `n` copies of `c` as an error path shows it (truncated after 120 characters). */
const long = (c: string, n: number) => `${c.repeat(120)}…(${n - 120} more characters)`;

function errorsOf(request: unknown, ruleSet = rules) {
  const result = validateLaunchRequest(request, ruleSet);
  return result.ok ? [] : result.errors;
}

const range = (n: number, f: (i: number) => unknown = (i) => i) => Array.from({ length: n }, (_, i) => f(i));
const record = (n: number, value: (i: number) => unknown, key = (i: number) => `k${i}`) => Object.fromEntries(range(n, (i) => [key(i), value(i)]) as [string, unknown][]);

describe('launch request validation', () => {
  test('a valid request passes and keeps its values', () => {
    const result = validateLaunchRequest(validRequest(), rules);
    expect(result).toEqual({ ok: true, request: validRequest() });
  });

  test('the minimal request (required fields only) passes', () => {
    const { clientToken, datasetId, channels, trainingImage, instanceType } = validRequest();
    expect(validateLaunchRequest({ clientToken, datasetId, channels, trainingImage, instanceType }, rules).ok).toBe(true);
  });

  // [rule, request overrides, expected path, message fragment]
  const cases: Array<[string, Record<string, unknown>, string, string | RegExp]> = [
    ['unknown top-level field', { hyperparameter: {} }, 'hyperparameter', 'is not a request field'],
    ['clientToken required', { clientToken: undefined }, 'clientToken', 'is required'],
    ['clientToken type', { clientToken: 42 }, 'clientToken', 'must be a string (got number)'],
    ['clientToken empty', { clientToken: '' }, 'clientToken', 'must not be empty'],
    ['clientToken too long', { clientToken: 'a'.repeat(65) }, 'clientToken', 'at most 64'],
    ['clientToken underscore', { clientToken: 'my_token' }, 'clientToken', 'letters, digits and hyphens'],
    ['clientToken trailing hyphen', { clientToken: 'token-' }, 'clientToken', 'letters, digits and hyphens'],
    ['datasetId required', { datasetId: undefined }, 'datasetId', 'is required'],
    ['datasetId with slash', { datasetId: 'a/b' }, 'datasetId', 'Invalid dataset id'],
    ['datasetId too long', { datasetId: 'a'.repeat(65) }, 'datasetId', 'Invalid dataset id'],
    ['channels required', { channels: undefined }, 'channels', 'is required'],
    ['channels not an object', { channels: ['training'] }, 'channels', 'must be an object'],
    ['no channels', { channels: {} }, 'channels', 'has 0 channels; a training job takes 1 to 20'],
    ['more than 20 channels', { channels: record(21, () => ({ datasetChannel: 'training' }), (i) => `c${i}`) }, 'channels', 'has 21 channels'],
    ['channel name with a space', { channels: { 'my channel': { datasetChannel: 'training' } } }, 'channels["my channel"]', 'channel names are characters of'],
    ['channel name longer than 64', { channels: { ['c'.repeat(65)]: { datasetChannel: 'training' } } }, `channels.${'c'.repeat(65)}`, 'at most 64'],
    ['channel settings not an object', { channels: { training: 'train' } }, 'channels.training', 'must be an object of channel settings'],
    ['unknown channel field', { channels: { training: { path: '/x' } } }, 'channels.training.path', 'is not a known field'],
    ['bad channel datasetId', { channels: { training: { datasetId: '../x' } } }, 'channels.training.datasetId', 'Invalid dataset id'],
    ['bad datasetChannel', { channels: { training: { datasetChannel: 'a.b' } } }, 'channels.training.datasetChannel', 'Invalid channel'],
    ['channel name not a dataset channel name needs datasetChannel', { channels: { 'train.v2': {} } }, 'channels["train.v2"].datasetChannel', 'is required'],
    ['bad version', { channels: { training: { version: 'latest' } } }, 'channels.training.version', 'Invalid dataset version'],
    ['bad source', { channels: { training: { source: 'nfs' } } }, 'channels.training.source', 'must be "fileSystem" or "s3"'],
    ['bad input mode', { channels: { training: { inputMode: 'Stream' } } }, 'channels.training.inputMode', 'must be "File", "FastFile" or "Pipe"'],
    ['file-system channel in FastFile mode', { channels: { training: { inputMode: 'FastFile' } } }, 'channels.training.inputMode', 'file-system channels use File mode'],
    ['file-system channel in Pipe mode', { channels: { training: { source: 'fileSystem', inputMode: 'Pipe' } } }, 'channels.training.inputMode', 'File mode'],
    ['content type too long', { channels: { training: { contentType: 'x'.repeat(257) } } }, 'channels.training.contentType', 'at most 256'],
    ['trainingImage required', { trainingImage: undefined }, 'trainingImage', 'is required'],
    ['image from another registry', { trainingImage: 'docker.io/library/python:3' }, 'trainingImage', 'is not in an allowed ECR repository'],
    ['image from a repository with the same prefix', { trainingImage: `${REPOSITORY_URI}-other:v1` }, 'trainingImage', 'is not in an allowed ECR repository'],
    ['image without tag', { trainingImage: REPOSITORY_URI }, 'trainingImage', 'is not in an allowed ECR repository'],
    ['image with a bad tag', { trainingImage: `${REPOSITORY_URI}:-bad` }, 'trainingImage', 'is not a valid image tag'],
    ['image with a bad digest', { trainingImage: `${REPOSITORY_URI}@sha256:abc` }, 'trainingImage', 'is not a valid image digest'],
    ['image longer than 255', { trainingImage: `${REPOSITORY_URI}:${'t'.repeat(250)}` }, 'trainingImage', 'at most 255'],
    ['instanceType required', { instanceType: undefined }, 'instanceType', 'is required'],
    ['instance type not allowed', { instanceType: 'ml.p5.48xlarge' }, 'instanceType', '"ml.p5.48xlarge" is not allowed on this platform; use one of ml.m5.xlarge'],
    ['instanceCount zero', { instanceCount: 0 }, 'instanceCount', 'at least 1'],
    ['instanceCount fractional', { instanceCount: 1.5 }, 'instanceCount', 'whole number'],
    ['instanceCount above the cap', { instanceCount: 5 }, 'instanceCount', 'at most 4 on this platform'],
    ['instanceCount as a string', { instanceCount: '2' }, 'instanceCount', 'must be a number (got string)'],
    ['volume zero', { volumeSizeInGB: 0 }, 'volumeSizeInGB', 'at least 1'],
    ['volume above 16 TiB', { volumeSizeInGB: 16385 }, 'volumeSizeInGB', 'at most 16384'],
    ['max runtime zero', { maxRuntimeInSeconds: 0 }, 'maxRuntimeInSeconds', 'at least 1'],
    ['max runtime above the cap', { maxRuntimeInSeconds: 3 * 86400 + 1 }, 'maxRuntimeInSeconds', 'at most 259200 seconds on this platform'],
    ['hyperparameters not an object', { hyperparameters: [1] }, 'hyperparameters', 'must be an object'],
    ['hyperparameter value null', { hyperparameters: { lr: null } }, 'hyperparameters.lr', 'must be a string, a number or a boolean'],
    ['hyperparameter value an object', { hyperparameters: { lr: { v: 1 } } }, 'hyperparameters.lr', 'must be a string, a number or a boolean'],
    ['hyperparameter value longer than 2500', { hyperparameters: { notes: 'x'.repeat(2501) } }, 'hyperparameters.notes', 'is 2501 characters long; SageMaker accepts at most 2500'],
    ['hyperparameter name longer than 256', { hyperparameters: { ['k'.repeat(257)]: 1 } }, `hyperparameters.${long('k', 257)}`, 'at most 256'],
    ['hyperparameter name empty', { hyperparameters: { '': 1 } }, 'hyperparameters[""]', 'must not be empty'],
    ['more than 100 hyperparameters', { hyperparameters: record(101, (i) => i), sweep: undefined }, 'hyperparameters', 'has 101 hyperparameters; SageMaker accepts at most 100'],
    ['environment name starts with a digit', { environment: { '1X': 'a' } }, 'environment.1X', 'start with a letter or "_"'],
    ['environment name with a hyphen', { environment: { 'MY-VAR': 'a' } }, 'environment.MY-VAR', 'start with a letter or "_"'],
    ['environment name longer than 512', { environment: { ['E'.repeat(513)]: 'a' } }, `environment.${long('E', 513)}`, 'at most 512'],
    ['environment value a number', { environment: { EPOCHS: 5 } }, 'environment.EPOCHS', 'must be a string'],
    ['environment value longer than 512', { environment: { NOTES: 'x'.repeat(513) } }, 'environment.NOTES', 'at most 512'],
    ['more than 100 environment variables', { environment: record(101, () => 'v', (i) => `V${i}`) }, 'environment', 'has 101 variables; SageMaker accepts at most 100'],
    ['tag key aws:', { tags: { 'aws:team': 'a' } }, 'tags["aws:team"]', 'reserved by AWS'],
    ['tag key of the platform', { tags: { 'cdk-sagemaker-datasets:sweep': 'x' } }, 'tags["cdk-sagemaker-datasets:sweep"]', 'set by the platform'],
    ['tag key with a bad character', { tags: { 'team!': 'a' } }, 'tags["team!"]', 'tag keys are letters'],
    ['tag key longer than 128', { tags: { ['t'.repeat(129)]: 'a' } }, `tags.${long('t', 129)}`, 'at most 128'],
    ['tag value with a bad character', { tags: { team: 'a;b' } }, 'tags.team', 'tag values are letters'],
    ['tag value longer than 256', { tags: { team: 'x'.repeat(257) } }, 'tags.team', 'at most 256'],
    ['more than 44 user tags', { tags: record(45, () => 'v') }, 'tags', "has 45 tags; at most 44 (SageMaker's 50 minus the platform's 6)"],
    ['sweep not an object', { sweep: [] }, 'sweep', 'must be an object with either "list" or "grid"'],
    ['sweep with both list and grid', { sweep: { list: [{ a: 1 }], grid: { b: [1] } } }, 'sweep', 'exactly one of "list"'],
    ['sweep with neither', { sweep: {} }, 'sweep', 'exactly one of "list"'],
    ['unknown sweep field', { sweep: { grid: { a: [1] }, random: 3 } }, 'sweep.random', 'is not a known field; use list, grid'],
    ['empty list', { sweep: { list: [] } }, 'sweep.list', 'at least one hyperparameter set'],
    ['empty set in a list', { sweep: { list: [{ a: 1 }, {}] } }, 'sweep.list[1]', 'at least one hyperparameter'],
    ['bad value in a list', { sweep: { list: [{ a: 1 }, { a: [1] }] } }, 'sweep.list[1].a', 'must be a string, a number or a boolean'],
    ['duplicate sets in a list', { sweep: { list: [{ lr: 0.1 }, { lr: '0.1' }] } }, 'sweep.list[1]', 'is the same set as list[0]'],
    ['list longer than maxJobs', { sweep: { list: range(51, (i) => ({ seed: i })) } }, 'sweep.list', 'more sets than the 50 jobs'],
    ['empty grid', { sweep: { grid: {} } }, 'sweep.grid', 'at least one hyperparameter'],
    ['grid key with no values', { sweep: { grid: { lr: [] } } }, 'sweep.grid.lr', 'at least one value'],
    ['grid values not a list', { sweep: { grid: { lr: 0.1 } } }, 'sweep.grid.lr', 'must be a list of values'],
    ['bad grid value', { sweep: { grid: { learning_rate: [0.1, 0.01, null] } } }, 'sweep.grid.learning_rate[2]', 'must be a string, a number or a boolean'],
    ['long grid value', { sweep: { grid: { learning_rate: [0.1, 0.01, 'x'.repeat(2501)] } } }, 'sweep.grid.learning_rate[2]', 'at most 2500'],
    ['duplicate grid value', { sweep: { grid: { learning_rate: [0.1, 0.01, '0.1'] } } }, 'sweep.grid.learning_rate[2]', 'repeats "0.1" from index 0'],
    ['grid larger than maxJobs', { sweep: { grid: { a: range(8), b: range(7) } } }, 'sweep.grid', 'expands to more than 50 jobs (a: 8 × b: 7)'],
    ['sweep pushes a job past 100 hyperparameters', { hyperparameters: record(99, (i) => i), sweep: { list: [{ k1: 5 }, { x: 1, y: 2 }] } }, 'sweep.list[1]', 'gives job 1 101 hyperparameters'],
    ['grid pushes jobs past 100 hyperparameters', { hyperparameters: record(100, (i) => i), sweep: { grid: { extra: [1, 2] } } }, 'sweep.grid', '101 hyperparameters'],
    ['checkpoints false', { checkpoints: false }, 'checkpoints', 'must be true or an object'],
    ['checkpoints relative path', { checkpoints: { localPath: 'ckpt' } }, 'checkpoints.localPath', 'must be an absolute path in the container'],
  ];

  test.each(cases)('%s', (_rule, overrides, path, message) => {
    const errors = errorsOf(validRequest(overrides));
    expect(errors).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(typeof message === 'string' ? escape(message) : message) }]));
  });

  test('every rule above is one error: the other fields stay valid', () => {
    for (const [, overrides, path] of cases) {
      const errors = errorsOf(validRequest(overrides));
      expect(errors.map((error) => error.path)).toContain(path);
    }
  });

  test('reports every bad field at once, in field order, each with its path', () => {
    const errors = errorsOf({
      clientToken: 'bad_token',
      datasetId: 'cats',
      channels: { training: { source: 'nfs' }, evaluation: { inputMode: 'Pipe' } },
      trainingImage: 'docker.io/x:1',
      instanceType: 'ml.p5.48xlarge',
      volumeSizeInGB: -1,
      hyperparameters: { lr: null },
      environment: { '1A': 'x' },
      tags: { 'aws:x': 'y' },
      sweep: { grid: { learning_rate: [0.1, 0.01, {}] } },
      extra: true,
    });
    expect(errors.map((error) => error.path)).toEqual([
      'extra', 'clientToken', 'channels.training.source', 'channels.evaluation.inputMode', 'trainingImage', 'instanceType', 'volumeSizeInGB',
      'hyperparameters.lr', 'environment.1A', 'tags["aws:x"]', 'sweep.grid.learning_rate[2]',
    ]);
  });

  test('a request that is not an object is one error on the request', () => {
    for (const input of [null, 'text', 42, [validRequest()]]) {
      expect(errorsOf(input)).toEqual([{ path: 'request', message: 'must be a JSON object' }]);
    }
  });

  test('without a file system, channels default to S3 and fileSystem is refused', () => {
    const s3Only = testRules({ fileSystem: undefined });
    expect(validateLaunchRequest(validRequest({ channels: { training: { inputMode: 'FastFile' } } }), s3Only).ok).toBe(true);
    expect(errorsOf(validRequest({ channels: { training: { source: 'fileSystem' } } }), s3Only))
      .toEqual([{ path: 'channels.training.source', message: 'this platform has no dataset file system (it reads datasets from S3); use "s3" or leave source out' }]);
  });

  test('S3 channels may use FastFile and Pipe', () => {
    expect(validateLaunchRequest(validRequest({ channels: { training: { source: 's3', inputMode: 'FastFile' }, evaluation: { source: 's3', inputMode: 'Pipe' } } }), rules).ok).toBe(true);
  });

  test('image digests and tags are accepted from allowed repositories', () => {
    for (const trainingImage of [IMAGE, `${REPOSITORY_URI}:2026.11-cuda12_1`, `${REPOSITORY_URI}@sha256:${'a'.repeat(64)}`]) {
      expect(validateLaunchRequest(validRequest({ trainingImage }), rules).ok).toBe(true);
    }
  });

  test('limits at their boundary pass', () => {
    const request = validRequest({
      clientToken: 'a'.repeat(64),
      channels: record(20, () => ({ datasetChannel: 'training' }), (i) => `channel.${i}`),
      hyperparameters: record(98, () => 'x'.repeat(2500)),
      environment: record(100, () => 'v'.repeat(512), (i) => `V_${i}`),
      tags: record(44, () => 'v'.repeat(256)),
      instanceCount: 4,
      volumeSizeInGB: 16384,
      maxRuntimeInSeconds: 3 * 86400,
      sweep: { grid: { a: range(10), b: range(5) } },
    });
    expect(validateLaunchRequest(request, rules)).toMatchObject({ ok: true });
  });
});

function escape(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}
