import type { FSxClient } from '@aws-sdk/client-fsx';
import { Logger } from '@aws-lambda-powertools/logger';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  CONVERSION_STATUS_FILE,
  DATASET_CONVERSION_FAILED,
  DATASET_CONVERSION_PROGRESS,
  DATASET_CONVERSION_QUEUED,
  DATASET_CONVERSION_STARTED,
  DATASET_CONVERTED,
  DEFAULT_INGESTION_EVENT_SOURCE,
  INGESTION_ENV,
  uploadObjectCreatedPattern,
  type DatasetConversionFailedDetail,
  type DatasetConversionProgressDetail,
  type DatasetConversionStartedDetail,
  type DatasetConvertedDetail,
} from '../../contract/ingestion-events';
import { readHandlerConfig, type HandlerConfig } from '../../lambda/src/ingestion/config';
import { createIngestionHandler, type IngestionHandler } from '../../lambda/src/ingestion/handler';
import type { IngestOutcome } from '../../lambda/src/ingestion/ingest-upload';
import { useMotoServer, type MotoClientConfig } from '../support/moto-server';

/**
 * The ingestion pipeline of DatasetIngestion, rebuilt in moto: an upload bucket with EventBridge
 * notifications, the construct's upload rule targeting the ingestion queue, a dataset bucket, and
 * an observer rule that sends the converter's own events to a queue the tests read. `deliver()`
 * plays the Lambda event source mapping: it receives messages, invokes the handler with them and
 * deletes the ones not reported in batchItemFailures.
 */
export class MotoPipeline {
  /** The platform's own event bus (a PlatformEventBus in the stack): the converter publishes there, never on the default bus. */
  static readonly PLATFORM_BUS = 'platform-events';
  ingestQueueUrl = '';
  defaultBusObserverQueueUrl = '';
  ingestQueueArn = '';
  observerQueueUrl = '';
  progressQueueUrl = '';
  readonly outcomes: IngestOutcome[] = [];
  /** The second of the last upload of each key (see `upload`). */
  private readonly uploadSeconds = new Map<string, number>();
  private clients?: { readonly s3: S3Client; readonly sqs: SQSClient; readonly events: EventBridgeClient };

  /**
   * @param config moto's client configuration, or a function that gives it once the server runs
   *   (the clients are made on first use).
   */
  constructor(
    private readonly config: MotoPipelineConfig | (() => MotoPipelineConfig),
    readonly uploadBucket: string,
    readonly datasetBucket: string,
  ) {}

  get s3(): S3Client {
    return this.connected().s3;
  }

  get sqs(): SQSClient {
    return this.connected().sqs;
  }

  get events(): EventBridgeClient {
    return this.connected().events;
  }

  /** Creates the buckets, queues and rules (call after a moto reset). */
  async create(): Promise<void> {
    this.outcomes.length = 0;
    for (const bucket of [this.uploadBucket, this.datasetBucket]) {
      await this.s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await this.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    }
    await this.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: this.uploadBucket, NotificationConfiguration: { EventBridgeConfiguration: {} } }));
    ({ url: this.ingestQueueUrl, arn: this.ingestQueueArn } = await this.queue('ingest'));
    const observer = await this.queue('observer');
    this.observerQueueUrl = observer.url;
    const defaultBusObserver = await this.queue('default-bus-observer');
    this.defaultBusObserverQueueUrl = defaultBusObserver.url;
    await this.events.send(new CreateEventBusCommand({ Name: MotoPipeline.PLATFORM_BUS }));

    // S3's upload events arrive on the default bus; the converter's own events on the platform bus.
    const pattern = uploadObjectCreatedPattern(this.uploadBucket);
    await this.rule('uploads', { source: pattern.source, 'detail-type': pattern.detailType, detail: pattern.detail }, this.ingestQueueArn);
    const platformEvents = { source: [DEFAULT_INGESTION_EVENT_SOURCE], 'detail-type': [DATASET_CONVERTED, DATASET_CONVERSION_FAILED] };
    await this.rule('observer', platformEvents, observer.arn, MotoPipeline.PLATFORM_BUS);
    await this.rule('default-bus-observer', platformEvents, defaultBusObserver.arn);
    const progress = await this.queue('progress');
    this.progressQueueUrl = progress.url;
    await this.rule('progress', { source: [DEFAULT_INGESTION_EVENT_SOURCE], 'detail-type': [DATASET_CONVERSION_QUEUED, DATASET_CONVERSION_STARTED, DATASET_CONVERSION_PROGRESS] }, progress.arn, MotoPipeline.PLATFORM_BUS);
  }

  /** A handler talking to moto, configured as the construct would (plus overrides). */
  handler(env: Record<string, string> = {}, efs?: HandlerConfig['efs'], fsx?: FSxClient, progressPollMs?: number): IngestionHandler {
    const config = readHandlerConfig({
      [INGESTION_ENV.DATASET_BUCKET]: this.datasetBucket,
      [INGESTION_ENV.EVENT_BUS_NAME]: MotoPipeline.PLATFORM_BUS,
      [INGESTION_ENV.MAX_RECEIVE_COUNT]: '5',
      [INGESTION_ENV.CONVERSION_OPTIONS]: JSON.stringify({ targetShardBytes: 4096 }),
      ...env,
    });
    return createIngestionHandler({
      config: { ...config, ...(efs ? { efs } : {}) },
      s3: this.s3,
      eventBridge: this.events,
      ...(fsx ? { fsx } : {}),
      ...(progressPollMs !== undefined ? { progressPollMs } : {}),
      logger: new Logger({ serviceName: 'ingest-dataset-test', logLevel: process.env.INGESTION_TEST_LOGS ? 'DEBUG' : 'SILENT' }),
      onOutcome: (outcome) => this.outcomes.push(outcome),
    });
  }

  async upload(key: string, body: Buffer): Promise<string | undefined> {
    // moto's S3 events carry no sequencer and whole-second event times, so two uploads of one key
    // within a second would tie and their order would be decided by the version hash (real S3
    // orders them by sequencer). Each upload of a key therefore lands in a later second.
    const previous = this.uploadSeconds.get(key);
    while (previous !== undefined && Math.floor(Date.now() / 1000) <= previous) {
      await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
    }
    const response = await this.s3.send(new PutObjectCommand({ Bucket: this.uploadBucket, Key: key, Body: body }));
    this.uploadSeconds.set(key, Math.floor(Date.now() / 1000));
    return response.VersionId;
  }

  /** Sends a raw body to the ingestion queue (poison messages, redeliveries). */
  async send(body: string): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.ingestQueueUrl, MessageBody: body }));
  }

  /** Receives exactly `count` messages from the ingestion queue. */
  async receive(count: number): Promise<Message[]> {
    const messages: Message[] = [];
    for (let round = 0; messages.length < count && round < 20; round++) {
      const response = await this.sqs.send(new ReceiveMessageCommand({
        QueueUrl: this.ingestQueueUrl,
        MaxNumberOfMessages: Math.min(10, count - messages.length),
        MessageSystemAttributeNames: ['All'],
        WaitTimeSeconds: round === 0 ? 0 : 1,
        VisibilityTimeout: 30,
      }));
      messages.push(...(response.Messages ?? []));
    }
    if (messages.length !== count) throw new Error(`expected ${count} message(s) on the ingestion queue, got ${messages.length}`);
    return messages;
  }

  /** Invokes the handler with messages as the SQS event source would, and deletes the successful ones. */
  async invoke(handler: IngestionHandler, messages: readonly Message[], overrides: { receiveCount?: number; remainingMs?: number; remainingLaterMs?: number } = {}): Promise<SQSBatchResponse> {
    const event: SQSEvent = { Records: messages.map((m) => this.record(m, overrides.receiveCount)) };
    const response = await handler(event, lambdaContext(overrides.remainingMs ?? 900_000, overrides.remainingLaterMs));
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    for (const message of messages) {
      if (failed.has(message.MessageId!)) {
        // Test shortcut: make a failed message visible again at once instead of after the visibility timeout.
        await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.ingestQueueUrl, ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 }));
      } else {
        await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.ingestQueueUrl, ReceiptHandle: message.ReceiptHandle! }));
      }
    }
    return response;
  }

  /** Receives `count` messages and invokes the handler with them in one batch. */
  async deliver(handler: IngestionHandler, count = 1): Promise<{ response: SQSBatchResponse; messages: Message[] }> {
    const messages = await this.receive(count);
    return { response: await this.invoke(handler, messages), messages };
  }

  /** Every DatasetConversionQueued / DatasetConversionStarted / DatasetConversionProgress sent so far, oldest first; drains their queue. */
  async progressEvents(): Promise<{ detailType: string; detail: DatasetConversionStartedDetail & Partial<DatasetConversionProgressDetail> }[]> {
    return (await this.observedEvents(this.progressQueueUrl)) as never;
  }

  /** Every event the converter sent to the platform bus so far (the observer rule's queue), oldest first; drains the queue. */
  async observedEvents(queueUrl = this.observerQueueUrl): Promise<ObservedEvent[]> {
    const found: ObservedEvent[] = [];
    for (;;) {
      const response = await this.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      const messages = response.Messages ?? [];
      if (messages.length === 0) return found;
      for (const message of messages) {
        const envelope = JSON.parse(message.Body!);
        found.push({ source: envelope.source, detailType: envelope['detail-type'], detail: envelope.detail });
        await this.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
      }
    }
  }

  /** Platform events that reached the account's default bus (there should be none); drains the queue. */
  async eventsOnDefaultBus(): Promise<ObservedEvent[]> {
    return this.observedEvents(this.defaultBusObserverQueueUrl);
  }

  async listKeys(prefix: string, bucket = this.datasetBucket): Promise<string[]> {
    const response = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (response.Contents ?? []).map((o) => o.Key!).sort();
  }

  /** Every key below `datasets/` except the channels' conversion-status.json (what the API shows, not data). */
  async dataKeys(bucket = this.datasetBucket): Promise<string[]> {
    return (await this.listKeys('datasets/', bucket)).filter((key) => !key.endsWith(`/${CONVERSION_STATUS_FILE}`));
  }

  async objectsWithEtags(prefix: string): Promise<Record<string, string>> {
    const response = await this.s3.send(new ListObjectsV2Command({ Bucket: this.datasetBucket, Prefix: prefix }));
    return Object.fromEntries((response.Contents ?? []).map((o) => [o.Key!, `${o.ETag}@${o.LastModified?.toISOString()}`]));
  }

  async incompleteMultipartUploads(): Promise<number> {
    const response = await this.s3.send(new ListMultipartUploadsCommand({ Bucket: this.datasetBucket }));
    return (response.Uploads ?? []).length;
  }

  async getBuffer(key: string, bucket = this.datasetBucket): Promise<Buffer> {
    const response = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await response.Body!.transformToByteArray());
  }

  async getStream(key: string): Promise<AsyncIterable<Uint8Array>> {
    const response = await this.s3.send(new GetObjectCommand({ Bucket: this.datasetBucket, Key: key }));
    return response.Body as AsyncIterable<Uint8Array>;
  }

  async getJson<T>(key: string, bucket = this.datasetBucket): Promise<T> {
    return JSON.parse((await this.getBuffer(key, bucket)).toString('utf8')) as T;
  }

  private connected() {
    if (!this.clients) {
      const config = typeof this.config === 'function' ? this.config() : this.config;
      this.clients = { s3: new S3Client({ ...config.s3 }), sqs: new SQSClient({ ...config.other }), events: new EventBridgeClient({ ...config.other }) };
    }
    return this.clients;
  }

  private record(message: Message, receiveCount?: number): SQSRecord {
    const attributes = (message.Attributes ?? {}) as Record<string, string>;
    return {
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body: message.Body!,
      attributes: {
        ApproximateReceiveCount: String(receiveCount ?? attributes.ApproximateReceiveCount ?? '1'),
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.ingestQueueArn,
      awsRegion: 'us-east-1',
    };
  }

  private async queue(name: string): Promise<{ url: string; arn: string }> {
    const created = await this.sqs.send(new CreateQueueCommand({ QueueName: name }));
    const attributes = await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: created.QueueUrl, AttributeNames: ['QueueArn'] }));
    return { url: created.QueueUrl!, arn: attributes.Attributes!.QueueArn! };
  }

  private async rule(name: string, pattern: object, targetArn: string, eventBusName?: string): Promise<void> {
    await this.events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern), EventBusName: eventBusName }));
    await this.events.send(new PutTargetsCommand({ Rule: name, EventBusName: eventBusName, Targets: [{ Id: name, Arn: targetArn }] }));
  }
}

/** moto's client configuration for S3 (path-style) and for every other service. */
export interface MotoPipelineConfig {
  readonly s3: MotoClientConfig;
  readonly other: MotoClientConfig;
}

export interface UseMotoPipelineOptions {
  /** Default `platform-uploads`. */
  readonly uploadBucket?: string;
  /** Default `platform-datasets`. */
  readonly datasetBucket?: string;
  /**
   * `each`: a fresh pipeline before every test (moto forgets everything first); `all`: one
   * pipeline, created before the first test, for tests that build on each other's state.
   * Default `each`.
   */
  readonly fresh?: 'each' | 'all';
}

/**
 * The ingestion pipeline in a moto_server of its own, for the enclosing describe block: starts the
 * server before its tests and stops it after them, and resets moto and creates the pipeline's
 * buckets, queues and rules before each test (or once: {@link UseMotoPipelineOptions.fresh}).
 * Both handles are usable inside tests and hooks (registered after this call, they run after it):
 *
 *   const { moto, pipeline } = useMotoPipeline();
 *   test('...', async () => { await pipeline.upload('uploads/vision/cats/training.zip', zip); ... });
 */
export function useMotoPipeline(options: UseMotoPipelineOptions = {}): { readonly moto: ReturnType<typeof useMotoServer>; readonly pipeline: MotoPipeline } {
  const moto = useMotoServer();
  const pipeline = new MotoPipeline(() => ({ s3: moto.s3Config(), other: moto.config() }), options.uploadBucket ?? 'platform-uploads', options.datasetBucket ?? 'platform-datasets');
  const fresh = async () => {
    await moto.reset();
    await pipeline.create();
  };
  if (options.fresh === 'all') {
    beforeAll(fresh);
  } else {
    beforeEach(fresh);
  }
  return { moto, pipeline };
}

export type ObservedEvent =
  | { source: string; detailType: typeof DATASET_CONVERTED; detail: DatasetConvertedDetail }
  | { source: string; detailType: typeof DATASET_CONVERSION_FAILED; detail: DatasetConversionFailedDetail };

/**
 * A Lambda context whose clock starts at `budgetMs`; with `laterMs`, every reading after the first
 * (taken when the invocation starts) says that much is left, as if earlier messages used the time.
 */
export function lambdaContext(budgetMs: number, laterMs?: number): Context {
  const started = Date.now();
  let readings = 0;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'ingest-dataset',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ingest-dataset',
    memoryLimitInMB: '2048',
    awsRequestId: `req-${started}`,
    logGroupName: '/aws/lambda/ingest-dataset',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => (laterMs !== undefined && readings++ > 0 ? laterMs : Math.max(0, budgetMs - (Date.now() - started))),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
