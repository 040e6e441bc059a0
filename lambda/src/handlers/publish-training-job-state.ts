import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBridgeEvent } from 'aws-lambda';
import { SageMakerTrainingJobDetail, STATE_CHANGE_ENV, TRAINING_JOB_STATE_CHANGED } from '../../../contract/training-job-events';
import { toStateChangedDetail } from '../launcher/state-change';
import { eventMetrics, lambdaMetricSink } from '../metrics';

const logger = new Logger();
const events = new EventBridgeClient({});

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`Environment variable ${name} is missing; the TrainingJobLauncher construct sets it. Redeploy the stack.`);
  }
  return value;
}

const busName = requiredEnv(STATE_CHANGE_ENV.EVENT_BUS_NAME);
const source = requiredEnv(STATE_CHANGE_ENV.EVENT_SOURCE);
const prefix = requiredEnv(STATE_CHANGE_ENV.JOB_NAME_PREFIX);

/**
 * Re-publishes a SageMaker "Training Job State Change" event of this platform's jobs as a
 * `TrainingJobStateChanged` platform event. A failed put throws, so Lambda retries the
 * asynchronous invocation and finally sends it to the dead-letter queue.
 */
export async function handler(event: EventBridgeEvent<string, SageMakerTrainingJobDetail>): Promise<void> {
  const detail = toStateChangedDetail(event.detail, prefix);
  if (!detail) {
    logger.info('ignored: not a training job of this platform', { jobName: event.detail?.TrainingJobName });
    return;
  }
  const result = await events.send(new PutEventsCommand({
    Entries: [{
      EventBusName: busName,
      Source: source,
      DetailType: TRAINING_JOB_STATE_CHANGED,
      Resources: detail.jobArn ? [detail.jobArn] : [],
      Detail: JSON.stringify(detail),
      Time: event.time ? new Date(event.time) : undefined,
    }],
  }));
  if ((result.FailedEntryCount ?? 0) > 0) {
    const entry = result.Entries?.find((item) => item.ErrorCode);
    throw new Error(`PutEvents to ${busName} failed for ${detail.jobName}: ${entry?.ErrorCode} ${entry?.ErrorMessage}`);
  }
  lambdaMetricSink(eventMetrics(busName, TRAINING_JOB_STATE_CHANGED, detail));
  logger.info('training job state re-published', { jobName: detail.jobName, status: detail.status, secondaryStatus: detail.secondaryStatus });
}
