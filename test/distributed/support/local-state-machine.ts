import type { S3Client } from '@aws-sdk/client-s3';
import { CONVERSION_ABORTED_ERROR, CONVERSION_REJECTED_ERROR, type PlannerOutput, type WorkItemReference, type WorkerOutput } from '../../../contract/distributed-conversion';
import type { DistributedConfig } from '../../../lambda/src/distributed/config';
import { handleDistributedFailure } from '../../../lambda/src/distributed/failure-handler';
import { finalizeDistributedConversion, type FinalizerOutput } from '../../../lambda/src/distributed/finalizer';
import { planDistributedConversion } from '../../../lambda/src/distributed/planner';
import { workFiles, type DistributedServices } from '../../../lambda/src/distributed/services';
import { runWorker } from '../../../lambda/src/distributed/worker';
import { WorkLayout } from '../../../lambda/src/distributed/work-layout';

/**
 * The state machine of DistributedConversion, played in-process against moto: the same states,
 * inputs and outputs as its definition (which the construct tests assert):
 *
 *   Plan ─► ConvertShards (ItemReader JSONL over items.jsonl; ItemSelector {item, run}; any item
 *   failing after its retries fails the map: ToleratedFailureCount 0) ─► Finalize ─► Succeeded
 *   any error ─► HandleFailure({ input: $$.Execution.Input, error }) ─► Failed
 *
 * Retries: DistributedConversionRejected / DistributedConversionAborted never, anything else
 * `retries` more times. Every Lambda payload goes through JSON, as Step Functions passes it.
 */
export interface LocalRunOptions {
  readonly services: DistributedServices;
  readonly config: DistributedConfig;
  /** States.ALL retries per task (the construct's workerRetries). Default 2. */
  readonly retries?: number;
  /** Called before every worker attempt (fault injection, observation). */
  readonly beforeWorker?: (item: number, attempt: number) => void;
}

export interface LocalRun {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly plan?: PlannerOutput;
  readonly workerOutputs: WorkerOutput[];
  readonly finalizer?: FinalizerOutput;
  readonly error?: { Error: string; Cause: string };
  readonly calls: { planner: number; workers: Map<number, number>; finalizer: number; failure: number };
}

const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export async function runStateMachineLocally(input: object, options: LocalRunOptions): Promise<LocalRun> {
  const { services, config } = options;
  const retries = options.retries ?? 2;
  const calls = { planner: 0, workers: new Map<number, number>(), finalizer: 0, failure: 0 };
  const workerOutputs: WorkerOutput[] = [];

  const task = async <T>(run: (attempt: number) => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: { Error: string; Cause: string } }> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return { ok: true, value: json(await run(attempt)) };
      } catch (error) {
        const name = (error as Error).name ?? 'Error';
        const permanent = name === CONVERSION_REJECTED_ERROR || name === CONVERSION_ABORTED_ERROR;
        if (permanent || attempt >= retries) {
          return { ok: false, error: { Error: name, Cause: JSON.stringify({ errorType: name, errorMessage: (error as Error).message }) } };
        }
      }
    }
  };
  const fail = async (error: { Error: string; Cause: string }, plan?: PlannerOutput, finalizer?: FinalizerOutput): Promise<LocalRun> => {
    calls.failure++;
    await handleDistributedFailure(json({ input, error }), services);
    return { status: 'FAILED', plan, workerOutputs, finalizer, error, calls };
  };

  const planned = await task(() => {
    calls.planner++;
    return planDistributedConversion(json(input), services, config);
  });
  if (!planned.ok) return fail(planned.error);
  const plan = planned.value;

  // ItemReader: the JSONL file, one item per line, in file order.
  const layout = new WorkLayout({ tenant: plan.run.input.tenant ?? 'vision', datasetId: plan.run.input.datasetId, channel: plan.run.input.channel }, plan.run.input.version);
  const items = await workFiles(services, layout).readItemList<WorkItemReference>();
  for (const item of items) {
    const done = await task((attempt) => {
      calls.workers.set(item.item, (calls.workers.get(item.item) ?? 0) + 1);
      options.beforeWorker?.(item.item, attempt);
      return runWorker(json({ run: plan.run, item, itemCount: plan.itemCount }), services);
    });
    if (!done.ok) {
      return fail({ Error: 'States.ExceedToleratedFailureThreshold', Cause: `The specified tolerated failure threshold was exceeded: item ${item.item} failed with ${done.error.Error}` }, plan);
    }
    workerOutputs.push(done.value);
  }

  const mapResult = { MapRunArn: 'arn:aws:states:us-east-1:123456789012:mapRun:local/run', ResultWriterDetails: { Bucket: config.datasetBucket, Key: 'ingestion-work/map-results/run-1/manifest.json' } };
  const finalized = await task(() => {
    calls.finalizer++;
    return finalizeDistributedConversion(json({ run: plan.run, mapResult }), services, config);
  });
  if (!finalized.ok) return fail(finalized.error, plan);
  return { status: 'SUCCEEDED', plan, workerOutputs, finalizer: finalized.value, calls };
}

/**
 * An S3 client whose `send` throws what `fault(command)` returns (a transient network error, a
 * throttle) instead of sending; everything else goes to the real client.
 */
export function faultyS3(client: S3Client, fault: (command: { constructor: { name: string }; input: Record<string, unknown> }) => Error | undefined): S3Client {
  const wrapper = Object.create(client) as S3Client;
  wrapper.send = ((command: never, ...rest: never[]) => {
    const error = fault(command as { constructor: { name: string }; input: Record<string, unknown> });
    if (error) return Promise.reject(error);
    return (client.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
  }) as S3Client['send'];
  return wrapper;
}
