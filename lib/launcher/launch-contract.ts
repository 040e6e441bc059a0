/**
 * The wire shapes of the training-job launcher, for the platform's API and for consumers of its
 * events, in jsii form (enums, plain interfaces, no unions). Dependency-free: the launcher Lambda's
 * own request, response and event types are checked against these at compile time.
 *
 * Hyperparameter values are strings, numbers or booleans; jsii has no union types, so they are `any`.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

/** Where a channel of a launch request reads its data from. */
export enum DatasetChannelSource {
  /** The platform's dataset file system (FSx for Lustre or EFS), read in place. */
  FILE_SYSTEM = 'fileSystem',
  /** The dataset bucket, through SageMaker's S3 data source. */
  S3 = 's3',
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
   * tenant's name is refused.
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
   * @default DatasetChannelInputMode.FILE
   */
  readonly inputMode?: DatasetChannelInputMode;
  /**
   * The MIME type passed to the algorithm.
   * @default - none
   */
  readonly contentType?: string;
}

/** Checkpoint sync to `s3://<artifacts bucket>/jobs/<tenant>/<job name>/checkpoints/`. */
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
   * Hyperparameter sets, one job each; values are strings, numbers or booleans.
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

/**
 * `detail` of the `TrainingJobStateChanged` events the launcher publishes for this platform's jobs.
 * SageMaker may send several events for one state change, so consumers must be idempotent (key on
 * jobName + status + secondaryStatus + lastModifiedTime).
 */
export interface TrainingJobStateChangedDetail {
  /** The detail schema's version (`1`); bumped on incompatible changes. */
  readonly schemaVersion: number;
  /** The job-name prefix of the platform that launched the job. */
  readonly platform: string;
  /** The training job's name. */
  readonly jobName: string;
  /** The training job's ARN. */
  readonly jobArn: string;
  /** SageMaker's `TrainingJobStatus`: InProgress, Completed, Failed, Stopping, Stopped or Deleting. */
  readonly status: string;
  /**
   * SageMaker's `SecondaryStatus`: Starting, Downloading, Training, Uploading, Completed, Failed, MaxRuntimeExceeded …
   * @default - absent when SageMaker did not report it
   */
  readonly secondaryStatus?: string;
  /**
   * Why the job failed.
   * @default - absent unless the status is Failed
   */
  readonly failureReason?: string;
  /**
   * `s3://<artifacts bucket>/jobs/<job>/output/model.tar.gz`.
   * @default - absent until SageMaker reports it
   */
  readonly modelArtifactUri?: string;
  /**
   * The launch request's client token (the sweep id).
   * @default - absent for a job the launcher did not tag
   */
  readonly sweep?: string;
  /**
   * The job's index in the sweep.
   * @default - absent for a job the launcher did not tag
   */
  readonly sweepIndex?: number;
  /**
   * The launch request's dataset.
   * @default - absent for a job the launcher did not tag
   */
  readonly datasetId?: string;
  /**
   * The job's hyperparameters.
   * @default - absent when SageMaker did not report them
   */
  readonly hyperparameters?: Record<string, string>;
  /**
   * When the job was created (ISO 8601).
   * @default - absent when SageMaker did not report it
   */
  readonly creationTime?: string;
  /**
   * When training started (ISO 8601).
   * @default - absent until it starts
   */
  readonly trainingStartTime?: string;
  /**
   * When training ended (ISO 8601).
   * @default - absent until it ends
   */
  readonly trainingEndTime?: string;
  /**
   * When the job last changed (ISO 8601).
   * @default - absent when SageMaker did not report it
   */
  readonly lastModifiedTime?: string;
}
