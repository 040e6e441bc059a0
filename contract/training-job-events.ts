/**
 * The training-job events: SageMaker's state-change event the launcher listens to, and the
 * `TrainingJobStateChanged` platform event it re-publishes. Dependency-free: the construct builds
 * its rules from these names, the re-publisher Lambda writes the detail, and the library exports
 * the detail's type as its public (jsii) API.
 */

/** SageMaker's event: `source` and `detail-type`. */
export const SAGEMAKER_EVENT_SOURCE = 'aws.sagemaker';
export const SAGEMAKER_TRAINING_JOB_STATE_CHANGE = 'SageMaker Training Job State Change';

/** `detail-type` of the platform event the launcher re-publishes. */
export const TRAINING_JOB_STATE_CHANGED = 'TrainingJobStateChanged';
export const TRAINING_JOB_EVENT_SCHEMA_VERSION = 1;

/** Environment of the re-publisher function. */
export const STATE_CHANGE_ENV = {
  EVENT_BUS_NAME: 'STATE_EVENT_BUS_NAME',
  EVENT_SOURCE: 'STATE_EVENT_SOURCE',
  JOB_NAME_PREFIX: 'STATE_JOB_NAME_PREFIX',
} as const;

/** The parts of SageMaker's `detail` (it mirrors DescribeTrainingJob) that the platform event carries. */
export interface SageMakerTrainingJobDetail {
  readonly TrainingJobName?: string;
  readonly TrainingJobArn?: string;
  readonly TrainingJobStatus?: string;
  readonly SecondaryStatus?: string;
  readonly FailureReason?: string;
  readonly ModelArtifacts?: { readonly S3ModelArtifacts?: string };
  readonly HyperParameters?: Record<string, string>;
  /** An object map in EventBridge events (a `[{Key, Value}]` list is accepted too). */
  readonly Tags?: Record<string, string> | ReadonlyArray<{ readonly Key?: string; readonly Value?: string }>;
  readonly CreationTime?: string | number;
  readonly TrainingStartTime?: string | number;
  readonly TrainingEndTime?: string | number;
  readonly LastModifiedTime?: string | number;
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
