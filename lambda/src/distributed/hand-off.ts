import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { DISTRIBUTED_SCHEMA_VERSION, type DistributedConversionInput } from '../../../contract/distributed-conversion';
import type { OversizeStrategy } from '../ingestion/ingest-upload';
import { ConversionState } from '../../../contract/ingestion-events';
import { recordStatus } from '../ingestion/conversion-status';
import { uploadReference } from '../ingestion/events';

/**
 * The ingestion function's answer to an upload too large for one function: start the distributed
 * conversion's state machine for it and consume the message. The execution is named after the
 * version, so duplicate deliveries of the upload's event start it once (a running execution with
 * the same name and input is returned as is; a finished one answers ExecutionAlreadyExists). From
 * here on the state machine owns the version: it writes the same layout, manifest, pointer and
 * events the single function would.
 */
export function startDistributedConversion(sfn: SFNClient, stateMachineArn: string): OversizeStrategy {
  return async (request, services) => {
    const { ref, version, notice, delivery } = request;
    const input: DistributedConversionInput = {
      schemaVersion: DISTRIBUTED_SCHEMA_VERSION,
      tenant: ref.tenant,
      datasetId: ref.datasetId,
      channel: ref.channel,
      version,
      upload: uploadReference(notice.upload, request.size),
      attempt: delivery.attempt,
    };
    const context = { tenant: ref.tenant, datasetId: ref.datasetId, channel: ref.channel, version, size: request.size, estimatedMs: request.verdict.estimatedMs };
    try {
      const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: version, input: JSON.stringify(input) }));
      services.logger.info('Handed off to the distributed conversion', { ...context, executionArn: started.executionArn, why: request.verdict.message });
    } catch (error) {
      if ((error as { name?: string }).name !== 'ExecutionAlreadyExists') throw error;
      services.logger.info('The distributed conversion of this version was already started', context);
    }
    // Until its planner starts, the API shows the upload queued.
    await recordStatus(services, { ref, version, upload: notice.upload, size: request.size, state: ConversionState.QUEUED, progress: 0 });
    return { kind: 'handed-off', version };
  };
}
