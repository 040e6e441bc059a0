import { DescribeTrainingJobCommand, ListTagsCommand, ListTrainingJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parsePointer } from '../../lambda/src/catalog';
import {
  LaunchDependencies, LaunchResponse, S3ObjectReader, SageMakerTrainingJobApi, launchTrainingJobs, toStateChangedDetail,
} from '../../lambda/src/launcher';
import { TRAINING_JOB_STATE_CHANGED } from '../../contract/training-job-events';
import { TFRECORD_CONTENT_TYPE } from '../../contract/sagemaker-channel';
import { useMotoPipeline } from '../ingestion/moto-pipeline';
import { MOTO_SERVER, describeWithTool } from '../support/external-tool';
import { jpegBytes, pngBytes } from '../support/images';
import { buildZip, type ZipEntrySpec } from '../support/zip-builder';
import { IMAGE, OTHER_TENANT, TENANT, testConfig } from './support/fixtures';

/** A small labeled image zip (`data/<class>/<n>.jpg|png`). */
function datasetZip(classes: Record<string, number>, seed = 0): Buffer {
  const entries: ZipEntrySpec[] = [];
  let n = seed * 1000;
  for (const [name, count] of Object.entries(classes)) {
    for (let i = 0; i < count; i++, n++) {
      entries.push(n % 2 === 0
        ? { name: `data/${name}/${i}.jpg`, data: jpegBytes({ width: 32 + i, height: 24, payloadBytes: 400, seed: n }) }
        : { name: `data/${name}/${i}.png`, data: pngBytes({ width: 16, height: 16 + i, payloadBytes: 400, seed: n }) });
    }
  }
  return buildZip(entries);
}

const DATASET_BUCKET = 'platform-datasets';
const config = testConfig({ datasetBucket: DATASET_BUCKET, concurrency: 3 });

const request = (overrides: Record<string, unknown> = {}) => ({
  clientToken: 'sweep-2026-11-22-a',
  datasetId: 'cats',
  channels: { training: {}, evaluation: {}, config: { source: 's3' } },
  trainingImage: IMAGE,
  instanceType: 'ml.g5.xlarge',
  hyperparameters: { epochs: 3 },
  sweep: { list: [{ learning_rate: 0.1, batch_size: 32 }, { learning_rate: 0.01, batch_size: 32 }, { learning_rate: 0.001, batch_size: 64 }] },
  tags: { team: 'vision' },
  ...overrides,
});

describeWithTool(MOTO_SERVER, 'launcher against moto_server (converted dataset in S3 → CreateTrainingJob)', () => {
  const { moto, pipeline } = useMotoPipeline({ datasetBucket: DATASET_BUCKET, fresh: 'all' });
  let sagemaker: SageMakerClient;
  let deps: LaunchDependencies;
  const versions: Record<string, string> = {};

  const jobsInMoto = async () => (await sagemaker.send(new ListTrainingJobsCommand({ MaxResults: 100 }))).TrainingJobSummaries ?? [];
  const launch = async (body: unknown): Promise<LaunchResponse> => launchTrainingJobs(body, deps);

  beforeAll(async () => {
    // Convert three channels with the real ingestion handler, as the platform would: two of images,
    // one of files (kind files: `config.files.zip`, kept as uploaded).
    const handler = pipeline.handler();
    const uploads = {
      training: ['uploads/vision/cats/training.zip', datasetZip({ cat: 3, dog: 2 }, 0)],
      evaluation: ['uploads/vision/cats/evaluation.zip', datasetZip({ cat: 3, dog: 2 }, 1)],
      config: ['uploads/vision/cats/config.files.zip', buildZip([{ name: 'config.json', data: Buffer.from('{"lr": 0.1}') }, { name: 'vocab/tokens.txt', data: Buffer.from('a\nb\n') }])],
    } as const;
    for (const [channel, [key, body]] of Object.entries(uploads)) {
      await pipeline.upload(key, body);
      const { response } = await pipeline.deliver(handler);
      expect(response.batchItemFailures).toEqual([]);
      versions[channel] = parsePointer((await pipeline.getBuffer(`datasets/vision/cats/${channel}/current.json`)).toString('utf8'), channel).version;
    }
    sagemaker = new SageMakerClient({ ...moto.config(), maxAttempts: 1 });
    // Tenant speech has a dataset of its own that tenant vision must never reach.
    await pipeline.upload('uploads/speech/voices/training.zip', datasetZip({ a: 2, b: 2 }, 3));
    expect((await pipeline.deliver(handler)).response.batchItemFailures).toEqual([]);
    deps = {
      config,
      tenant: TENANT,
      datasets: new S3ObjectReader(pipeline.s3),
      trainingJobs: new SageMakerTrainingJobApi(sagemaker),
      retryEnvironment: { sleep: async () => undefined, random: () => 0 },
    };
  });

  test('a sweep of three hyperparameter sets creates exactly those jobs with the right channels, VPC config and output paths', async () => {
    const response = await launch(request());
    expect(response.outcome).toBe('launched');
    if (response.outcome === 'rejected') return;
    expect(response.jobs.map((job) => job.status)).toEqual(['created', 'created', 'created']);
    const summaries = await jobsInMoto();
    expect(summaries.map((job) => job.TrainingJobName).sort()).toEqual(response.jobs.map((job) => job.name).sort());

    for (const job of response.jobs) {
      const described = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: job.name }));
      expect(described.TrainingJobArn).toBe(job.arn);
      expect(described.HyperParameters).toEqual({ epochs: '3', ...job.hyperparameters });
      expect(described.InputDataConfig).toEqual([
        {
          ChannelName: 'training',
          DataSource: { FileSystemDataSource: { FileSystemId: config.fileSystem!.id, FileSystemType: 'FSxLustre', FileSystemAccessMode: 'ro', DirectoryPath: `/abcd1234/datasets/vision/cats/training/${versions.training}` } },
          InputMode: 'File',
          ContentType: TFRECORD_CONTENT_TYPE,
        },
        {
          ChannelName: 'evaluation',
          DataSource: { FileSystemDataSource: { FileSystemId: config.fileSystem!.id, FileSystemType: 'FSxLustre', FileSystemAccessMode: 'ro', DirectoryPath: `/abcd1234/datasets/vision/cats/evaluation/${versions.evaluation}` } },
          InputMode: 'File',
          ContentType: TFRECORD_CONTENT_TYPE,
        },
        {
          ChannelName: 'config',
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${DATASET_BUCKET}/datasets/vision/cats/config/${versions.config}/`, S3DataDistributionType: 'FullyReplicated' } },
          InputMode: 'FastFile',
        },
      ]);
      // A job with a file-system channel gets only the FSx AZ's subnets.
      expect(described.VpcConfig).toEqual({ SecurityGroupIds: config.securityGroupIds, Subnets: config.fileSystem!.subnetIds });
      expect(described.OutputDataConfig).toEqual({ S3OutputPath: 's3://artifacts-bucket/jobs/vision/' });
      expect(job.outputUri).toBe(`s3://artifacts-bucket/jobs/vision/${job.name}/`);
      expect(job.name).toMatch(/^dsp-vision-sweep-2026-11-22-a-\d-[0-9a-f]{8}$/);
      expect(described.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 86400 });
      expect(described.RoleArn).toBe(TENANT.executionRoleArn);
      const tags = Object.fromEntries(((await sagemaker.send(new ListTagsCommand({ ResourceArn: job.arn }))).Tags ?? []).map((tag) => [tag.Key, tag.Value]));
      expect(tags).toMatchObject({
        'cdk-sagemaker-datasets:tenant': 'vision', 'cdk-sagemaker-datasets:platform': 'dsp', 'cdk-sagemaker-datasets:dataset': 'cats', 'cdk-sagemaker-datasets:sweep': 'sweep-2026-11-22-a',
        'cdk-sagemaker-datasets:sweep-index': String(job.index), team: 'vision',
      });
    }
    // Each manifest the launcher pinned exists in the dataset bucket.
    for (const channel of ['training', 'evaluation', 'config']) {
      expect(await pipeline.listKeys(`datasets/vision/cats/${channel}/${versions[channel]}/manifest.json`)).toHaveLength(1);
    }
  });

  test('retrying the request creates nothing new (moto would overwrite; the launcher describes first)', async () => {
    const before = await jobsInMoto();
    const created = Object.fromEntries(before.map((job) => [job.TrainingJobName, job.CreationTime?.getTime()]));
    const response = await launch(request());
    expect(response.outcome).toBe('launched');
    expect(response.outcome !== 'rejected' && response.jobs.map((job) => job.status)).toEqual(['already-launched', 'already-launched', 'already-launched']);
    const after = await jobsInMoto();
    expect(after).toHaveLength(before.length);
    expect(Object.fromEntries(after.map((job) => [job.TrainingJobName, job.CreationTime?.getTime()]))).toEqual(created);
  });

  test('the same clientToken with a different spec is a conflict naming clientToken, and creates nothing', async () => {
    const before = await jobsInMoto();
    const response = await launch(request({ hyperparameters: { epochs: 4 } }));
    expect(response).toMatchObject({ outcome: 'rejected', errors: [{ path: 'clientToken', message: expect.stringContaining('was already used for a different request') }] });
    expect(await jobsInMoto()).toHaveLength(before.length);
  });

  test('an invalid request is rejected with field-level messages and creates zero jobs', async () => {
    const before = (await jobsInMoto()).length;
    const response = await launch(request({ clientToken: 'another-sweep', instanceType: 'ml.p5.48xlarge', sweep: { grid: { learning_rate: [0.1, 0.1] } }, channels: { training: { inputMode: 'Pipe' } } }));
    expect(response).toMatchObject({
      outcome: 'rejected',
      errors: [
        { path: 'channels.training.inputMode', message: expect.stringContaining('File mode') },
        { path: 'instanceType', message: expect.stringContaining('not allowed') },
        { path: 'sweep.grid.learning_rate[1]', message: expect.stringContaining('repeats "0.1"') },
      ],
    });
    expect(await jobsInMoto()).toHaveLength(before);
  });

  test('a dataset channel that was never converted is rejected and creates zero jobs', async () => {
    const before = (await jobsInMoto()).length;
    const response = await launch(request({ clientToken: 'sweep-b', channels: { training: {}, holdout: {} } }));
    expect(response).toMatchObject({ outcome: 'rejected', errors: [{ path: 'channels.holdout', message: expect.stringContaining('no converted version') }] });
    expect(await jobsInMoto()).toHaveLength(before);
  });

  test.each([
    ['naming the other tenant as owner', { channels: { training: { owner: 'speech', datasetId: 'voices' } } }, 'channels.training.owner', 'reads only its own datasets'],
    ['naming the other tenant\'s dataset id as its own', { datasetId: 'voices', channels: { training: {} } }, 'channels.training', 'no converted version'],
    ['naming the other tenant\'s dataset in a shared channel', { channels: { training: { owner: 'shared', datasetId: 'voices' } } }, 'channels.training', 'no converted version'],
  ])('tenant vision %s is rejected and creates zero jobs', async (_, overrides, path, message) => {
    const before = (await jobsInMoto()).length;
    const response = await launch(request({ clientToken: 'cross-tenant', ...overrides }));
    expect(response).toMatchObject({ outcome: 'rejected', errors: [{ path, message: expect.stringContaining(message) }] });
    expect(await jobsInMoto()).toHaveLength(before);
  });

  test('the other tenant launches on its own dataset with its own role, prefix and name segment', async () => {
    const response = await launchTrainingJobs(request({ clientToken: 'speech-run', datasetId: 'voices', channels: { training: {} }, sweep: undefined }), { ...deps, tenant: OTHER_TENANT });
    expect(response).toMatchObject({ outcome: 'launched', jobs: [{ status: 'created', outputUri: expect.stringMatching(/^s3:\/\/artifacts-bucket\/jobs\/speech\/dsp-speech-speech-run-0-/) }] });
    const described = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: response.jobs[0].name }));
    expect(described.RoleArn).toBe(OTHER_TENANT.executionRoleArn);
    expect(described.InputDataConfig![0].DataSource!.FileSystemDataSource!.DirectoryPath).toMatch(/^\/abcd1234\/datasets\/speech\/voices\/training\/v/);
  });

  test('state changes: a SageMaker event for the platform\'s job becomes TrainingJobStateChanged on the platform bus', async () => {
    // moto sends no SageMaker events: build the event from DescribeTrainingJob + ListTags as EventBridge would, then re-publish.
    const [job] = (await jobsInMoto());
    const described = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: job.TrainingJobName }));
    const tags = Object.fromEntries(((await sagemaker.send(new ListTagsCommand({ ResourceArn: described.TrainingJobArn }))).Tags ?? []).map((tag) => [tag.Key!, tag.Value!]));
    const detail = toStateChangedDetail({
      TrainingJobName: described.TrainingJobName,
      TrainingJobArn: described.TrainingJobArn,
      TrainingJobStatus: described.TrainingJobStatus,
      SecondaryStatus: described.SecondaryStatus,
      ModelArtifacts: { S3ModelArtifacts: `s3://artifacts-bucket/jobs/${described.TrainingJobName}/output/model.tar.gz` },
      Tags: tags,
      CreationTime: String(described.CreationTime!.getTime()),
    }, 'dsp');
    const sqs = new SQSClient(moto.config());
    const events = new EventBridgeClient(moto.config());
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'state-observer' }));
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await events.send(new PutRuleCommand({ Name: 'state', EventPattern: JSON.stringify({ 'source': ['cdk-sagemaker-datasets'], 'detail-type': [TRAINING_JOB_STATE_CHANGED], 'detail': { platform: ['dsp'] } }) }));
    await events.send(new PutTargetsCommand({ Rule: 'state', Targets: [{ Id: 'q', Arn: arn }] }));
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'cdk-sagemaker-datasets', DetailType: TRAINING_JOB_STATE_CHANGED, Detail: JSON.stringify(detail), Resources: [detail!.jobArn] }] }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, WaitTimeSeconds: 1 }));
    expect(JSON.parse(received.Messages![0].Body!).detail).toMatchObject({
      platform: 'dsp', jobName: job.TrainingJobName, status: 'Completed', secondaryStatus: 'Completed', datasetId: 'cats', sweep: 'sweep-2026-11-22-a',
      modelArtifactUri: `s3://artifacts-bucket/jobs/${job.TrainingJobName}/output/model.tar.gz`,
    });
  });
  test('the S3 tier (no file system): jobs read the version current.json names, from S3 in FastFile mode; the next launch pins a newer upload', async () => {
    const s3Tier: LaunchDependencies = { ...deps, config: testConfig({ datasetBucket: DATASET_BUCKET, concurrency: 3, fileSystem: undefined }) };
    const describeChannels = async (response: LaunchResponse) => {
      expect(response.outcome).toBe('launched');
      if (response.outcome === 'rejected') throw new Error('rejected');
      expect(response.jobs.map((job) => job.status)).toEqual(['created']);
      return sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: response.jobs[0].name }));
    };
    const s3Channel = (channel: string, version: string) => ({
      ChannelName: channel,
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${DATASET_BUCKET}/datasets/vision/cats/${channel}/${version}/`, S3DataDistributionType: 'FullyReplicated' } },
      InputMode: 'FastFile',
      ContentType: TFRECORD_CONTENT_TYPE,
    });

    const first = await describeChannels(await launchTrainingJobs(request({ clientToken: 's3-tier-a', sweep: undefined, channels: { training: {}, evaluation: {} } }), s3Tier));
    expect(first.InputDataConfig).toEqual([s3Channel('training', versions.training), s3Channel('evaluation', versions.evaluation)]);
    expect(first.VpcConfig).toEqual({ SecurityGroupIds: config.securityGroupIds, Subnets: config.subnetIds });

    // A new upload: the converter writes S3 only and moves current.json right after; the next launch pins the new version.
    await pipeline.upload('uploads/vision/cats/training.zip', datasetZip({ cat: 4, dog: 1 }, 7));
    expect((await pipeline.deliver(pipeline.handler())).response.batchItemFailures).toEqual([]);
    const newer = parsePointer((await pipeline.getBuffer('datasets/vision/cats/training/current.json')).toString('utf8'), 'training').version;
    expect(newer).not.toBe(versions.training);
    const second = await describeChannels(await launchTrainingJobs(request({ clientToken: 's3-tier-b', sweep: undefined, channels: { training: {}, evaluation: {} } }), s3Tier));
    expect(second.InputDataConfig).toEqual([s3Channel('training', newer), s3Channel('evaluation', versions.evaluation)]);

    const before = (await jobsInMoto()).length;
    expect(await launchTrainingJobs(request({ clientToken: 's3-tier-c', sweep: undefined, channels: { training: { source: 'fileSystem' } } }), s3Tier)).toMatchObject({
      outcome: 'rejected', errors: [{ path: 'channels.training.source', message: expect.stringContaining('this platform has no dataset file system') }],
    });
    expect(await jobsInMoto()).toHaveLength(before);
  });
});
