/**
 * The contract between the `DatasetIngestion` construct, its converter Lambda and the consumers of
 * its events. CDK-free on purpose: the Lambda bundle imports it too, so the construct, the handler
 * and the platform's API agree on one set of names.
 */

/** Default `source` of the events the converter puts to EventBridge. */
export const DEFAULT_INGESTION_EVENT_SOURCE = 'cdk-sagemaker-datasets';

/** `detail-type` of the event sent when a version is complete (manifest written). */
export const DATASET_CONVERTED = 'DatasetConverted';

/** `detail-type` of the event sent when an upload could not be converted. */
export const DATASET_CONVERSION_FAILED = 'DatasetConversionFailed';

/**
 * `detail-type` of the event sent when an upload too large for the single function has been handed
 * to the distributed conversion and waits there for a free slot (at most `maxConcurrentConversions`
 * run at once); `DatasetConversionStarted` follows once its planner has planned the work items.
 */
export const DATASET_CONVERSION_QUEUED = 'DatasetConversionQueued';

/**
 * `detail-type` of the event sent when a conversion starts converting (the single function once it
 * accepted the upload; the distributed conversion once its planner has planned the work items).
 */
export const DATASET_CONVERSION_STARTED = 'DatasetConversionStarted';

/**
 * `detail-type` of the progress events of a long conversion: at most one per 10 % of the work or per
 * minute (the single function by bytes of the zip read; the distributed conversion by completed work items).
 */
export const DATASET_CONVERSION_PROGRESS = 'DatasetConversionProgress';

/** Progress is reported again only after this much more of the work (a fraction, 0–1) ... */
export const PROGRESS_MIN_STEP = 0.1;
/** ... or after this long since the last report (and some progress since). */
export const PROGRESS_MIN_INTERVAL_MS = 60_000;

/** Version of the `detail` schemas below; bumped on incompatible changes. */
export const INGESTION_EVENT_SCHEMA_VERSION = 1;

import { DATASET_PREFIX, UPLOAD_KEY_SUFFIXES, UPLOAD_PREFIX, UPLOAD_SUFFIX } from './key-layout';

/**
 * The upload keys the pipeline routes to the converter (`uploads/<tenant>/<datasetId>/<channel>.zip`) and
 * where converted versions go (`datasets/<tenant>/<datasetId>/<channel>/<version>/` and `.../current.json`):
 * the catalog's key layout.
 */
export const UPLOAD_KEY_PREFIX = UPLOAD_PREFIX;
export const UPLOAD_KEY_SUFFIX = UPLOAD_SUFFIX;
/** Every last suffix of an upload key (`.zip`, and `.tfrecord` for a single TFRecord file). */
export { UPLOAD_KEY_SUFFIXES };
export const DATASET_KEY_PREFIX = DATASET_PREFIX;

/**
 * Where the converter keeps its per-version leases (`ingestion-leases/<id>/<channel>/<version>.json`)
 * in the dataset bucket: outside `datasets/`, so FSx for Lustre never imports them. A lease makes two
 * deliveries of one upload (at-least-once S3, EventBridge and SQS) convert it one at a time.
 */
export const LEASE_KEY_PREFIX = 'ingestion-leases/';

/** The reason text of a too-large upload (issue 5's wording; the API may match on `code`). */
export const TOO_LARGE_REASON = 'too large for single-function conversion';

/**
 * The largest upload the converters accept unless `DatasetIngestion`'s `maxUploadSize` says
 * otherwise (200 GiB, the platform API's default cap too); larger ones end in
 * `DatasetConversionFailed` with code `upload-too-large` before any conversion starts.
 */
export const DEFAULT_MAX_UPLOAD_BYTES = 200 * 1024 ** 3;

/** Machine-readable failure codes of `DatasetConversionFailed`. */
export enum ConversionFailureCode {
  /** The key is not `uploads/<tenant>/<datasetId>/<channel>.zip` with safe names. */
  INVALID_UPLOAD_KEY = 'invalid-upload-key',
  /** The zip is unreadable or hostile (not a zip, truncated, overlapping entries, limits ...). */
  INVALID_ZIP = 'invalid-zip',
  /** The zip is readable but not an acceptable dataset (no images, mixed layout, rejected entries). */
  INVALID_DATASET = 'invalid-dataset',
  /** The zip does not fit one function invocation (size threshold or time estimate). */
  TOO_LARGE = 'too-large',
  /** The upload was overwritten or deleted before it could be read completely. */
  UPLOAD_CHANGED = 'upload-changed',
  /** A transient error repeated until the queue's maxReceiveCount; the message goes to the DLQ. */
  RETRIES_EXHAUSTED = 'retries-exhausted',
  /**
   * An attempt died while converting (the function ran out of memory or time) without reporting;
   * the next delivery reports it instead of converting again, since the same input would crash again.
   */
  CONVERSION_CRASHED = 'conversion-crashed',
  /**
   * The version was converted but could not be shown visible on the FSx for Lustre file system (its
   * import task failed or timed out): no pointer names it, so no training job reads it half imported.
   */
  NOT_VISIBLE_ON_FILE_SYSTEM = 'not-visible-on-file-system',
  /**
   * The upload is larger than the platform accepts (`DatasetIngestion` prop `maxUploadSize`): it
   * is refused before anything reads it, whichever converter would have taken it.
   */
  UPLOAD_TOO_LARGE = 'upload-too-large',
}

/** Which converter works on an upload. */
export enum ConversionRoute {
  /** The ingestion function converts the zip in one invocation. */
  SINGLE_FUNCTION = 'single-function',
  /** The distributed conversion (a Step Functions Distributed Map of Lambda workers). */
  DISTRIBUTED = 'distributed',
}

/** What a progress event counts. */
export enum ConversionProgressUnit {
  /** Bytes of the uploaded zip read by the single function. */
  BYTES = 'bytes',
  /** Work items (groups of whole shards) completed by the distributed conversion's workers. */
  WORK_ITEMS = 'work-items',
}

/** The upload an event is about: its identity and, when S3 reported it, its size. */
export interface UploadReference {
  /** The dataset bucket's name. */
  readonly bucket: string;
  /** The upload's key, `uploads/<tenant>/<datasetId>/<channel>.zip`. */
  readonly key: string;
  /**
   * The S3 object version id.
   * @default - absent on an unversioned bucket
   */
  readonly versionId?: string;
  /**
   * The object's ETag, without quotes.
   * @default - absent when S3 did not report it
   */
  readonly etag?: string;
  /**
   * S3's sequencer, which orders the events of one key (hex of varying length).
   * @default - absent when S3 did not report it
   */
  readonly sequencer?: string;
  /** When S3 reported the object created (ISO 8601). */
  readonly eventTime: string;
  /**
   * The object's size in bytes.
   * @default - absent when S3 did not report it
   */
  readonly size?: number;
}

/** What a converted version holds (`counts` of `DatasetConverted`). */
export interface DatasetConversionCounts {
  /** TFRecord records written (images) or verified (tfrecord); 0 for files. */
  readonly records: number;
  /** TFRecord shard files written (images). */
  readonly shards: number;
  /**
   * Files kept as uploaded (kinds files and tfrecord), each listed in the manifest with its size and SHA-256.
   * @default - absent for images
   */
  readonly files?: number;
  /** Distinct labels (class folders). */
  readonly classes: number;
  /** Zip entries read. */
  readonly entries: number;
  /** Entries skipped as not part of the dataset (folders, hidden and system files). */
  readonly skipped: number;
  /** Entries rejected (unreadable or unsupported images); listed in the manifest. */
  readonly rejected: number;
}

/** `detail` of `DatasetConverted`. */
export interface DatasetConvertedDetail {
  /** The detail schema's version (`1`); bumped on incompatible changes. */
  readonly schemaVersion: number;
  /** The owner of the dataset: a tenant's name, or `shared` for the platform's datasets. */
  readonly tenant: string;
  readonly datasetId: string;
  readonly channel: string;
  /**
   * What the channel holds: `images` (TFRecord shards converted from images), `files` (files kept as
   * uploaded) or `tfrecord` (TFRecord files verified and kept); the upload key's suffix names it.
   * @default images
   */
  readonly kind?: string;
  /** The version folder, e.g. `v20261122T115526Z-0123456789ab`. */
  readonly version: string;
  readonly upload: UploadReference;
  readonly datasetBucket: string;
  /** `datasets/<tenant>/<datasetId>/<channel>/<version>/` */
  readonly prefix: string;
  /** `s3://<datasetBucket>/datasets/<tenant>/<datasetId>/<channel>/<version>/manifest.json` */
  readonly manifestUri: string;
  /** `s3://<datasetBucket>/datasets/<tenant>/<datasetId>/<channel>/current.json` */
  readonly pointerUri: string;
  /**
   * Whether `current.json` points at this version after the conversion. False when a later upload
   * of the same key was committed first (this one finished late and did not move the pointer back).
   */
  readonly current: boolean;
  /**
   * The version's directory below the file system's dataset root (`<tenant>/<datasetId>/<channel>/<version>`):
   * pass it to `IDatasetFileSystem.trainingChannel(channelName, datasetPath)`. FSx for Lustre
   * imports it through the data repository association of `datasets/`; on EFS the converter wrote it.
   */
  readonly datasetPath: string;
  /** The version's `DirectoryPath` on EFS (from the file-system root), when the converter wrote it to EFS. */
  readonly efsDirectoryPath?: string;
  /** What the version holds. */
  readonly counts: DatasetConversionCounts;
  /** Wall time of the conversion in the function, in milliseconds. */
  readonly durationMs: number;
}

/** One rejected zip entry, as listed in `DatasetConversionFailed`. */
export interface RejectedEntryReference {
  readonly name: string;
  readonly reason: string;
  readonly detail: string;
}

/** A work item of a distributed conversion that did not complete (listed in `DatasetConversionFailed`). */
export interface FailedWorkItemReference {
  /** The work item's number in the plan. */
  readonly item: number;
  /** Its first and last shard file names. */
  readonly firstShard: string;
  readonly lastShard: string;
  /** Its last error message. */
  readonly lastError: string;
}

/** `detail` of `DatasetConversionFailed`. */
export interface DatasetConversionFailedDetail {
  /** The detail schema's version (`1`); bumped on incompatible changes. */
  readonly schemaVersion: number;
  /** The owner (tenant or `shared`); absent when the key is not a valid upload key. */
  readonly tenant?: string;
  /** Absent when the key is not a valid upload key. */
  readonly datasetId?: string;
  readonly channel?: string;
  /** The version the upload would have become, when the key was valid. */
  readonly version?: string;
  readonly upload: UploadReference;
  readonly code: ConversionFailureCode;
  /** Short human reason, e.g. "too large for single-function conversion". */
  readonly reason: string;
  /** What exactly went wrong and what to change. */
  readonly message: string;
  /** The converter's problem code, e.g. `overlapping-entries`, `rejected-entries`. */
  readonly problem?: string;
  /** Rejected entries (first ones only when there are many; see `rejectedCount`). */
  readonly rejected: RejectedEntryReference[];
  readonly rejectedCount: number;
  /** How many times the queue delivered the message. */
  readonly attempts: number;
  /** The work items that failed, when a distributed conversion failed (first ones only). */
  readonly failedItems?: FailedWorkItemReference[];
}

/**
 * The fields `DatasetConversionQueued`, `DatasetConversionStarted` and `DatasetConversionProgress`
 * share, so a consumer can match the three on `version`.
 */
export interface DatasetConversionHeader {
  /** The detail schema's version (`1`); bumped on incompatible changes. */
  readonly schemaVersion: number;
  /** The owner of the dataset: a tenant's name, or `shared` for the platform's datasets. */
  readonly tenant: string;
  readonly datasetId: string;
  readonly channel: string;
  /** The version folder the upload becomes. */
  readonly version: string;
  readonly upload: UploadReference;
  /** Which converter converts it (only the distributed conversion queues). */
  readonly route: ConversionRoute;
}

/** `detail` of `DatasetConversionQueued`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- jsii has no type aliases
export interface DatasetConversionQueuedDetail extends DatasetConversionHeader {}

/** `detail` of `DatasetConversionStarted`. */
export interface DatasetConversionStartedDetail extends DatasetConversionHeader {
  /**
   * The distributed conversion's work items (progress events count them).
   * @default - absent on the single-function route
   */
  readonly workItems?: number;
}

/** `detail` of `DatasetConversionProgress`. */
export interface DatasetConversionProgressDetail extends DatasetConversionHeader {
  /** Done so far, 0–1 (`completed / total`, rounded down to a thousandth). */
  readonly progress: number;
  /** What `completed` and `total` count. */
  readonly unit: ConversionProgressUnit;
  readonly completed: number;
  readonly total: number;
}

/** Where a conversion stands, as the status document records it. */
export enum ConversionState {
  /** Handed to the distributed conversion, waiting for a free slot (see `maxConcurrentConversions`). */
  QUEUED = 'queued',
  /** Being converted; `progress` says how far. */
  CONVERTING = 'converting',
  /** Converted; being imported onto FSx for Lustre before the pointer moves. */
  IMPORTING = 'importing',
  /** Complete; `DatasetConverted` was sent. */
  CONVERTED = 'converted',
  /** Not converted; `DatasetConversionFailed` was sent with `code` and `reason`. */
  FAILED = 'failed',
}

/**
 * `datasets/<tenant>/<datasetId>/<channel>/conversion-status.json`: the newest upload's conversion
 * state, written by the converters next to `current.json` (never inside a version folder) whenever
 * they send one of the events above. The platform API's dataset listing reads it to show
 * converting (with progress), ready or failed (with the reason). It only ever moves to a later
 * upload (S3 conditional writes), like the pointer.
 */
export const CONVERSION_STATUS_FILE = 'conversion-status.json';

/** The content of {@link CONVERSION_STATUS_FILE}. */
export interface ConversionStatusDocument {
  readonly schemaVersion: number;
  /** The version the newest upload becomes. */
  readonly version: string;
  /** The upload (its ETag identifies it in a listing of the upload bucket). */
  readonly upload: UploadReference;
  readonly state: ConversionState;
  /** 0–1 while converting. */
  readonly progress?: number;
  /** The failure's code and short reason, when failed. */
  readonly code?: ConversionFailureCode;
  readonly reason?: string;
  /** What exactly went wrong and what to change, when failed. */
  readonly message?: string;
  /** When the state was written (ISO 8601). */
  readonly updatedAt: string;
}

/** Environment variables the construct sets on the converter function. */
export const INGESTION_ENV = {
  DATASET_BUCKET: 'DATASET_BUCKET',
  /** Retention job: the upload bucket, whose `uploads/<tenant>/<datasetId>/` go when that dataset is deleted. */
  UPLOAD_BUCKET: 'UPLOAD_BUCKET',
  EVENT_BUS_NAME: 'EVENT_BUS_NAME',
  EVENT_SOURCE: 'EVENT_SOURCE',
  MAX_RECEIVE_COUNT: 'MAX_RECEIVE_COUNT',
  SINGLE_FUNCTION_MAX_BYTES: 'SINGLE_FUNCTION_MAX_BYTES',
  ESTIMATED_BYTES_PER_SECOND: 'ESTIMATED_BYTES_PER_SECOND',
  /** The largest upload converted, in bytes; larger ones are refused before any conversion. */
  MAX_UPLOAD_BYTES: 'MAX_UPLOAD_BYTES',
  CONVERSION_OPTIONS: 'CONVERSION_OPTIONS',
  EFS_MOUNT_PATH: 'EFS_MOUNT_PATH',
  EFS_ROOT_DIRECTORY: 'EFS_ROOT_DIRECTORY',
  /** The distributed conversion's state machine; uploads above the single-function limit are handed to it. */
  DISTRIBUTED_STATE_MACHINE_ARN: 'DISTRIBUTED_STATE_MACHINE_ARN',
  /** The FIFO queue of distributed conversions waiting for a slot (at most `maxConcurrentConversions` run at once). */
  DISTRIBUTED_BACKLOG_QUEUE_URL: 'DISTRIBUTED_BACKLOG_QUEUE_URL',
  /** The dispatcher that starts queued distributed conversions; the ingestion function nudges it after queueing one. */
  DISTRIBUTED_DISPATCHER_FUNCTION: 'DISTRIBUTED_DISPATCHER_FUNCTION',
  /** The FSx for Lustre file system that imports the dataset bucket: each version is imported before it becomes current. */
  LUSTRE_FILE_SYSTEM_ID: 'LUSTRE_FILE_SYSTEM_ID',
  /** Retention job: the newest complete versions kept per channel. */
  RETENTION_KEEP_VERSIONS: 'RETENTION_KEEP_VERSIONS',
  /** Retention job: versions younger than this many seconds are kept whatever their number. */
  RETENTION_KEEP_YOUNGER_THAN_SECONDS: 'RETENTION_KEEP_YOUNGER_THAN_SECONDS',
} as const;

/**
 * What the retention function accepts besides its schedule's event: deleting one whole dataset
 * (every channel's pointer first, then its uploads, its versions and status). `aws lambda invoke` it with
 * `{"deleteDataset":{"tenant":"vision","datasetId":"cats"}}`.
 */
export interface DeleteDatasetRequest {
  readonly deleteDataset: { readonly tenant: string; readonly datasetId: string };
}

/**
 * The largest validation fraction: above one half the held-out part would be the larger one,
 * a training/test swap rather than a validation split.
 */
export const MAX_VALIDATION_FRACTION = 0.5;

/** The conversion settings the construct passes to the handler (JSON in `CONVERSION_OPTIONS`). */
export interface IngestionConversionSettings {
  readonly targetShardBytes?: number;
  readonly maxRejectedFraction?: number;
  readonly seed?: number;
  readonly shuffleBlockBytes?: number;
  readonly maxImagePixels?: number;
  /** Images uploads only: the fraction (0 < f <= MAX_VALIDATION_FRACTION) of each class held out in the version's `validation/` part. */
  readonly validationFraction?: number;
}

/**
 * The EventBridge pattern of the upload rule, in the shape of CDK's `events.EventPattern`
 * (`detailType` renders as `detail-type`): S3 "Object Created" in `bucketName` whose key starts
 * with `uploads/` and ends with `.zip` or `.tfrecord` (one wildcard matcher per suffix, which
 * EventBridge ORs). The construct and the moto integration tests both build the rule from it.
 */
export function uploadObjectCreatedPattern(bucketName: string): { source: string[]; detailType: string[]; detail: Record<string, unknown> } {
  return {
    source: ['aws.s3'],
    detailType: ['Object Created'],
    detail: {
      bucket: { name: [bucketName] },
      object: { key: UPLOAD_KEY_SUFFIXES.map((suffix) => ({ wildcard: `${UPLOAD_KEY_PREFIX}*${suffix}` })) },
    },
  };
}

/** The pattern of one of the converter's own events (`DatasetConverted` or `DatasetConversionFailed`). */
export function ingestionEventPattern(source: string, detailType: string): { source: string[]; detailType: string[] } {
  return { source: [source], detailType: [detailType] };
}
