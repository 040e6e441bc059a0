/**
 * The launcher's request and response: what the platform's API (and any client) sends to the
 * launcher Lambda and gets back. One definition for both sides: the library exports these types
 * as its public API (they are jsii-clean: enums, plain interfaces, no unions), the Lambda validates
 * requests into them, and the API and CLI type their payloads with them.
 *
 * Hyperparameter values are strings, numbers or booleans; jsii has no union types, so the public
 * types say `any` and {@link HyperParameterValue} says what the Lambda accepts.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

/** Where a channel of a launch request reads its data from. */
export enum DatasetChannelSource {
  /** The platform's dataset file system (FSx for Lustre or EFS), read in place. */
  FILE_SYSTEM = 'fileSystem',
  /** The dataset bucket, through SageMaker's S3 data source. */
  S3 = 's3',
}

/**
 * Which part of a dataset version converted with a validation split (the ingestion's
 * `conversion.validationFraction`) a channel reads.
 */
export enum DatasetChannelSplit {
  /** `<version>/training/`: the images not held out for validation. */
  TRAINING = 'training',
  /** `<version>/validation/`: the images held out for validation. */
  VALIDATION = 'validation',
}

/** `Channel.InputMode` of a training job. File systems support `FILE` only; `FAST_FILE` and `PIPE` stream from S3. */
export enum DatasetChannelInputMode {
  /** The data is available as files (copied from S3, or the file system read in place). */
  FILE = 'File',
  /** S3 objects are streamed on first read (S3 only). */
  FAST_FILE = 'FastFile',
  /** S3 objects are streamed through a pipe (S3 only). */
  PIPE = 'Pipe',
}

/** One input channel of a launch request: a converted dataset channel, pinned to a version. */
export interface TrainingJobChannelRequest {
  /**
   * Whose dataset: the caller's tenant, or `shared` for the platform's read-only datasets. Another
   * tenant's name is refused (and IAM would refuse it too).
   * @default - the caller's tenant
   */
  readonly owner?: string;
  /**
   * The dataset to read.
   * @default - the request's `datasetId`
   */
  readonly datasetId?: string;
  /**
   * The dataset's channel (the `<channel>` of `uploads/<tenant>/<datasetId>/<channel>.zip`).
   * @default - the channel's own name
   */
  readonly datasetChannel?: string;
  /**
   * A version folder to pin, e.g. `v20261122T115526Z-0123456789ab`.
   * @default - the version `current.json` points at when the request arrives
   */
  readonly version?: string;
  /**
   * Where the channel reads from.
   * @default - FILE_SYSTEM when the launcher has a file system, else S3
   */
  readonly source?: DatasetChannelSource;
  /**
   * The channel's input mode.
   * @default - FILE on a file system; on S3, the launcher's `s3InputMode` (FAST_FILE unless configured)
   */
  readonly inputMode?: DatasetChannelInputMode;
  /**
   * The MIME type passed to the algorithm.
   * @default - none
   */
  readonly contentType?: string;  /**
   * The part of a split version the channel reads: `<version>/training/` or `<version>/validation/`.
   * Channels that read one dataset channel read one version, so a request's training and validation
   * channels always read the two parts of the same conversion. A version without a split has no
   * parts: naming one is refused.
   * @default - TRAINING when the version has a validation split, else the whole version
   */
  readonly split?: DatasetChannelSplit;
}

/**
 * Checkpoint sync to `s3://<artifacts bucket>/jobs/<tenant>/<job name>/checkpoints/`. In JSON, `true`
 * is accepted as shorthand for an empty object (every default).
 */
export interface TrainingJobCheckpointRequest {
  /**
   * Where the container writes checkpoints.
   * @default "/opt/ml/checkpoints"
   */
  readonly localPath?: string;
}

/**
 * A hyperparameter sweep: an explicit list of hyperparameter sets, or a grid whose cartesian
 * product gives the sets. Set exactly one of `list` and `grid`.
 */
export interface TrainingJobSweep {
  /**
   * Hyperparameter sets (overrides of the request's base hyperparameters), one job each; values are
   * strings, numbers or booleans.
   * @default - use `grid`
   */
  readonly list?: Array<Record<string, any>>;
  /**
   * Hyperparameter name → the values to try; one job per combination.
   * @default - use `list`
   */
  readonly grid?: Record<string, any[]>;
}

/**
 * A launch request, as the platform's API sends it to the launcher Lambda (JSON payload of
 * `lambda:InvokeFunction`). Every problem of an invalid request is listed in the response; nothing
 * is launched then.
 */
export interface TrainingJobLaunchRequest {
  /**
   * Idempotency token (letters, digits and hyphens, a UUID fits): the same token never launches
   * the same job twice.
   */
  readonly clientToken: string;
  /** The dataset every channel reads unless it names its own. */
  readonly datasetId: string;
  /** Channel name (`/opt/ml/input/data/<name>` in the container) → what it reads. */
  readonly channels: Record<string, TrainingJobChannelRequest>;
  /** The training image URI, from one of the launcher's `trainingImageRepositories`. */
  readonly trainingImage: string;
  /** The instance type, one of the launcher's `allowedInstanceTypes`. */
  readonly instanceType: string;
  /**
   * Instances per job.
   * @default 1
   */
  readonly instanceCount?: number;
  /**
   * The training volume per instance, in GB.
   * @default 50
   */
  readonly volumeSizeInGB?: number;
  /**
   * The job's time limit in seconds, at most the launcher's `maxRuntime`.
   * @default - one day, or the launcher's cap if lower
   */
  readonly maxRuntimeInSeconds?: number;
  /**
   * Base hyperparameters (strings, numbers or booleans); a sweep overrides them per job.
   * @default - none
   */
  readonly hyperparameters?: Record<string, any>;
  /**
   * Environment variables of the training container.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Tags of the jobs (keys starting with `cdk-sagemaker-datasets:` are the platform's).
   * @default - only the platform's tags
   */
  readonly tags?: Record<string, string>;
  /**
   * A sweep: one job per hyperparameter set.
   * @default - one job
   */
  readonly sweep?: TrainingJobSweep;
  /**
   * Checkpoint sync to the artifacts bucket (an empty object uses the defaults).
   * @default - no checkpoints
   */
  readonly checkpoints?: TrainingJobCheckpointRequest;
  /**
   * Managed spot training. Requires `checkpoints`: SageMaker resumes an interrupted job from them.
   * @default false
   */
  readonly useSpot?: boolean;
  /**
   * With `useSpot`: how long a job may wait for spot capacity plus run, in seconds; at least its
   * `maxRuntimeInSeconds`.
   * @default - the job's maxRuntimeInSeconds
   */
  readonly maxWaitTimeInSeconds?: number;
  /**
   * Metrics SageMaker reads from the training logs (at most 40).
   * @default - none
   */
  readonly metricDefinitions?: TrainingJobMetricDefinition[];
}

/** One metric SageMaker extracts from a training job's logs. */
export interface TrainingJobMetricDefinition {
  /** The metric's name (1–255 characters, one line). */
  readonly name: string;
  /** A regular expression whose first capturing group is the value, e.g. `loss: ([0-9.]+)` (1–500 characters, one line). */
  readonly regex: string;
}

/** What the launcher did with a request. */
export enum TrainingJobLaunchOutcome {
  /** Every job was created or had already been launched with the same client token. */
  LAUNCHED = 'launched',
  /** Some jobs failed to launch; see each job's `reason`. */
  PARTIAL = 'partial',
  /** No job could be launched; see each job's `reason`. */
  FAILED = 'failed',
  /** The request is invalid (see `errors`); nothing was launched. */
  REJECTED = 'rejected',
}

/** What happened to one job of a launch. */
export enum LaunchedTrainingJobStatus {
  /** CreateTrainingJob succeeded. */
  CREATED = 'created',
  /** A job of this name already exists from an earlier delivery of the same request. */
  ALREADY_LAUNCHED = 'already-launched',
  /** The job could not be created; see `reason`. */
  FAILED = 'failed',
}

/** One problem with one field of a launch request. */
export interface LaunchRequestFieldError {
  /** Where: dotted keys and `[index]` (e.g. `sweep.grid.learning_rate[2]`), `request` for the request itself. */
  readonly path: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/** One job of a launch response. */
export interface LaunchedTrainingJob {
  /** The job's index in the sweep (0 without a sweep). */
  readonly index: number;
  /** The training job's name (`<jobNamePrefix>-…`). */
  readonly name: string;
  /**
   * The training job's ARN.
   * @default - absent when the job could not be created
   */
  readonly arn?: string;
  /** What happened to the job. */
  readonly status: LaunchedTrainingJobStatus;
  /**
   * Why the job failed, and what to do.
   * @default - absent unless the status is FAILED
   */
  readonly reason?: string;
  /** The hyperparameters the job runs with, as SageMaker receives them (strings). */
  readonly hyperparameters: Record<string, string>;
  /** Channel name → the dataset version it reads. */
  readonly datasetVersions: Record<string, string>;
  /** `s3://<artifacts bucket>/jobs/<name>/` */
  readonly outputUri: string;
  /** `s3://<artifacts bucket>/jobs/<name>/output/model.tar.gz`, once the job completes. */
  readonly modelArtifactUri: string;
}

/** How many jobs of a launch were created, already launched or failed. */
export interface TrainingJobLaunchSummary {
  /** Jobs created by this request. */
  readonly created: number;
  /** Jobs an earlier delivery of the same request had created. */
  readonly alreadyLaunched: number;
  /** Jobs that could not be created. */
  readonly failed: number;
}

/** The launcher's answer to a launch request (the Lambda's JSON result). */
export interface TrainingJobLaunchResponse {
  /** What the launcher did. */
  readonly outcome: TrainingJobLaunchOutcome;
  /**
   * The request's client token.
   * @default - absent when a rejected request had no valid token
   */
  readonly clientToken?: string;
  /**
   * The request's dataset.
   * @default - absent when the request was rejected
   */
  readonly datasetId?: string;
  /** The jobs, in sweep order (empty when the request was rejected). */
  readonly jobs: LaunchedTrainingJob[];
  /**
   * Every problem of a rejected request.
   * @default - absent unless the outcome is REJECTED
   */
  readonly errors?: LaunchRequestFieldError[];
  /**
   * Counts of the jobs by status.
   * @default - absent when the request was rejected
   */
  readonly summary?: TrainingJobLaunchSummary;
}

// What the TypeScript side knows beyond jsii's reach. These narrow the public types above, so they
// never add a field or restate a doc comment.

/** What a hyperparameter value in a request may be (the public types say `any`); SageMaker receives it as a string. */
export type HyperParameterValue = string | number | boolean;

/** The input modes a launcher may give the S3 channels whose request names none. */
export type S3ChannelInputMode = DatasetChannelInputMode.FAST_FILE | DatasetChannelInputMode.FILE;

/** A rejected request's response: nothing was launched, and every problem is listed. */
export type RejectedLaunchResponse = TrainingJobLaunchResponse & {
  readonly outcome: TrainingJobLaunchOutcome.REJECTED;
  readonly errors: LaunchRequestFieldError[];
  readonly jobs: [];
  readonly datasetId?: undefined;
  readonly summary?: undefined;
};

/** An accepted request's response: every job of the sweep, each created, already launched or failed. */
export type AcceptedLaunchResponse = TrainingJobLaunchResponse & {
  readonly outcome: Exclude<TrainingJobLaunchOutcome, TrainingJobLaunchOutcome.REJECTED>;
  readonly clientToken: string;
  readonly datasetId: string;
  readonly errors?: undefined;
  readonly summary: TrainingJobLaunchSummary;
};

/** The launcher's answer, narrowed by `outcome`. */
export type LaunchResponse = RejectedLaunchResponse | AcceptedLaunchResponse;
