import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readHandlerConfig } from '../ingestion/config';
import { createIngestionHandler, type IngestionHandler } from '../ingestion/handler';

/**
 * The dataset ingestion Lambda (DatasetIngestion): SQS messages about uploaded zips in, TFRecord
 * versions, pointers and DatasetConverted / DatasetConversionFailed events out.
 */
const logger = new Logger();
let instance: IngestionHandler | undefined;

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  instance ??= create();
  return instance(event, context);
};

function create(): IngestionHandler {
  const config = readHandlerConfig(process.env);
  return createIngestionHandler({
    config,
    // More attempts than the default 3: a throttled GET in the middle of a zip costs the whole attempt.
    s3: new S3Client({ maxAttempts: 6 }),
    eventBridge: new EventBridgeClient({}),
    // Uploads above the single-function limit are queued for the distributed conversion (DatasetIngestion sets the queue and the dispatcher).
    sfn: config.distributedStateMachineArn && !config.distributedBacklogQueueUrl ? new SFNClient({}) : undefined,
    sqs: config.distributedBacklogQueueUrl ? new SQSClient({}) : undefined,
    lambda: config.distributedDispatcherFunction ? new LambdaClient({}) : undefined,
    logger,
  });
}
