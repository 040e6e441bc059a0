import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { FSxClient } from '@aws-sdk/client-fsx';
import type { S3Client } from '@aws-sdk/client-s3';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { EfsDatasetStore, EventPublisher, LustreImport, S3DatasetStore } from '../aws';
import { queueDistributedConversion, startDistributedConversion } from '../distributed/hand-off';
import type { HandlerConfig } from './config';
import { describe } from './failure';
import { ingestUpload, type IngestionServices, type IngestOutcome, type OversizeStrategy } from './ingest-upload';
import { parseQueueMessage } from './upload-event';

export interface IngestionHandlerOptions {
  readonly config: HandlerConfig;
  readonly s3: S3Client;
  readonly eventBridge: EventBridgeClient;
  readonly logger: Logger;
  /** Starts the distributed conversion (needed when the config names its state machine but no backlog queue). */
  readonly sfn?: SFNClient;
  /** Queues distributed conversions (needed when the config names the backlog queue). */
  readonly sqs?: SQSClient;
  /** Nudges the dispatcher after queueing (when the config names it). */
  readonly lambda?: LambdaClient;
  /** Imports each version onto FSx for Lustre (needed when the config names a Lustre file system). */
  readonly fsx?: FSxClient;
  readonly now?: () => Date;
  readonly oversize?: OversizeStrategy;
  /** How often a conversion checks its progress (default 5 s). */
  readonly progressPollMs?: number;
  /** Called with each upload's outcome (tests and metrics). */
  readonly onOutcome?: (outcome: IngestOutcome, record: SQSRecord) => void;
}

export type IngestionHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The SQS handler: each message is parsed (EventBridge "Object Created", S3 notification, or the
 * ignored s3:TestEvent) and each upload in it converted, one message after the other (they share
 * the invocation's time and memory). Powertools' BatchProcessor turns a thrown error into a
 * `batchItemFailures` entry for that message only, so one poison message never fails the others:
 * SQS redelivers just the failed ones, and after maxReceiveCount moves them to the DLQ.
 */
export function createIngestionHandler(options: IngestionHandlerOptions): IngestionHandler {
  const { config, logger } = options;
  const services: IngestionServices = {
    s3: options.s3,
    datasets: new S3DatasetStore(options.s3, config.datasetBucket),
    efs: config.efs ? new EfsDatasetStore(config.efs) : undefined,
    visibility: config.lustreFileSystemId ? new LustreImport(options.fsx ?? new FSxClient({}), { fileSystemId: config.lustreFileSystemId, bucket: config.datasetBucket }) : undefined,
    events: new EventPublisher(options.eventBridge, config.eventBusName, config.eventSource),
    logger,
    now: options.now ?? (() => new Date()),
    oversize: options.oversize ?? handOff(config, options),
    ...(options.progressPollMs !== undefined ? { progressPollMs: options.progressPollMs } : {}),
  };

  return async (event, context) => {
    logger.addContext(context);
    const invocationBudgetMs = context.getRemainingTimeInMillis();
    const processor = new BatchProcessor(EventType.SQS);

    const handleRecord = async (record: SQSRecord): Promise<void> => {
      const attempt = Number.parseInt(record.attributes?.ApproximateReceiveCount ?? '1', 10) || 1;
      const keys = { messageId: record.messageId, attempt };
      let message;
      try {
        message = parseQueueMessage(record.body);
      } catch (error) {
        logger.error('Poison message: it names no upload; after maxReceiveCount it goes to the dead-letter queue', { ...keys, error: describe(error) });
        throw error;
      }
      if (message.kind === 'ignored') {
        logger.info('Message ignored', { ...keys, reason: message.reason });
        return;
      }
      for (const reason of message.ignored) logger.info('Record ignored', { ...keys, reason });
      for (const notice of message.notices) {
        try {
          const delivery = { attempt, owner: `${context.awsRequestId}/${record.messageId}`, invocationBudgetMs, remainingMs: () => context.getRemainingTimeInMillis() };
          const outcome = await ingestUpload(notice, delivery, services, config);
          options.onOutcome?.(outcome, record);
        } catch (error) {
          logger.error('Conversion attempt failed; the message will be retried', { ...keys, key: notice.upload.key, error: describe(error) });
          throw error;
        }
      }
    };

    const response = await processPartialResponse(event, handleRecord, processor, {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
    return response as SQSBatchResponse;
  };
}

/**
 * Uploads too large for one function go to the distributed conversion when the construct
 * configured one: queued in its backlog for the dispatcher (at most N at once), or, without a
 * backlog queue, started directly.
 */
function handOff(config: HandlerConfig, clients: Pick<IngestionHandlerOptions, 'sfn' | 'sqs' | 'lambda'>) {
  if (!config.distributedStateMachineArn) return undefined;
  const misconfigured = (what: string) => new Error(`The ingestion function is misconfigured: ${what}`);
  if (config.distributedBacklogQueueUrl) {
    if (!clients.sqs) throw misconfigured('a distributed backlog queue is configured but no SQS client was given.');
    const dispatcher = config.distributedDispatcherFunction && clients.lambda ? { lambda: clients.lambda, functionName: config.distributedDispatcherFunction } : undefined;
    return queueDistributedConversion({ sqs: clients.sqs, queueUrl: config.distributedBacklogQueueUrl, dispatcher });
  }
  if (!clients.sfn) throw misconfigured('a distributed state machine is configured but no Step Functions client was given.');
  return startDistributedConversion(clients.sfn, config.distributedStateMachineArn);
}
