import { Duration, Size } from 'aws-cdk-lib';

/**
 * How a distributed conversion runs: workers, work items, memory, retries and time limits. Declared
 * once: `DistributedConversionProps` and `DatasetIngestion`'s `distributedConversion` both extend it,
 * and `DatasetIngestion` passes every option through unchanged.
 */
export interface DistributedConversionOptions {
  /**
   * The most workers (child executions of the Distributed Map) that run at once, 1–10000. Each is
   * one Lambda invocation: keep it within the account's Lambda concurrency (1,000 by default,
   * shared by every function of the region).
   * @default 100
   */
  readonly maxConcurrency?: number;

  /**
   * The most conversions (executions of the state machine) that run at once, 1–100. Uploads
   * handed off beyond it wait in the backlog queue, shown `queued` by the platform API, and start
   * in order (per tenant) as running ones end: queued, never failed. With `maxConcurrency` it
   * bounds the workers: at most `maxConcurrency × maxConcurrentConversions` run at once.
   * @default 2
   */
  readonly maxConcurrentConversions?: number;

  /**
   * Reserved concurrency of the worker function: the most workers that run at once across every
   * conversion, and capacity kept for them. At least `maxConcurrency` (one conversion at full
   * width); below `maxConcurrency × maxConcurrentConversions`, workers of concurrent conversions
   * are throttled and retried with backoff (a synth warning says so). It comes out of the
   * account's Lambda concurrency (1,000 by default per region; 100 must stay unreserved).
   * The planner, finalizer and failure handler reserve `maxConcurrentConversions` each (one per
   * running conversion), the dispatcher 1.
   * @default - maxConcurrency × maxConcurrentConversions (200 with the defaults); no reservation when either is a token
   */
  readonly workerReservedConcurrency?: number;

  /**
   * Uncompressed image bytes per work item: the planner groups whole shards up to about this
   * much. One item is one worker invocation; at ~60 MB/s a 1 GiB item takes ~20 s, far inside
   * the 15-minute limit, so a retry is cheap.
   * @default Size.gibibytes(1)
   */
  readonly workItemSize?: Size;

  /**
   * The workers' memory in MiB (128–10240). CPU and network bandwidth grow with it.
   * @default 2048
   */
  readonly workerMemorySize?: number;

  /**
   * The workers' timeout, 1 second to 15 minutes.
   * @default Duration.minutes(15)
   */
  readonly workerTimeout?: Duration;

  /**
   * How often a work item that failed for another reason than a Lambda service error (e.g. S3
   * throttling) is tried again, 0–10. Permanent failures (hostile zip, replaced upload) are never retried.
   * @default 2
   */
  readonly workerRetries?: number;

  /**
   * The planner's memory in MiB (128–10240): it holds the whole central directory (about 200
   * bytes per entry; 2 million entries by default cap).
   * @default 3008
   */
  readonly plannerMemorySize?: number;

  /**
   * The finalizer's memory in MiB (128–10240): it assembles the plan and every shard result.
   * @default 3008
   */
  readonly finalizerMemorySize?: number;

  /**
   * The longest a conversion may run before the state machine stops it (failure handler runs).
   * @default Duration.hours(6)
   */
  readonly timeout?: Duration;
}
