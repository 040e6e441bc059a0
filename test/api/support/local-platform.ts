import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { DatasetChannelInputMode, TrainingJobLaunchOutcome, type LaunchResponse } from '../../../contract/launch-request';
import { parseTenantDirectory } from '../../../contract/tenant-directory';
import type { LaunchPort } from '../../../lambda/src/api/ports';
import { tenantSessionCredentials } from '../../../lambda/src/api/tenant-access';
import type { IngestionHandler } from '../../../lambda/src/ingestion/handler';
import { LauncherConfig, S3ObjectReader, SageMakerTrainingJobApi, launchTrainingJobs, parseInvocation } from '../../../lambda/src/launcher';
import { MotoPipeline } from '../../ingestion/moto-pipeline';
import { REPOSITORY_URI, testConfig } from '../../launcher/support/fixtures';
import type { MotoClientConfig } from '../../support/moto-server';
import { API_CONFIG, ApiHarness, TENANT_DIRECTORY_JSON } from './api-harness';

/**
 * The launcher's logic in-process, as the launcher Lambda runs it: the API's event
 * (`{ operation, tenant, request }`) parsed against the tenant directory, then launchTrainingJobs
 * with S3 and SageMaker clients signed as the tenant's access role (moto STS) → moto's
 * CreateTrainingJob. moto's jobs are Completed at once and moto writes no model, so for every job
 * created this stand-in plays the training container: it writes `model.tar.gz` where SageMaker
 * would (`<S3OutputPath>/<job>/output/model.tar.gz`, the path DescribeTrainingJob reports) and a
 * few log lines to the job's stream.
 */
export class InProcessLauncher implements LaunchPort {
  readonly config: LauncherConfig;
  /** Jobs the stand-in "trained" (wrote a model for). */
  readonly trained: string[] = [];

  constructor(private readonly motoConfig: MotoClientConfig, private readonly s3Config: MotoClientConfig, datasetBucket: string) {
    this.config = testConfig({
      tenants: parseTenantDirectory(TENANT_DIRECTORY_JSON),
      datasetBucket,
      artifactsBucket: API_CONFIG.artifactsBucket,
      fileSystem: undefined,
      s3InputMode: DatasetChannelInputMode.FAST_FILE,
      allowedInstanceTypes: ['ml.m5.xlarge', 'ml.g5.xlarge'],
    });
  }

  async launch(tenant: string, request: unknown): Promise<LaunchResponse> {
    const invocation = parseInvocation({ operation: 'launch', tenant, request }, this.config.tenants);
    if (!invocation.ok) return { outcome: TrainingJobLaunchOutcome.REJECTED, errors: [...invocation.errors], jobs: [] };
    const credentials = tenantSessionCredentials(invocation.tenant, {
      presignSeconds: 60, stsConfig: { endpoint: this.motoConfig.endpoint, region: this.motoConfig.region }, masterCredentials: this.motoConfig.credentials,
    });
    const response = await launchTrainingJobs(invocation.request, {
      config: this.config,
      tenant: invocation.tenant,
      datasets: new S3ObjectReader(new S3Client({ ...this.s3Config, credentials })),
      trainingJobs: new SageMakerTrainingJobApi(new SageMakerClient({ ...this.motoConfig, credentials, maxAttempts: 1 })),
      retryEnvironment: { sleep: async () => undefined, random: () => 0 },
    });
    for (const job of response.jobs) {
      if (job.status === 'created') await this.train(job.name);
    }
    return response;
  }

  /** What the training container would leave behind: the model archive and log lines. */
  private async train(name: string): Promise<void> {
    const sagemaker = new SageMakerClient(this.motoConfig);
    const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    const uri = job.ModelArtifacts?.S3ModelArtifacts ?? `${job.OutputDataConfig!.S3OutputPath!.replace(/\/$/, '')}/${name}/output/model.tar.gz`;
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri)!;
    const channels = (job.InputDataConfig ?? []).map((channel) => ({ name: channel.ChannelName, uri: channel.DataSource?.S3DataSource?.S3Uri }));
    await new S3Client(this.s3Config).send(new PutObjectCommand({
      Bucket: bucket, Key: key, Body: modelArchive({ job: name, hyperparameters: job.HyperParameters ?? {}, channels }),
    }));
    const logs = new CloudWatchLogsClient(this.motoConfig);
    const stream = `${name}/algo-1-${Math.floor(Date.now() / 1000)}`;
    await logs.send(new CreateLogStreamCommand({ logGroupName: API_CONFIG.trainingLogGroup, logStreamName: stream }));
    const start = Date.now() - 3000;
    await logs.send(new PutLogEventsCommand({
      logGroupName: API_CONFIG.trainingLogGroup, logStreamName: stream,
      logEvents: ['epoch 1 loss=0.91', 'epoch 2 loss=0.42', 'saved model to /opt/ml/model/model.json'].map((message, index) => ({ timestamp: start + index * 1000, message })),
    }));
    this.trained.push(name);
  }
}

/** A `model.tar.gz` holding `model.json` (made with the system's tar, as SageMaker packs /opt/ml/model). */
export function modelArchive(model: unknown): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'model-'));
  try {
    writeFileSync(join(dir, 'model.json'), JSON.stringify(model, null, 2));
    const result = spawnSync('tar', ['-czf', join(dir, 'model.tar.gz'), '-C', dir, 'model.json']);
    if (result.status !== 0) throw new Error(`tar failed: ${result.stderr.toString()}`);
    return readFileSync(join(dir, 'model.tar.gz'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The platform's back end in moto, for the CLI to drive: the upload bucket's EventBridge rule feeds
 * the ingestion queue, and a poller plays the Lambda event source mapping, running the real
 * ingestion handler (zip → TFRecord in the dataset bucket) on every upload; the API's real
 * handlers (with tenant sessions from moto STS) and the in-process launcher serve the CLI.
 */
export class LocalPlatform {
  readonly pipeline: MotoPipeline;
  readonly launcher: InProcessLauncher;
  readonly api: ApiHarness;
  private readonly handler: IngestionHandler;
  private polling = false;
  private poller?: Promise<void>;
  /** Ingestion deliveries made (batches handed to the handler). */
  deliveries = 0;
  /** Errors the poller met (the test checks there were none while it ran). */
  readonly pollErrors: Error[] = [];

  constructor(motoConfig: MotoClientConfig, s3Config: MotoClientConfig) {
    this.pipeline = new MotoPipeline({ s3: s3Config, other: motoConfig }, API_CONFIG.uploadBucket, API_CONFIG.datasetBucket);
    this.handler = this.pipeline.handler();
    this.launcher = new InProcessLauncher(motoConfig, s3Config, API_CONFIG.datasetBucket);
    this.api = new ApiHarness(s3Config, motoConfig, this.launcher);
  }

  async create(): Promise<void> {
    await this.pipeline.create();
    await this.api.s3.send(new CreateBucketCommand({ Bucket: API_CONFIG.artifactsBucket }));
    await this.api.logs.send(new CreateLogGroupCommand({ logGroupName: API_CONFIG.trainingLogGroup }));
  }

  /** Starts delivering the ingestion queue to the handler, as Lambda's SQS event source would. */
  startIngestion(): void {
    this.polling = true;
    this.poller = (async () => {
      while (this.polling) {
        try {
          const received = await this.pipeline.sqs.send(new ReceiveMessageCommand({
            QueueUrl: this.pipeline.ingestQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60, MessageSystemAttributeNames: ['All'],
          }));
          const messages = received.Messages ?? [];
          if (messages.length > 0) {
            this.deliveries++;
            await this.pipeline.invoke(this.handler, messages);
          }
        } catch (error) {
          // moto going away at teardown (or a hiccup): note it and poll again while still running.
          this.pollErrors.push(error as Error);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.polling = false;
    await this.poller;
  }

  /** The image repository the launcher allows. */
  get trainingImage(): string {
    return `${REPOSITORY_URI}:v1`;
  }
}
