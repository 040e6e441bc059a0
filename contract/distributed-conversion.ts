/**
 * The contract between the `DistributedConversion` construct (its state machine), its four Lambdas
 * (planner, shard workers, finalizer, failure handler) and the ingestion function that hands large
 * uploads to it. CDK-free on purpose: the Lambda bundles import it too.
 */
import { INGESTION_ENV, type UploadReference } from './ingestion-events';

/**
 * Where a distributed conversion keeps its working files in the dataset bucket, one folder per
 * version: `ingestion-work/<tenant>/<datasetId>/<channel>/<version>/`. Outside `datasets/`, so FSx for
 * Lustre never imports them and no reader mistakes them for a dataset.
 */
export const WORK_KEY_PREFIX = 'ingestion-work/';

/** Where the Distributed Map's ResultWriter exports the child executions' results (one folder per Map Run). */
export const MAP_RESULTS_KEY_PREFIX = `${WORK_KEY_PREFIX}map-results/`;

/** Version of the execution input and the work files below; bumped on incompatible changes. */
export const DISTRIBUTED_SCHEMA_VERSION = 1;

/**
 * The error name (Lambda `errorType`) of a permanent failure: the upload is hostile, unreadable,
 * changed, or not an acceptable dataset. The state machine never retries it; the failure handler
 * reads the verdict the failing step recorded under `failures/`.
 */
export const CONVERSION_REJECTED_ERROR = 'DistributedConversionRejected';

/**
 * The error name of a worker that found the conversion aborted (the failure handler ran while it
 * worked): it removed its own shards and stops. Not retried.
 */
export const CONVERSION_ABORTED_ERROR = 'DistributedConversionAborted';

/**
 * How Step Functions names a Lambda function that died without returning: out of memory or out
 * of time. Never retried: the same input crashes the same way; the failure handler reports it.
 */
export const LAMBDA_CRASH_ERROR = 'Lambda.Unknown';

/** Lambda service errors the state machine retries with backoff on every Lambda task. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/**
 * The execution input: what the ingestion function hands over for one upload too large for a
 * single function. The execution is named after `version`, so a duplicate hand-off (SQS and S3
 * deliver at least once) starts nothing new.
 */
export interface DistributedConversionInput {
  readonly schemaVersion: typeof DISTRIBUTED_SCHEMA_VERSION;
  /** The dataset's owner (tenant or `shared`); always the upload key's. */
  readonly tenant?: string;
  readonly datasetId: string;
  readonly channel: string;
  /** The version folder the upload becomes (`uploadVersion()` of the upload). */
  readonly version: string;
  readonly upload: UploadReference;
  /** Delivery attempt of the message that handed the upload over. */
  readonly attempt: number;
}

/** One line of `items.jsonl`: the Distributed Map's item (kept tiny; the shards are in `key`). */
export interface WorkItemReference {
  /** 0-based item number. */
  readonly item: number;
  /** The item file: `ingestion-work/<id>/<channel>/<version>/items/<item>.json`. */
  readonly key: string;
  /** The shards the item converts: `firstShard`..`lastShard` (inclusive). */
  readonly firstShard: number;
  readonly lastShard: number;
  /** Declared uncompressed image bytes of those shards. */
  readonly imageBytes: number;
}

/** What the planner passes on (the state's `$.plan`): the worker's and finalizer's context. */
export interface DistributedRun {
  readonly input: DistributedConversionInput;
  /** `ingestion-work/<id>/<channel>/<version>/` */
  readonly workPrefix: string;
  /** `datasets/<tenant>/<id>/<channel>/<version>/` */
  readonly versionPrefix: string;
}

/** The planner's output. */
export interface PlannerOutput {
  readonly run: DistributedRun;
  /** The JSONL file the Distributed Map's ItemReader reads. */
  readonly itemsKey: string;
  readonly itemCount: number;
  readonly shardCount: number;
}

/** The worker's input (the Map's ItemSelector). */
export interface WorkerInput {
  readonly run: DistributedRun;
  readonly item: WorkItemReference;
  /** How many work items the plan has (progress events count completed items against it). */
  readonly itemCount?: number;
}

/** The worker's output (kept small: the full shard results are in `results/<item>.json`). */
export interface WorkerOutput {
  readonly item: number;
  readonly shards: number;
  readonly records: number;
  readonly bytes: number;
  /** True when a retry found the item already converted and did nothing. */
  readonly reused: boolean;
}

/** The finalizer's input. */
export interface FinalizerInput {
  readonly run: DistributedRun;
  /** The Map state's output when ResultWriter exports to S3. */
  readonly mapResult?: { readonly MapRunArn?: string; readonly ResultWriterDetails?: { readonly Bucket?: string; readonly Key?: string } };
}

/** The failure handler's input: the execution input and the error the Catch caught. */
export interface FailureHandlerInput {
  readonly input: DistributedConversionInput;
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

/** Environment variables of the distributed conversion's Lambdas (shared names with ingestion). */
export const DISTRIBUTED_ENV = {
  DATASET_BUCKET: INGESTION_ENV.DATASET_BUCKET,
  EVENT_BUS_NAME: INGESTION_ENV.EVENT_BUS_NAME,
  EVENT_SOURCE: INGESTION_ENV.EVENT_SOURCE,
  CONVERSION_OPTIONS: INGESTION_ENV.CONVERSION_OPTIONS,
  EFS_MOUNT_PATH: INGESTION_ENV.EFS_MOUNT_PATH,
  EFS_ROOT_DIRECTORY: INGESTION_ENV.EFS_ROOT_DIRECTORY,
  LUSTRE_FILE_SYSTEM_ID: INGESTION_ENV.LUSTRE_FILE_SYSTEM_ID,
  /** Target uncompressed image bytes per work item (the planner groups whole shards up to it). */
  WORK_ITEM_BYTES: 'WORK_ITEM_BYTES',
} as const;

/**
 * The conversions waiting for a slot: a FIFO queue the ingestion function sends each upload too
 * large for one function to (the body is its {@link DistributedConversionInput}; message group:
 * the tenant; deduplication id: the version). The dispatcher alone starts executions from it, at
 * most `maxConcurrentConversions` running at once.
 */
export const DISPATCH_ENV = {
  DATASET_BUCKET: INGESTION_ENV.DATASET_BUCKET,
  /** The distributed conversion's state machine. */
  STATE_MACHINE_ARN: 'STATE_MACHINE_ARN',
  /** The FIFO queue of conversions waiting for a slot. */
  BACKLOG_QUEUE_URL: 'BACKLOG_QUEUE_URL',
  /** The most executions running at once. */
  MAX_CONCURRENT_CONVERSIONS: 'MAX_CONCURRENT_CONVERSIONS',
} as const;

/** How long a received backlog message stays invisible: longer than one dispatcher run (1 minute). */
export const BACKLOG_VISIBILITY_SECONDS = 120;

/**
 * `ingestion-work/dispatch/started.json`: the executions the dispatcher started and has not yet
 * seen end. Step Functions' ListExecutions is eventually consistent, so a just-started execution
 * may be missing from it; the dispatcher counts these by DescribeExecution instead.
 */
export const DISPATCH_LEDGER_KEY = `${WORK_KEY_PREFIX}dispatch/started.json`;
