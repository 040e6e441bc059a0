import { LAUNCHER_ENV, LauncherConfigError, isoTime, loadLauncherConfig, toStateChangedDetail } from '../../lambda/src/launcher';
import { TENANTS_ENV } from '../../contract/tenant-directory';

const TENANTS = { tenants: [{
  name: 'vision', principalArnPatterns: ['arn:aws-cn:iam::123456789012:role/vision-*'], claimValues: [], readsSharedDatasets: true, maxConcurrentJobs: 3,
  executionRoleArn: 'arn:aws-cn:iam::123456789012:role/dsp-vision-execution', accessRoleArn: 'arn:aws-cn:iam::123456789012:role/dsp-vision-access',
}] };

const ENV: Record<string, string> = {
  [LAUNCHER_ENV.JOB_NAME_PREFIX]: 'dsp',
  [TENANTS_ENV]: JSON.stringify(TENANTS),
  [LAUNCHER_ENV.ARTIFACTS_BUCKET]: 'artifacts-bucket',
  [LAUNCHER_ENV.DATASET_BUCKET]: 'dataset-bucket',
  [LAUNCHER_ENV.SUBNET_IDS]: '["subnet-0aaa1111","subnet-0bbb2222"]',
  [LAUNCHER_ENV.SECURITY_GROUP_IDS]: '["sg-0training1"]',
  [LAUNCHER_ENV.FILE_SYSTEM]: '{"id":"fs-0123456789abcdef0","type":"EFS","datasetRootDirectory":"/datasets","subnetIds":["subnet-0aaa1111"]}',
  [LAUNCHER_ENV.IMAGE_REPOSITORIES]: '["123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/train"]',
  [LAUNCHER_ENV.INSTANCE_TYPES]: '["ml.g5.xlarge"]',
  [LAUNCHER_ENV.MAX_RUNTIME_SECONDS]: '86400',
  [LAUNCHER_ENV.MAX_JOBS]: '50',
  [LAUNCHER_ENV.MAX_INSTANCE_COUNT]: '4',
  [LAUNCHER_ENV.MAX_VOLUME_SIZE_GB]: '512',
  [LAUNCHER_ENV.MAX_INSTANCES_PER_REQUEST]: '50',
  [LAUNCHER_ENV.INTER_CONTAINER_ENCRYPTION]: 'true',
  [LAUNCHER_ENV.CONCURRENCY]: '2',
};

describe('launcher configuration from the environment (cold start)', () => {
  test('parses the construct\'s variables', () => {
    expect(loadLauncherConfig(ENV)).toEqual({
      jobNamePrefix: 'dsp',
      tenants: TENANTS,
      artifactsBucket: 'artifacts-bucket',
      datasetBucket: 'dataset-bucket',
      subnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'],
      securityGroupIds: ['sg-0training1'],
      fileSystem: { id: 'fs-0123456789abcdef0', type: 'EFS', datasetRootDirectory: '/datasets', subnetIds: ['subnet-0aaa1111'] },
      allowedImageRepositories: ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/train'],
      allowedInstanceTypes: ['ml.g5.xlarge'],
      maxRuntimeInSeconds: 86400,
      maxJobs: 50,
      maxInstanceCount: 4,
      maxVolumeSizeInGB: 512,
      maxInstancesPerRequest: 50,
      interContainerTrafficEncryption: true,
      networkIsolation: false,
      concurrency: 2,
      s3InputMode: 'FastFile',
      allowedReservedNames: [],
    });
  });

  test('the S3 input mode: FastFile when unset, File when set, anything else refused with the variable', () => {
    expect(loadLauncherConfig({ ...ENV, [LAUNCHER_ENV.S3_INPUT_MODE]: 'File' }).s3InputMode).toBe('File');
    expect(loadLauncherConfig({ ...ENV, [LAUNCHER_ENV.S3_INPUT_MODE]: 'FastFile' }).s3InputMode).toBe('FastFile');
    expect(() => loadLauncherConfig({ ...ENV, [LAUNCHER_ENV.S3_INPUT_MODE]: 'Pipe' })).toThrow(/LAUNCHER_S3_INPUT_MODE: /);
  });

  test('every problem is listed with its variable', () => {
    const broken = {
      ...ENV,
      [LAUNCHER_ENV.JOB_NAME_PREFIX]: 'DSP',
      [LAUNCHER_ENV.SUBNET_IDS]: '[subnet',
      [LAUNCHER_ENV.MAX_RUNTIME_SECONDS]: '2419201',
      [LAUNCHER_ENV.INSTANCE_TYPES]: '["g5.xlarge"]',
      [TENANTS_ENV]: JSON.stringify({ tenants: [{ ...TENANTS.tenants[0], executionRoleArn: 'role/x' }] }),
    };
    let error: LauncherConfigError | undefined;
    try {
      loadLauncherConfig(broken);
    } catch (caught) {
      error = caught as LauncherConfigError;
    }
    expect(error).toBeInstanceOf(LauncherConfigError);
    expect(error!.problems).toEqual([
      expect.stringMatching(/^LAUNCHER_SUBNET_IDS is not JSON/),
      expect.stringMatching(/^LAUNCHER_JOB_NAME_PREFIX: must be lowercase letters/),
      expect.stringMatching(/^LAUNCHER_SUBNET_IDS: /),
      expect.stringMatching(/^LAUNCHER_INSTANCE_TYPES \(\[0\]\): must be an ml\.\* instance type/),
      expect.stringMatching(/^LAUNCHER_MAX_RUNTIME_SECONDS: /),
      'PLATFORM_TENANTS (tenant vision executionRoleArn): must be an IAM role ARN',
    ]);
    expect(error!.message).toContain('the TrainingJobLauncher construct sets it');
  });

  test('file-system subnets must be training subnets', () => {
    expect(() => loadLauncherConfig({ ...ENV, [LAUNCHER_ENV.FILE_SYSTEM]: '{"id":"fs-0123456789abcdef0","type":"EFS","datasetRootDirectory":"/datasets","subnetIds":["subnet-0ccc3333"]}' }))
      .toThrow(/subnet-0ccc3333 are not training subnets/);
  });

  test('optional keys and no file system', () => {
    const rest = Object.fromEntries(Object.entries(ENV).filter(([name]) => name !== LAUNCHER_ENV.FILE_SYSTEM));
    const config = loadLauncherConfig({ ...rest, [LAUNCHER_ENV.OUTPUT_KMS_KEY]: 'arn:aws-cn:kms:cn-north-1:123456789012:key/abc' });
    expect(config.fileSystem).toBeUndefined();
    expect(config.outputKmsKeyId).toBe('arn:aws-cn:kms:cn-north-1:123456789012:key/abc');
  });
});

describe('TrainingJobStateChanged from SageMaker\'s "Training Job State Change"', () => {
  const detail = {
    TrainingJobName: 'dsp-sweep-a-1-0a1b2c3d',
    TrainingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/dsp-sweep-a-1-0a1b2c3d',
    TrainingJobStatus: 'Failed',
    SecondaryStatus: 'Failed',
    FailureReason: 'AlgorithmError: out of memory',
    HyperParameters: { learning_rate: '0.01' },
    Tags: { 'cdk-sagemaker-datasets:sweep': 'sweep-a', 'cdk-sagemaker-datasets:sweep-index': '1', 'cdk-sagemaker-datasets:dataset': 'cats', team: 'vision' },
    CreationTime: '1583831889050',
    LastModifiedTime: 1583831999050,
  };

  test('maps job, sweep, dataset, status, secondary status, failure reason; epoch-millisecond times become ISO', () => {
    expect(toStateChangedDetail(detail, 'dsp')).toEqual({
      schemaVersion: 1,
      platform: 'dsp',
      jobName: 'dsp-sweep-a-1-0a1b2c3d',
      jobArn: detail.TrainingJobArn,
      status: 'Failed',
      secondaryStatus: 'Failed',
      failureReason: 'AlgorithmError: out of memory',
      sweep: 'sweep-a',
      sweepIndex: 1,
      datasetId: 'cats',
      hyperparameters: { learning_rate: '0.01' },
      creationTime: '2020-03-10T09:18:09.050Z',
      lastModifiedTime: '2020-03-10T09:19:59.050Z',
    });
  });

  test('the model artifact URI once SageMaker reports it; a [{Key, Value}] tag list works too', () => {
    const completed = toStateChangedDetail({
      ...detail, TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed', FailureReason: undefined,
      ModelArtifacts: { S3ModelArtifacts: 's3://artifacts/jobs/dsp-sweep-a-1-0a1b2c3d/output/model.tar.gz' },
      Tags: [{ Key: 'cdk-sagemaker-datasets:dataset', Value: 'cats' }],
    }, 'dsp');
    expect(completed).toMatchObject({ status: 'Completed', modelArtifactUri: 's3://artifacts/jobs/dsp-sweep-a-1-0a1b2c3d/output/model.tar.gz', datasetId: 'cats' });
    expect(completed).not.toHaveProperty('failureReason');
    expect(completed).not.toHaveProperty('sweep');
  });

  test('jobs of other platforms (or other prefixes) are ignored', () => {
    expect(toStateChangedDetail({ ...detail, TrainingJobName: 'dspx-sweep-1-0a1b2c3d' }, 'dsp')).toBeUndefined();
    expect(toStateChangedDetail({ ...detail, TrainingJobName: 'other-job' }, 'dsp')).toBeUndefined();
    expect(toStateChangedDetail({ ...detail, TrainingJobStatus: undefined }, 'dsp')).toBeUndefined();
  });

  test('times: epoch milliseconds as number or string, ISO text, nonsense', () => {
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoTime('2026-11-22T12:00:00Z')).toBe('2026-11-22T12:00:00.000Z');
    expect(isoTime('not a time')).toBeUndefined();
    expect(isoTime(undefined)).toBeUndefined();
  });
});
