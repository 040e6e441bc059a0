import { DatasetChannelInputMode } from '../../contract/launch-request';
import { SAGEMAKER_LIMITS } from '../../lambda/src/launcher';
import { TrainingJobLauncher } from '../../lib';
import { buildRequests } from './support/build';
import { anchoredPattern, checkAgainstModel, describeWithSageMakerModel } from './support/botocore-model';
import { REPOSITORY_URI, testConfig } from './support/fixtures';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describeWithSageMakerModel('built CreateTrainingJob requests against botocore\'s SageMaker model', (model) => {
  const inputShape = () => model().operations.CreateTrainingJob.input!.shape;

  const variants: Array<[string, Record<string, unknown>, Parameters<typeof testConfig>[0]]> = [
    ['FSx for Lustre channels, a 2×2 grid', {}, {}],
    ['EFS channels', {}, { fileSystem: { id: 'fs-0fedcba9876543210', type: 'EFS', datasetRootDirectory: '/datasets', subnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'] } }],
    ['the S3 tier (no file system): FastFile by default', {}, { fileSystem: undefined }],
    ['the S3 tier with File mode, a pinned version and another dataset', {
      channels: { training: { version: 'v20261122T115526Z-0123456789ab' }, evaluation: { inputMode: 'FastFile', contentType: 'application/x-tfrecord' } },
    }, { fileSystem: undefined, s3InputMode: DatasetChannelInputMode.FILE }],
    ['S3 channels in FastFile and Pipe mode', { channels: { training: { source: 's3', inputMode: 'FastFile' }, evaluation: { source: 's3', inputMode: 'Pipe', contentType: 'application/x-tfrecord' } } }, {}],
    ['KMS keys, checkpoints, environment, tags', {
      instanceType: 'ml.m5.xlarge', checkpoints: { localPath: '/opt/ml/checkpoints' }, environment: { WANDB_MODE: 'offline', _X: '1' }, tags: { team: 'vision', 'cost center': 'a/b=c+d@e' },
    }, { volumeKmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', outputKmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' }],
    ['every limit at its maximum', {
      clientToken: 'x'.repeat(64),
      hyperparameters: Object.fromEntries(range(98).map((i) => [`h${i}`.padEnd(256, 'k'), 'v'.repeat(2500)])),
      environment: Object.fromEntries(range(100).map((i) => [`E${i}`.padEnd(512, '_'), 'v'.repeat(512)])),
      tags: Object.fromEntries(range(44).map((i) => [`t${i}`.padEnd(128, 't'), 'v'.repeat(256)])),
      maxRuntimeInSeconds: SAGEMAKER_LIMITS.maxRuntimeInSeconds.max,
      trainingImage: `${REPOSITORY_URI}:${'t'.repeat(128)}`,
      sweep: { grid: { a: [1, 2] } },
    }, { maxRuntimeInSeconds: SAGEMAKER_LIMITS.maxRuntimeInSeconds.max, jobNamePrefix: 'p'.repeat(24) }],
    ['spot training with metric definitions', {
      useSpot: true, checkpoints: true, maxWaitTimeInSeconds: 172800,
      metricDefinitions: Array.from({ length: 40 }, (_, i) => ({ name: `m${i}`.padEnd(255, 'm'), regex: `loss${i}: ([0-9.]+)`.padEnd(500, ' ') })),
    }, {}],
  ];

  test.each(variants)('%s', async (_name, overrides, config) => {
    const { requests } = await buildRequests(overrides, testConfig(config));
    for (const request of requests) {
      expect(checkAgainstModel(model(), inputShape(), request)).toEqual([]);
    }
  });

  test('the check is live: it reports a bad name, a missing member, an unknown member and a bad enum', () => {
    const problems = checkAgainstModel(model(), inputShape(), {
      TrainingJobName: 'bad_name',
      RoleArn: 'arn:aws:iam::123456789012:role/x',
      OutputDataConfig: {},
      ResourceConfig: { InstanceType: 'ml.nope.xlarge', InstanceCount: 1, VolumeSizeInGB: 1, Bogus: 1 },
    });
    expect(problems).toEqual([
      expect.stringContaining('TrainingJobName: "bad_name" does not match'),
      expect.stringContaining('OutputDataConfig: required member S3OutputPath is missing'),
      expect.stringContaining('ResourceConfig.InstanceType: "ml.nope.xlarge" is not one of'),
      expect.stringContaining('ResourceConfig: Bogus is not a member'),
    ]);
  });

  test('the launcher\'s limits equal the model\'s', () => {
    const shapes = model().shapes;
    expect(shapes.TrainingJobName).toMatchObject({ max: SAGEMAKER_LIMITS.trainingJobName.max });
    expect(`^${shapes.TrainingJobName.pattern}$`).toBe(SAGEMAKER_LIMITS.trainingJobName.pattern.source);
    expect(shapes.HyperParameters.max).toBe(SAGEMAKER_LIMITS.hyperParameters.maxEntries);
    expect(shapes.HyperParameterKey.max).toBe(SAGEMAKER_LIMITS.hyperParameters.maxKeyLength);
    expect(shapes.HyperParameterValue.max).toBe(SAGEMAKER_LIMITS.hyperParameters.maxValueLength);
    expect(shapes.TrainingEnvironmentMap.max).toBe(SAGEMAKER_LIMITS.environment.maxEntries);
    expect(shapes.TrainingEnvironmentKey.max).toBe(SAGEMAKER_LIMITS.environment.maxKeyLength);
    expect(shapes.TrainingEnvironmentValue.max).toBe(SAGEMAKER_LIMITS.environment.maxValueLength);
    expect(`^${shapes.TrainingEnvironmentKey.pattern}$`).toBe(SAGEMAKER_LIMITS.environment.keyPattern.source);
    expect(shapes.InputDataConfig).toMatchObject({ min: SAGEMAKER_LIMITS.channels.min, max: SAGEMAKER_LIMITS.channels.max });
    expect(shapes.ChannelName.max).toBe(SAGEMAKER_LIMITS.channels.maxNameLength);
    expect(shapes.Subnets).toMatchObject({ min: SAGEMAKER_LIMITS.subnets.min, max: SAGEMAKER_LIMITS.subnets.max });
    expect(shapes.VpcSecurityGroupIds).toMatchObject({ min: SAGEMAKER_LIMITS.securityGroups.min, max: SAGEMAKER_LIMITS.securityGroups.max });
    expect(shapes.TagList.max).toBe(SAGEMAKER_LIMITS.tags.max);
    expect(shapes.TagKey.max).toBe(SAGEMAKER_LIMITS.tags.maxKeyLength);
    expect(shapes.TagValue.max).toBe(SAGEMAKER_LIMITS.tags.maxValueLength);
    expect(shapes.FileSystemId).toMatchObject({ min: SAGEMAKER_LIMITS.fileSystemId.min, max: SAGEMAKER_LIMITS.fileSystemId.max });
    expect(shapes.DirectoryPath.max).toBe(SAGEMAKER_LIMITS.directoryPath.maxLength);
    expect(shapes.ContentType.max).toBe(SAGEMAKER_LIMITS.contentType.maxLength);
    expect(shapes.S3Uri.max).toBe(SAGEMAKER_LIMITS.s3Uri.maxLength);
    expect(shapes.RoleArn).toMatchObject({ min: SAGEMAKER_LIMITS.roleArn.min, max: SAGEMAKER_LIMITS.roleArn.max });
    // Model strings for the anchored patterns the launcher uses.
    for (const [shape, pattern] of [['ChannelName', SAGEMAKER_LIMITS.channels.namePattern], ['FileSystemId', SAGEMAKER_LIMITS.fileSystemId.pattern]] as const) {
      for (const sample of ['training', 'a.b-c_d', 'fs-0123456789abcdef0', 'a b', '', 'fs-xyz']) {
        expect([shape, sample, pattern.test(sample)]).toEqual([shape, sample, anchoredPattern(shapes[shape].pattern!).test(sample)]);
      }
    }
  });

  test('the default allowed instance types are training instance types of the model', () => {
    const instanceTypes = model().shapes.TrainingInstanceType.enum!;
    expect(TrainingJobLauncher.DEFAULT_ALLOWED_INSTANCE_TYPES.filter((type) => !instanceTypes.includes(type))).toEqual([]);
  });
});
