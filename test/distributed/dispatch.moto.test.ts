import { Logger } from '@aws-lambda-powertools/logger';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DISPATCH_LEDGER_KEY } from '../../contract/distributed-conversion';
import { CONVERSION_STATUS_FILE, ConversionState, DATASET_CONVERSION_QUEUED, DATASET_CONVERSION_STARTED, INGESTION_ENV } from '../../contract/ingestion-events';
import { readDistributedConfig } from '../../lambda/src/distributed/config';
import { createDistributedServices } from '../../lambda/src/distributed/create-services';
import { dispatchQueuedConversions } from '../../lambda/src/distributed/dispatch';
import { AwsDispatchPorts, executionArn } from '../../lambda/src/distributed/dispatch-ports';
import { planDistributedConversion } from '../../lambda/src/distributed/planner';
import { readHandlerConfig } from '../../lambda/src/ingestion/config';
import { createIngestionHandler } from '../../lambda/src/ingestion/handler';
import { MotoPipeline } from '../ingestion/moto-pipeline';
import { MOTO_SERVER, describeWithTool } from '../support/external-tool';
import { jpegBytes } from '../support/images';
import { useMotoServer } from '../support/moto-server';
import { buildZip } from '../support/zip-builder';

const UPLOADS = 'platform-uploads';
const DATASETS = 'platform-datasets';
const silent = () => new Logger({ serviceName: 'dispatch-test', logLevel: process.env.INGESTION_TEST_LOGS ? 'DEBUG' : 'SILENT' });
const zip = (seed: number) => buildZip([0, 1, 2, 3].map((i) => ({ name: `${i % 2 ? 'cat' : 'dog'}/${i}.jpg`, data: jpegBytes({ width: 20, height: 20, payloadBytes: 700, seed: seed * 10 + i }) })));

describeWithTool(MOTO_SERVER, 'queued distributed conversions against moto_server: the ingestion function queues, the dispatcher starts at most N', () => {
  const moto = useMotoServer();
  let pipeline: MotoPipeline;
  let sfn: SFNClient;
  let sqs: SQSClient;
  let stateMachineArn: string;
  let backlogQueueUrl: string;
  let nudges: unknown[];

  beforeEach(async () => {
    await moto.reset();
    pipeline = new MotoPipeline({ s3: moto.s3Config(), other: moto.config() }, UPLOADS, DATASETS);
    await pipeline.create();
    sfn = new SFNClient({ ...moto.config() });
    sqs = new SQSClient({ ...moto.config() });
    stateMachineArn = (await sfn.send(new CreateStateMachineCommand({
      name: 'distributed-conversion',
      roleArn: 'arn:aws:iam::123456789012:role/distributed-conversion',
      definition: JSON.stringify({ StartAt: 'Plan', States: { Plan: { Type: 'Pass', End: true } } }),
    }))).stateMachineArn!;
    backlogQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'backlog.fifo', Attributes: { FifoQueue: 'true', VisibilityTimeout: '120' } }))).QueueUrl!;
    nudges = [];
  });

  /** The ingestion function with a 1 KiB single-function limit: every upload is handed off (through `backlog`, moto's SQS unless a test fakes it). */
  function ingestion(backlog: SQSClient = sqs) {
    const config = readHandlerConfig({
      [INGESTION_ENV.DATASET_BUCKET]: DATASETS,
      [INGESTION_ENV.EVENT_BUS_NAME]: MotoPipeline.PLATFORM_BUS,
      [INGESTION_ENV.SINGLE_FUNCTION_MAX_BYTES]: '1024',
      [INGESTION_ENV.DISTRIBUTED_STATE_MACHINE_ARN]: stateMachineArn,
      [INGESTION_ENV.DISTRIBUTED_BACKLOG_QUEUE_URL]: backlogQueueUrl,
      [INGESTION_ENV.DISTRIBUTED_DISPATCHER_FUNCTION]: 'dispatcher',
    });
    // moto cannot run a Lambda function: the nudge is recorded instead.
    const lambda = { send: async (command: { input: unknown }) => { nudges.push(command.input); return {}; } } as unknown as LambdaClient;
    return createIngestionHandler({ config, s3: pipeline.s3, eventBridge: pipeline.events, sqs: backlog, lambda, logger: silent(), onOutcome: (o) => pipeline.outcomes.push(o) });
  }

  const dispatch = (max = 2) => dispatchQueuedConversions(new AwsDispatchPorts({ sfn, sqs, s3: pipeline.s3 }, { stateMachineArn, backlogQueueUrl, datasetBucket: DATASETS }), {
    maxConcurrentConversions: max, logger: silent(), now: () => new Date(), remainingMs: () => 60_000,
  });
  const running = async () => ((await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }))).executions ?? []).map((e) => e.name!).sort();
  const waiting = async () => Number((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: backlogQueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes!.ApproximateNumberOfMessages);
  const status = (datasetId: string) => pipeline.getJson<{ state: string; version: string }>(`datasets/vision/${datasetId}/training/${CONVERSION_STATUS_FILE}`);

  test('three uploads with N = 2: all queued (status queued, dispatcher nudged), two start, the third starts when one ends; none fails', async () => {
    for (const [i, id] of ['alpha', 'beta', 'gamma'].entries()) {
      await pipeline.upload(`uploads/vision/${id}/training.zip`, zip(i));
      const { response } = await pipeline.deliver(ingestion());
      expect(response.batchItemFailures).toEqual([]);
    }
    expect(pipeline.outcomes.map((o) => o.kind)).toEqual(['handed-off', 'handed-off', 'handed-off']);
    const versions = pipeline.outcomes.map((o) => (o as { version: string }).version);
    for (const id of ['alpha', 'beta', 'gamma']) expect((await status(id)).state).toBe(ConversionState.QUEUED);
    expect(nudges).toEqual([0, 1, 2].map(() => expect.objectContaining({ FunctionName: 'dispatcher', InvocationType: 'Event' })));
    expect(await waiting()).toBe(3);
    expect(await running()).toEqual([]);
    expect((await pipeline.progressEvents()).map((e) => [e.detailType, e.detail.version])).toEqual(versions.map((v) => [DATASET_CONVERSION_QUEUED, v]));

    expect(await dispatch()).toMatchObject({ started: versions.slice(0, 2), running: 2 });
    expect(await running()).toEqual(versions.slice(0, 2).sort());
    expect(await waiting()).toBe(1);
    const ledger = await pipeline.getJson<{ started: { version: string }[] }>(DISPATCH_LEDGER_KEY);
    expect(ledger.started.map((e) => e.version)).toEqual(versions.slice(0, 2));

    // At capacity: nothing starts, nothing is taken off the queue.
    expect(await dispatch()).toMatchObject({ started: [], running: 2 });
    expect(await waiting()).toBe(1);
    expect((await status('gamma')).state).toBe(ConversionState.QUEUED);

    // One ends (here: stopped): the next run starts the third.
    await sfn.send(new StopExecutionCommand({ executionArn: executionArn(stateMachineArn, versions[0]) }));
    expect(await dispatch()).toMatchObject({ started: [versions[2]], running: 2 });
    expect(await running()).toEqual(versions.slice(1).sort());
    expect(await waiting()).toBe(0);
    expect((await pipeline.getJson<{ started: { version: string }[] }>(DISPATCH_LEDGER_KEY)).started.map((e) => e.version)).toEqual(versions.slice(1));
    // No failure event for any of them.
    expect(await pipeline.observedEvents()).toEqual([]);
  });

  test('a duplicate upload event queues nothing new (FIFO deduplication by version) and never starts a second execution', async () => {
    await pipeline.upload('uploads/vision/alpha/training.zip', zip(1));
    const [message] = await pipeline.receive(1);
    await pipeline.invoke(ingestion(), [message]);
    await pipeline.send(message.Body!);
    await pipeline.deliver(ingestion());
    expect(pipeline.outcomes.map((o) => o.kind)).toEqual(['handed-off', 'handed-off']);
    expect(await waiting()).toBe(1);
    expect(await dispatch()).toMatchObject({ started: [(pipeline.outcomes[0] as { version: string }).version] });
    expect(await dispatch()).toMatchObject({ started: [] });
    expect(await running()).toHaveLength(1);
  });

  test('a large upload: one DatasetConversionQueued on the platform bus (a duplicate delivery adds none), then DatasetConversionStarted once its conversion starts', async () => {
    await pipeline.upload('uploads/vision/alpha/training.zip', zip(1));
    const [message] = await pipeline.receive(1);
    await pipeline.invoke(ingestion(), [message]);
    await pipeline.send(message.Body!);
    await pipeline.deliver(ingestion());
    const { version } = pipeline.outcomes[0] as { version: string };
    const queued = await pipeline.progressEvents();
    expect(queued).toEqual([{
      source: 'cdk-sagemaker-datasets',
      detailType: DATASET_CONVERSION_QUEUED,
      detail: {
        schemaVersion: 1, tenant: 'vision', datasetId: 'alpha', channel: 'training', version, route: 'distributed',
        upload: expect.objectContaining({ bucket: UPLOADS, key: 'uploads/vision/alpha/training.zip', size: zip(1).length }),
      },
    }]);

    // The dispatcher starts it; its planner (run here, as moto's state machine is a Pass state) announces the start.
    expect(await dispatch()).toMatchObject({ started: [version] });
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(stateMachineArn, version) }));
    const config = readDistributedConfig({ [INGESTION_ENV.DATASET_BUCKET]: DATASETS, [INGESTION_ENV.EVENT_BUS_NAME]: MotoPipeline.PLATFORM_BUS });
    await planDistributedConversion(JSON.parse(execution.input!), createDistributedServices(config, silent(), { s3: pipeline.s3, eventBridge: pipeline.events }), config);
    expect((await pipeline.progressEvents()).map((e) => [e.detailType, e.detail.version])).toEqual([[DATASET_CONVERSION_STARTED, version]]);
    expect((await status('alpha')).state).toBe(ConversionState.CONVERTING);
  });

  test('a hand-off whose SendMessage fails announces nothing and records nothing; the retry queues and announces once', async () => {
    await pipeline.upload('uploads/vision/alpha/training.zip', zip(1));
    const unreachable = { send: async () => { throw Object.assign(new Error('connect ETIMEDOUT (simulated)'), { name: 'TimeoutError', $metadata: {} }); } } as unknown as SQSClient;
    const { response } = await pipeline.deliver(ingestion(unreachable));
    expect(response.batchItemFailures).toHaveLength(1);
    expect(await pipeline.progressEvents()).toEqual([]);
    expect(await pipeline.listKeys(`datasets/vision/alpha/training/${CONVERSION_STATUS_FILE}`)).toEqual([]);
    expect(nudges).toEqual([]);

    await pipeline.deliver(ingestion());
    expect(pipeline.outcomes.map((o) => o.kind)).toEqual(['handed-off']);
    expect((await pipeline.progressEvents()).map((e) => e.detailType)).toEqual([DATASET_CONVERSION_QUEUED]);
    expect(await waiting()).toBe(1);
  });
});
