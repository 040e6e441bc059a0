/**
 * The training-job events: SageMaker's state-change event the launcher listens to, and the
 * `TrainingJobStateChanged` platform event it re-publishes. Dependency-free: the construct builds
 * its rules from these names and the re-publisher Lambda writes the detail.
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
 * `detail` of `TrainingJobStateChanged`. SageMaker may send several events for one state change,
 * so consumers must be idempotent (key on jobName + status + secondaryStatus + lastModifiedTime).
 */
export interface TrainingJobStateChangedDetail {
  readonly schemaVersion: typeof TRAINING_JOB_EVENT_SCHEMA_VERSION;
  /** The job-name prefix of the platform that launched the job. */
  readonly platform: string;
  readonly jobName: string;
  readonly jobArn: string;
  /** InProgress | Completed | Failed | Stopping | Stopped | Deleting */
  readonly status: string;
  /** Starting, Downloading, Training, Uploading, Completed, Failed, MaxRuntimeExceeded … */
  readonly secondaryStatus?: string;
  /** Only when status is Failed. */
  readonly failureReason?: string;
  /** `s3://<artifacts>/jobs/<job>/output/model.tar.gz`, once SageMaker reports it. */
  readonly modelArtifactUri?: string;
  /** The request's client token (the sweep id). */
  readonly sweep?: string;
  /** The job's index in the sweep. */
  readonly sweepIndex?: number;
  /** The request's dataset id. */
  readonly datasetId?: string;
  readonly hyperparameters?: Readonly<Record<string, string>>;
  /** ISO 8601. */
  readonly creationTime?: string;
  readonly trainingStartTime?: string;
  readonly trainingEndTime?: string;
  readonly lastModifiedTime?: string;
}
