import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DISTRIBUTED_SCHEMA_VERSION, type DistributedConversionInput } from '../../../contract/distributed-conversion';
import type { OversizeRequest, OversizeStrategy } from '../ingestion/ingest-upload';
import { ConversionRoute } from '../../../contract/ingestion-events';
import { announceQueued, type ConversionFacts } from '../ingestion/conversion-status';
import { uploadReference } from '../ingestion/events';
import { describe } from '../ingestion/failure';

/**
 * The ingestion function's answer to an upload too large for one function: hand it to the
 * distributed conversion and consume the message. From here on the distributed conversion owns
 * the version: it writes the same layout, manifest, pointer and events the single function would.
 * Until its planner starts, the API shows the upload queued and `DatasetConversionQueued` has told
 * the bus (once per version: see `shouldAnnounceQueued`).
 */

/** The execution input of one hand-off. The same upload always gives the same version, so the same execution name. */
export function conversionInput(request: OversizeRequest): DistributedConversionInput {
  const { ref, version, notice, delivery } = request;
  return {
    schemaVersion: DISTRIBUTED_SCHEMA_VERSION,
    tenant: ref.tenant,
    datasetId: ref.datasetId,
    channel: ref.channel,
    version,
    upload: uploadReference(notice.upload, request.size),
    attempt: delivery.attempt,
  };
}

/** What the queued status and event say about a hand-off. */
function queuedFacts(request: OversizeRequest): ConversionFacts {
  return { ref: request.ref, version: request.version, upload: request.notice.upload, size: request.size, route: ConversionRoute.DISTRIBUTED };
}

/** Where queued conversions go and who starts them (DistributedConversion's backlog queue and dispatcher). */
export interface ConversionBacklog {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Invoked asynchronously after each hand-off so a free slot is used at once (the schedule catches up otherwise). */
  readonly dispatcher?: { readonly lambda: LambdaClient; readonly functionName: string };
}

/**
 * Queues the conversion in the backlog (a FIFO queue; message group: the tenant, deduplication
 * id: the version, so a duplicate event within five minutes adds nothing), records it queued and
 * sends `DatasetConversionQueued` (only once SendMessage succeeded: a failed send throws and the
 * message is retried), then nudges the dispatcher, which starts it once fewer than
 * `maxConcurrentConversions` run. A nudge that fails only delays the start until the dispatcher's
 * next scheduled run.
 */
export function queueDistributedConversion(backlog: ConversionBacklog): OversizeStrategy {
  return async (request, services) => {
    const input = conversionInput(request);
    const { ref, version } = request;
    const context = { tenant: ref.tenant, datasetId: ref.datasetId, channel: ref.channel, version, size: request.size, estimatedMs: request.verdict.estimatedMs };
    await backlog.sqs.send(new SendMessageCommand({
      QueueUrl: backlog.queueUrl,
      MessageBody: JSON.stringify(input),
      MessageGroupId: ref.tenant,
      MessageDeduplicationId: version,
    }));
    services.logger.info('Queued for the distributed conversion', { ...context, why: request.verdict.message });
    await announceQueued(services, queuedFacts(request));
    if (backlog.dispatcher) {
      try {
        await backlog.dispatcher.lambda.send(new InvokeCommand({ FunctionName: backlog.dispatcher.functionName, InvocationType: 'Event', Payload: Buffer.from('{"source":"ingestion"}') }));
      } catch (error) {
        services.logger.warn('Could not nudge the dispatcher; its schedule starts the conversion', { ...context, error: describe(error) });
      }
    }
    return { kind: 'handed-off', version };
  };
}

/**
 * Starts the state machine directly, without a limit on how many run: for a handler configured
 * with a state machine but no backlog queue (DistributedConversion always configures one). The
 * execution is named after the version, so duplicate deliveries start it once (a running
 * execution with the same name and input is returned as is; a finished one answers ExecutionAlreadyExists).
 * Until the planner starts, the status and `DatasetConversionQueued` say queued, as on the backlog route.
 */
export function startDistributedConversion(sfn: SFNClient, stateMachineArn: string): OversizeStrategy {
  return async (request, services) => {
    const input = conversionInput(request);
    const { ref, version } = request;
    const context = { tenant: ref.tenant, datasetId: ref.datasetId, channel: ref.channel, version, size: request.size, estimatedMs: request.verdict.estimatedMs };
    try {
      const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: version, input: JSON.stringify(input) }));
      services.logger.info('Handed off to the distributed conversion', { ...context, executionArn: started.executionArn, why: request.verdict.message });
    } catch (error) {
      if ((error as { name?: string }).name !== 'ExecutionAlreadyExists') throw error;
      services.logger.info('The distributed conversion of this version was already started', context);
    }
    await announceQueued(services, queuedFacts(request));
    return { kind: 'handed-off', version };
  };
}
