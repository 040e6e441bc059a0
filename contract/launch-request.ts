/**
 * The launcher's request and response: what the platform's API (and any client) sends to the
 * launcher Lambda and gets back. Dependency-free: the Lambda validates requests against these
 * shapes, and API and CLI code type their payloads with them.
 */

/** A hyperparameter value as a request may write it; SageMaker receives it as a string. */
export type HyperParameterValue = string | number | boolean;

/** One set of hyperparameters (overrides of the request's base hyperparameters). */
export type HyperParameterSet = Readonly<Record<string, HyperParameterValue>>;

/**
 * A parameter sweep: an explicit list of hyperparameter sets, or a grid whose cartesian product
 * gives the sets. Exactly one of `list` and `grid`.
 */
export interface Sweep {
  readonly list?: readonly HyperParameterSet[];
  readonly grid?: Readonly<Record<string, readonly HyperParameterValue[]>>;
}

/** Where a channel's data is read from. */
export type ChannelSource = 'fileSystem' | 's3';

/** `Channel.InputMode`. File systems support File only; FastFile and Pipe stream from S3. */
export type ChannelInputMode = 'File' | 'FastFile' | 'Pipe';

/** The input modes a launcher may give S3 channels by default. */
export type S3ChannelInputMode = 'FastFile' | 'File';

/** One input channel of a launch request: a converted dataset channel, pinned to a version. */
export interface ChannelRequest {
  /**
   * Whose dataset: the caller's tenant (the default) or `shared`, the platform's read-only
   * datasets. Another tenant's name is refused (and IAM would refuse it too).
   */
  readonly owner?: string;
  /** The dataset to read. Default: the request's `datasetId`. */
  readonly datasetId?: string;
  /** The dataset's channel (`uploads/<tenant>/<datasetId>/<channel>.zip`). Default: the channel's own name. */
  readonly datasetChannel?: string;
  /** A version folder to pin. Default: the version `current.json` points at when the request arrives. */
  readonly version?: string;
  /** Read from the platform's file system or from S3. Default: fileSystem when the launcher has one, else s3. */
  readonly source?: ChannelSource;
  /** Default: File on a file system; the launcher's S3 input mode (FastFile unless configured) on S3. */
  readonly inputMode?: ChannelInputMode;
  /** MIME type passed to the algorithm. */
  readonly contentType?: string;
}

/** Checkpoint sync to `s3://<artifacts>/jobs/<tenant>/<job name>/checkpoints/`. */
export interface CheckpointRequest {
  /** Where the container writes checkpoints. Default `/opt/ml/checkpoints`. */
  readonly localPath?: string;
}

/** A launch request as the platform's API sends it (JSON). */
export interface LaunchRequest {
  readonly clientToken: string;
  readonly datasetId: string;
  readonly channels: Readonly<Record<string, ChannelRequest>>;
  readonly trainingImage: string;
  readonly instanceType: string;
  readonly instanceCount?: number;
  readonly volumeSizeInGB?: number;
  readonly maxRuntimeInSeconds?: number;
  readonly hyperparameters?: Readonly<Record<string, HyperParameterValue>>;
  readonly environment?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly sweep?: Sweep;
  readonly checkpoints?: true | CheckpointRequest;
  /** Managed spot training; needs `checkpoints` (SageMaker resumes interrupted jobs from them). */
  readonly useSpot?: boolean;
  /** With `useSpot`: how long a job may wait for spot capacity plus run, at least its MaxRuntimeInSeconds. Default: its MaxRuntimeInSeconds. */
  readonly maxWaitTimeInSeconds?: number;
  /** Metrics SageMaker reads from the job's logs (name + regex whose first group is the value). */
  readonly metricDefinitions?: readonly MetricDefinitionRequest[];
}

/** One metric SageMaker extracts from the training logs. */
export interface MetricDefinitionRequest {
  readonly name: string;
  /** A regular expression whose first capturing group is the metric's value, e.g. `loss: ([0-9.]+)`. */
  readonly regex: string;
}

/** One problem with one field of a launch request, e.g. `sweep.grid.learning_rate[2]`. */
export interface FieldError {
  /** Where: dotted keys and `[index]`, `request` for the request itself. */
  readonly path: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/** What happened to one job. */
export type JobStatus = 'created' | 'already-launched' | 'failed';

/** One job of the response. */
export interface JobResult {
  /** The job's index in the sweep. */
  readonly index: number;
  readonly name: string;
  /** The training job's ARN (absent when it could not be created). */
  readonly arn?: string;
  readonly status: JobStatus;
  /** Why the job failed, and what to do. */
  readonly reason?: string;
  /** The hyperparameters the job runs with. */
  readonly hyperparameters: Readonly<Record<string, string>>;
  /** The dataset version each channel reads. */
  readonly datasetVersions: Readonly<Record<string, string>>;
  /** `s3://<artifacts>/jobs/<name>/` */
  readonly outputUri: string;
  /** `s3://<artifacts>/jobs/<name>/output/model.tar.gz` once the job completes. */
  readonly modelArtifactUri: string;
}

/** The launcher's answer. */
export type LaunchResponse =
  | {
    /** Nothing was launched: the request is invalid (every problem is listed). */
    readonly outcome: 'rejected';
    readonly clientToken?: string;
    readonly errors: readonly FieldError[];
    readonly jobs: readonly [];
  }
  | {
    /** launched: every job is created or already launched; partial: some failed; failed: all failed. */
    readonly outcome: 'launched' | 'partial' | 'failed';
    readonly clientToken: string;
    readonly datasetId: string;
    readonly jobs: readonly JobResult[];
    readonly summary: { readonly created: number; readonly alreadyLaunched: number; readonly failed: number };
  };
