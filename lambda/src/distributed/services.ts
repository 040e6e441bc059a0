import type { S3Client } from '@aws-sdk/client-s3';
import { DISTRIBUTED_SCHEMA_VERSION } from '../../../contract/distributed-conversion';
import type { VersionServices } from '../ingestion/commit-version';
import type { FailureVerdict } from '../ingestion/failure';
import { ConversionRejectedError } from './errors';
import { WorkFiles } from './work-files';
import type { WorkLayout } from './work-layout';
import type { FailureRecord } from './work-plan';

/** What the distributed steps talk to: the ingestion's version services plus the S3 client. */
export interface DistributedServices extends VersionServices {
  readonly s3: S3Client;
}

export function workFiles(services: DistributedServices, layout: WorkLayout): WorkFiles {
  return new WorkFiles(services.s3, services.datasets, layout);
}

/**
 * Records a permanent verdict for the failure handler and returns the error that stops the state
 * machine from retrying. Transient verdicts are recorded too (the failure handler names the
 * failed items with their last error), but the original error is rethrown so the step is retried.
 */
export async function recordVerdict(work: WorkFiles, step: 'planner' | 'finalizer' | number, verdict: FailureVerdict): Promise<void> {
  const base = typeof step === 'number' ? { step: 'worker', item: step } : { step };
  const record: Omit<FailureRecord, 'schemaVersion'> = verdict.kind === 'permanent'
    ? { ...base, code: verdict.code, reason: verdict.reason, message: verdict.message, ...(verdict.problem ? { problem: verdict.problem } : {}), rejected: verdict.rejected }
    : { ...base, code: 'transient', reason: 'transient failure', message: verdict.message, rejected: [] };
  await work.recordFailure(record);
}

export function rejected(verdict: Extract<FailureVerdict, { kind: 'permanent' }>): ConversionRejectedError {
  return new ConversionRejectedError(`${verdict.reason}: ${verdict.message}`);
}

export { DISTRIBUTED_SCHEMA_VERSION };
