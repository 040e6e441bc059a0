import { DatasetChannelInputMode } from '../../contract/launch-request';
import { checkCreateTrainingJobRequest, resolveDatasets, planJobs, requestRules, validateLaunchRequest } from '../../lambda/src/launcher';
import { TFRECORD_CONTENT_TYPE, efsDirectoryPath, fsxLustreDirectoryPath } from '../../contract/sagemaker-channel';
import { buildRequests } from './support/build';
import { IMAGE, MemoryObjects, TENANT, VERSION_A, VERSION_B, testConfig, validRequest } from './support/fixtures';

const FSX = testConfig();
const EFS = testConfig({ fileSystem: { id: 'fs-0fedcba9876543210', type: 'EFS', datasetRootDirectory: '/datasets', subnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'] } });
const S3_ONLY = testConfig({ fileSystem: undefined });

describe('request → CreateTrainingJob', () => {
  test('FSx for Lustre channels: pinned version directory below /<mountName>/datasets, read-only, File mode; only the FSx AZ subnets', async () => {
    const { jobs, requests } = await buildRequests({}, FSX);
    const [first] = requests;
    expect(first.InputDataConfig).toEqual([
      {
        ChannelName: 'training',
        DataSource: { FileSystemDataSource: { FileSystemId: 'fs-0123456789abcdef0', FileSystemType: 'FSxLustre', DirectoryPath: `/abcd1234/datasets/vision/cats/training/${VERSION_A}`, FileSystemAccessMode: 'ro' } },
        InputMode: 'File',
        ContentType: TFRECORD_CONTENT_TYPE,
      },
      {
        ChannelName: 'evaluation',
        DataSource: { FileSystemDataSource: { FileSystemId: 'fs-0123456789abcdef0', FileSystemType: 'FSxLustre', DirectoryPath: `/abcd1234/datasets/vision/cats/evaluation/${VERSION_A}`, FileSystemAccessMode: 'ro' } },
        InputMode: 'File',
        ContentType: TFRECORD_CONTENT_TYPE,
      },
    ]);
    // The shared DirectoryPath derivation of the file-system constructs gives the same path.
    expect(first.InputDataConfig![0].DataSource!.FileSystemDataSource!.DirectoryPath).toBe(fsxLustreDirectoryPath('abcd1234', '/datasets', `vision/cats/training/${VERSION_A}`));
    expect(first.VpcConfig).toEqual({ Subnets: ['subnet-0aaa1111'], SecurityGroupIds: ['sg-0training1'] });
    expect(first).toMatchObject({
      TrainingJobName: jobs[0].name,
      RoleArn: TENANT.executionRoleArn,
      AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
      OutputDataConfig: { S3OutputPath: 's3://artifacts-bucket/jobs/vision/' },
      ResourceConfig: { InstanceType: 'ml.g5.xlarge', InstanceCount: 1, VolumeSizeInGB: 50 },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      HyperParameters: { epochs: '10', batch_size: '32', learning_rate: '0.1' },
      EnableInterContainerTrafficEncryption: true,
    });
    expect(first.CheckpointConfig).toBeUndefined();
    expect(first.Environment).toBeUndefined();
  });

  test('EFS channels: the dataset directory from the file-system root, every training subnet with a mount target', async () => {
    const { requests } = await buildRequests({}, EFS);
    expect(requests[0].InputDataConfig![0]).toEqual({
      ChannelName: 'training',
      DataSource: { FileSystemDataSource: { FileSystemId: 'fs-0fedcba9876543210', FileSystemType: 'EFS', DirectoryPath: `/datasets/vision/cats/training/${VERSION_A}`, FileSystemAccessMode: 'ro' } },
      InputMode: 'File',
      ContentType: TFRECORD_CONTENT_TYPE,
    });
    expect(requests[0].InputDataConfig![0].DataSource!.FileSystemDataSource!.DirectoryPath).toBe(efsDirectoryPath('/datasets', `vision/cats/training/${VERSION_A}`));
    expect(requests[0].VpcConfig!.Subnets).toEqual(['subnet-0aaa1111', 'subnet-0bbb2222']);
  });

  test('S3 channels: the pinned version prefix of the dataset bucket, fully replicated, the requested input mode or FastFile; all training subnets', async () => {
    const { requests } = await buildRequests({ channels: { training: { source: 's3', inputMode: 'FastFile', contentType: 'application/x-tfrecord' }, evaluation: { source: 's3' } } }, FSX);
    expect(requests[0].InputDataConfig).toEqual([
      {
        ChannelName: 'training',
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://dataset-bucket/datasets/vision/cats/training/${VERSION_A}/`, S3DataDistributionType: 'FullyReplicated' } },
        InputMode: 'FastFile',
        ContentType: 'application/x-tfrecord',
      },
      {
        ChannelName: 'evaluation',
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://dataset-bucket/datasets/vision/cats/evaluation/${VERSION_A}/`, S3DataDistributionType: 'FullyReplicated' } },
        // No input mode requested: the launcher's S3 input mode (FastFile by default).
        InputMode: 'FastFile',
        ContentType: TFRECORD_CONTENT_TYPE,
      },
    ]);
    // No file-system channel: any training subnet will do.
    expect(requests[0].VpcConfig!.Subnets).toEqual(['subnet-0aaa1111', 'subnet-0bbb2222']);
  });

  test('the S3 tier (no file system): every channel reads its pinned version prefix in FastFile mode, on any training subnet', async () => {
    const { requests } = await buildRequests({}, S3_ONLY);
    for (const request of requests) {
      expect(request.InputDataConfig).toEqual(['training', 'evaluation'].map((channel) => ({
        ChannelName: channel,
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://dataset-bucket/datasets/vision/cats/${channel}/${VERSION_A}/`, S3DataDistributionType: 'FullyReplicated' } },
        InputMode: 'FastFile',
        ContentType: TFRECORD_CONTENT_TYPE,
      })));
      expect(request.VpcConfig!.Subnets).toEqual(['subnet-0aaa1111', 'subnet-0bbb2222']);
      expect(request.AlgorithmSpecification!.TrainingInputMode).toBe('File');
    }
  });

  test('the S3 tier with File mode configured: channels download the version; a request may still ask for FastFile or Pipe', async () => {
    const { requests } = await buildRequests({ channels: { training: {}, evaluation: { inputMode: 'Pipe' }, holdout: { datasetChannel: 'evaluation', inputMode: 'FastFile' } } },
      testConfig({ fileSystem: undefined, s3InputMode: DatasetChannelInputMode.FILE }));
    expect(requests[0].InputDataConfig!.map((channel) => [channel.ChannelName, channel.InputMode, channel.DataSource!.S3DataSource!.S3Uri]))
      .toEqual([
        ['training', 'File', `s3://dataset-bucket/datasets/vision/cats/training/${VERSION_A}/`],
        ['evaluation', 'Pipe', `s3://dataset-bucket/datasets/vision/cats/evaluation/${VERSION_A}/`],
        ['holdout', 'FastFile', `s3://dataset-bucket/datasets/vision/cats/evaluation/${VERSION_A}/`],
      ]);
  });

  describe('channels of every kind: the version\'s manifest says what it holds', () => {
    const kinded = () => {
      const objects = new MemoryObjects().addConverted('cats', 'training', VERSION_A).addConverted('cats', 'evaluation', VERSION_A);
      const manifest = (kind: string, records: number, files: number) => JSON.stringify({ manifestVersion: 1, kind, records, files: Array.from({ length: files }, (_, i) => ({ path: `f${i}`, bytes: 1, sha256: '0'.repeat(64) })) });
      objects.addConverted('cats', 'records', VERSION_A).addConverted('cats', 'weights', VERSION_A).addConverted('cats', 'empty', VERSION_A);
      objects.objects[`datasets/vision/cats/records/${VERSION_A}/manifest.json`] = manifest('tfrecord', 40, 2);
      objects.objects[`datasets/vision/cats/weights/${VERSION_A}/manifest.json`] = manifest('files', 0, 3);
      objects.objects[`datasets/vision/cats/empty/${VERSION_A}/manifest.json`] = manifest('files', 0, 0);
      return objects;
    };

    test('images and tfrecord channels say application/x-tfrecord; a files channel sends no ContentType; a requested type wins', async () => {
      const { requests } = await buildRequests({ channels: { training: {}, records: {}, weights: {}, evaluation: { contentType: 'image/jpeg' } } }, FSX, kinded());
      expect(requests[0].InputDataConfig!.map((c) => [c.ChannelName, c.ContentType, c.RecordWrapperType])).toEqual([
        ['training', TFRECORD_CONTENT_TYPE, undefined],
        ['records', TFRECORD_CONTENT_TYPE, undefined],
        ['weights', undefined, undefined],
        ['evaluation', 'image/jpeg', undefined],
      ]);
      expect(requests[0].InputDataConfig!.map((c) => c.DataSource!.FileSystemDataSource!.DirectoryPath)).toEqual(
        ['training', 'records', 'weights', 'evaluation'].map((channel) => `/abcd1234/datasets/vision/cats/${channel}/${VERSION_A}`));
    });

    test('a files channel in Pipe mode is refused on its inputMode (one stream could not tell the files apart); a files version without files is refused', async () => {
      const rules = requestRules(S3_ONLY, TENANT);
      const validation = validateLaunchRequest(validRequest({ channels: { training: {}, weights: { source: 's3', inputMode: 'Pipe' }, empty: { source: 's3' } } }), rules);
      if (!validation.ok) throw new Error(JSON.stringify(validation.errors));
      const resolution = await resolveDatasets(kinded(), S3_ONLY.datasetBucket, planJobs(validation.request, rules, S3_ONLY.jobNamePrefix));
      expect(resolution.ok).toBe(false);
      expect(!resolution.ok && resolution.errors).toEqual([
        { path: 'channels.weights.inputMode', message: expect.stringMatching(/holds files \(kind files\); Pipe mode .* use File or FastFile/) },
        { path: 'channels.empty', message: expect.stringMatching(/version .* has no files; upload a zip with at least one file/) },
      ]);
    });
  });

  test('the S3 tier refuses file-system channels before any call, saying why', async () => {
    await expect(buildRequests({ channels: { training: { source: 'fileSystem' } } }, S3_ONLY)).rejects.toThrow(/channels.training.source.*this platform has no dataset file system \(it reads datasets from S3\)/);
  });

  test('mixed channels: a shared dataset, a pinned version, and the seed channel names', async () => {
    const objects = new MemoryObjects()
      .addConverted('cats', 'training', VERSION_B)
      .addConverted('cats', 'evaluation', VERSION_B)
      .addConverted('base-model', 'weights', VERSION_B, 100, 'shared')
      .addConverted('cats', 'config', VERSION_B);
    objects.objects[`datasets/vision/cats/training/${VERSION_A}/manifest.json`] = JSON.stringify({ manifestVersion: 1, records: 7 });
    const { requests, jobs } = await buildRequests({
      channels: {
        training: { version: VERSION_A },
        evaluation: {},
        checkpoint: { owner: 'shared', datasetId: 'base-model', datasetChannel: 'weights', source: 's3' },
        config: { source: 's3' },
      },
    }, FSX, objects);
    const paths = requests[0].InputDataConfig!.map((channel) => channel.DataSource!.FileSystemDataSource?.DirectoryPath ?? channel.DataSource!.S3DataSource!.S3Uri);
    expect(paths).toEqual([
      `/abcd1234/datasets/vision/cats/training/${VERSION_A}`,
      `/abcd1234/datasets/vision/cats/evaluation/${VERSION_B}`,
      `s3://dataset-bucket/datasets/shared/base-model/weights/${VERSION_B}/`,
      `s3://dataset-bucket/datasets/vision/cats/config/${VERSION_B}/`,
    ]);
    // A request that mixes file-system channels in gets the file system's subnets.
    expect(requests[0].VpcConfig!.Subnets).toEqual(['subnet-0aaa1111']);
    expect(jobs).toHaveLength(4);
  });

  test('tags: tenant, platform, dataset, sweep (client token), sweep index and spec hash, then the request\'s', async () => {
    const { jobs, requests } = await buildRequests({ tags: { team: 'vision', 'cost-center': '42' } });
    expect(requests[2].Tags).toEqual([
      { Key: 'cdk-sagemaker-datasets:tenant', Value: 'vision' },
      { Key: 'cdk-sagemaker-datasets:platform', Value: 'dsp' },
      { Key: 'cdk-sagemaker-datasets:dataset', Value: 'cats' },
      { Key: 'cdk-sagemaker-datasets:sweep', Value: validRequest().clientToken },
      { Key: 'cdk-sagemaker-datasets:sweep-index', Value: '2' },
      { Key: 'cdk-sagemaker-datasets:spec-hash', Value: jobs[2].specHash },
      { Key: 'team', Value: 'vision' },
      { Key: 'cost-center', Value: '42' },
    ]);
  });

  test('checkpoints go below the job\'s artifacts; environment, instance count, volume and runtime are passed through', async () => {
    const { jobs, requests } = await buildRequests({ checkpoints: true, environment: { WANDB_MODE: 'offline' }, instanceCount: 2, volumeSizeInGB: 200, maxRuntimeInSeconds: 7200 });
    expect(requests[1]).toMatchObject({
      CheckpointConfig: { S3Uri: `s3://artifacts-bucket/jobs/vision/${jobs[1].name}/checkpoints/`, LocalPath: '/opt/ml/checkpoints' },
      Environment: { WANDB_MODE: 'offline' },
      ResourceConfig: { InstanceCount: 2, VolumeSizeInGB: 200 },
      StoppingCondition: { MaxRuntimeInSeconds: 7200 },
    });
  });

  test('KMS keys: output always, volume only on instance types without local NVMe storage', async () => {
    const keys = testConfig({ volumeKmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/volume', outputKmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/output' });
    const onM5 = (await buildRequests({ instanceType: 'ml.m5.xlarge' }, keys)).requests[0];
    expect(onM5.ResourceConfig!.VolumeKmsKeyId).toBe('arn:aws:kms:us-east-1:123456789012:key/volume');
    expect(onM5.OutputDataConfig!.KmsKeyId).toBe('arn:aws:kms:us-east-1:123456789012:key/output');
    for (const instanceType of ['ml.g5.xlarge', 'ml.p4d.24xlarge']) {
      const request = (await buildRequests({ instanceType }, keys)).requests[0];
      expect(request.ResourceConfig!.VolumeKmsKeyId).toBeUndefined();
      expect(request.OutputDataConfig!.KmsKeyId).toBe('arn:aws:kms:us-east-1:123456789012:key/output');
    }
  });

  test('inter-container encryption follows the configuration', async () => {
    expect((await buildRequests({}, testConfig({ interContainerTrafficEncryption: false }))).requests[0].EnableInterContainerTrafficEncryption).toBe(false);
  });

  test('network isolation follows the configuration: EnableNetworkIsolation true, or absent', async () => {
    expect((await buildRequests({}, testConfig({ networkIsolation: true }))).requests[0].EnableNetworkIsolation).toBe(true);
    expect((await buildRequests({ channels: { training: { source: 's3' } } }, testConfig({ networkIsolation: true }))).requests[0].EnableNetworkIsolation).toBe(true);
    expect((await buildRequests({}, testConfig())).requests[0].EnableNetworkIsolation).toBeUndefined();
  });

  test('every built request passes the SageMaker limit check', async () => {
    const { requests } = await buildRequests({ checkpoints: true, environment: { A: 'b' }, tags: { team: 'x' } });
    for (const request of requests) {
      expect(checkCreateTrainingJobRequest(request)).toEqual([]);
    }
  });

  test('the limit check catches what a bad configuration would contribute', () => {
    const errors = checkCreateTrainingJobRequest({
      TrainingJobName: 'bad_name',
      RoleArn: 'role',
      AlgorithmSpecification: { TrainingImage: '', TrainingInputMode: 'File' },
      OutputDataConfig: { S3OutputPath: 'bucket/jobs' },
      InputDataConfig: [
        { ChannelName: 'a b', DataSource: { FileSystemDataSource: { FileSystemId: 'fs-x', FileSystemType: 'EFS', DirectoryPath: 'relative', FileSystemAccessMode: 'ro' } }, InputMode: 'Pipe' },
        { ChannelName: 'a b', DataSource: {} },
      ],
      ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 0, VolumeSizeInGB: 0, VolumeKmsKeyId: 'key with spaces' },
      VpcConfig: { Subnets: [], SecurityGroupIds: ['sg_1', 'sg-2', 'sg-3', 'sg-4', 'sg-5', 'sg-6'] },
      StoppingCondition: { MaxRuntimeInSeconds: 2419201 },
      Tags: [{ Key: 'a', Value: 'x' }, { Key: 'a', Value: 'y;' }],
    });
    expect(errors.map((error) => error.path)).toEqual([
      'TrainingJobName', 'RoleArn', 'AlgorithmSpecification.TrainingImage',
      'InputDataConfig[0].ChannelName', 'InputDataConfig[0].DataSource.FileSystemDataSource.FileSystemId',
      'InputDataConfig[0].DataSource.FileSystemDataSource.DirectoryPath', 'InputDataConfig[0].InputMode',
      'InputDataConfig[1].ChannelName', 'InputDataConfig[1].ChannelName', 'InputDataConfig[1].DataSource',
      'OutputDataConfig.S3OutputPath', 'ResourceConfig.VolumeKmsKeyId', 'VpcConfig.Subnets', 'VpcConfig.SecurityGroupIds', 'VpcConfig.SecurityGroupIds[0]',
      'StoppingCondition.MaxRuntimeInSeconds', 'ResourceConfig.InstanceCount', 'ResourceConfig.VolumeSizeInGB', 'Tags[1].Value', 'Tags[1].Key',
    ]);
  });
});

describe('dataset resolution', () => {
  const rules = requestRules(FSX, TENANT);
  const jobsFor = (overrides: Record<string, unknown> = {}) => {
    const validation = validateLaunchRequest(validRequest(overrides), rules);
    if (!validation.ok) throw new Error('invalid');
    return planJobs(validation.request, rules, 'dsp');
  };

  test('reads each dataset channel\'s pointer and manifest once, however many jobs read it', async () => {
    const objects = new MemoryObjects().addConverted('cats', 'training', VERSION_A).addConverted('cats', 'evaluation', VERSION_B);
    const resolution = await resolveDatasets(objects, 'dataset-bucket', jobsFor());
    expect(resolution.ok).toBe(true);
    expect(objects.reads.sort()).toEqual([
      'dataset-bucket/datasets/vision/cats/evaluation/current.json', `dataset-bucket/datasets/vision/cats/evaluation/${VERSION_B}/manifest.json`,
      'dataset-bucket/datasets/vision/cats/training/current.json', `dataset-bucket/datasets/vision/cats/training/${VERSION_A}/manifest.json`,
    ]);
  });

  test('a channel never converted (or whose conversion failed) is an error on each request channel that reads it', async () => {
    const objects = new MemoryObjects().addConverted('cats', 'training', VERSION_A);
    const resolution = await resolveDatasets(objects, 'dataset-bucket', jobsFor({ channels: { training: {}, evaluation: {}, holdout: { datasetChannel: 'evaluation' } } }));
    expect(resolution).toEqual({
      ok: false,
      errors: [
        { path: 'channels.evaluation', message: expect.stringContaining('dataset "cats" channel "evaluation" has no converted version (no s3://dataset-bucket/datasets/vision/cats/evaluation/current.json)') },
        { path: 'channels.holdout', message: expect.stringContaining('its conversion failed or has not finished') },
      ],
    });
  });

  test('a pinned version that does not exist, a corrupt pointer, a missing or empty manifest', async () => {
    const objects = new MemoryObjects().addConverted('cats', 'training', VERSION_A).addConverted('cats', 'evaluation', VERSION_A, 0);
    objects.objects['datasets/vision/cats/config/current.json'] = '{"schemaVersion":2}';
    objects.objects['datasets/vision/cats/labels/current.json'] = JSON.stringify({ ...JSON.parse(objects.objects['datasets/vision/cats/training/current.json']), datasetId: 'cats', channel: 'labels', prefix: `datasets/vision/cats/labels/${VERSION_A}/`, manifestKey: `datasets/vision/cats/labels/${VERSION_A}/manifest.json` });
    const resolution = await resolveDatasets(objects, 'dataset-bucket', jobsFor({
      channels: { training: { version: VERSION_B }, evaluation: {}, config: {}, labels: {} },
    }));
    expect(resolution.ok).toBe(false);
    expect(!resolution.ok && resolution.errors).toEqual([
      { path: 'channels.training', message: expect.stringContaining(`has no complete version ${VERSION_B}`) },
      { path: 'channels.evaluation', message: expect.stringContaining('has no records') },
      { path: 'channels.config', message: expect.stringContaining('is not a dataset pointer') },
      { path: 'channels.labels', message: expect.stringContaining('its manifest') },
    ]);
  });

  test('S3 failures other than a missing object propagate (they are not the caller\'s fault)', async () => {
    const failing = { readText: async () => { throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }); } };
    await expect(resolveDatasets(failing, 'dataset-bucket', jobsFor())).rejects.toThrow('Access Denied');
  });
});
