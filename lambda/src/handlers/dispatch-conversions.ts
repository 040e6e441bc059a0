import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { dispatchQueuedConversions, type DispatchOutcome } from '../distributed/dispatch';
import { readDispatchConfig, type DispatchConfig } from '../distributed/dispatch-config';
import { AwsDispatchPorts } from '../distributed/dispatch-ports';

/**
 * The distributed conversion's dispatcher (reserved concurrency 1): starts queued conversions
 * while fewer than `maxConcurrentConversions` run. Invoked by the ingestion function after it
 * queues one, by EventBridge when an execution ends, and on a schedule; the event is not read.
 */
const logger = new Logger();
let config: DispatchConfig | undefined;
let ports: AwsDispatchPorts | undefined;

export const handler = async (_event: unknown, context: Context): Promise<DispatchOutcome> => {
  logger.addContext(context);
  config ??= readDispatchConfig(process.env);
  ports ??= new AwsDispatchPorts({ sfn: new SFNClient({}), sqs: new SQSClient({}), s3: new S3Client({}) }, config);
  const outcome = await dispatchQueuedConversions(ports, {
    maxConcurrentConversions: config.maxConcurrentConversions,
    logger,
    now: () => new Date(),
    remainingMs: () => context.getRemainingTimeInMillis(),
  });
  logger.info('Dispatch finished', { ...outcome });
  return outcome;
};
