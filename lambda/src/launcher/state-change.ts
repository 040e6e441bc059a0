import { PLATFORM_TAGS } from './contract';

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

/** Epoch milliseconds (number or numeric string, as EventBridge sends them) or ISO text → ISO 8601. */
export function isoTime(value: string | number | undefined): string | undefined {
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  const date = typeof value === 'number' || /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value)) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function tagMap(tags: SageMakerTrainingJobDetail['Tags']): Record<string, string> {
  if (Array.isArray(tags)) {
    return Object.fromEntries(tags.filter((tag) => tag.Key !== undefined).map((tag) => [tag.Key!, tag.Value ?? '']));
  }
  return { ...(tags as Record<string, string> | undefined) };
}

/**
 * The platform event of one SageMaker state-change event, or undefined when the job is not this
 * platform's (its name lacks `<prefix>-`: the rule filters already; this is the second check).
 */
export function toStateChangedDetail(detail: SageMakerTrainingJobDetail, jobNamePrefix: string): TrainingJobStateChangedDetail | undefined {
  const jobName = detail.TrainingJobName;
  if (!jobName || !jobName.startsWith(`${jobNamePrefix}-`) || !detail.TrainingJobStatus) {
    return undefined;
  }
  const tags = tagMap(detail.Tags);
  const sweepIndex = tags[PLATFORM_TAGS.SWEEP_INDEX] !== undefined && /^\d+$/.test(tags[PLATFORM_TAGS.SWEEP_INDEX])
    ? Number(tags[PLATFORM_TAGS.SWEEP_INDEX]) : undefined;
  const out: TrainingJobStateChangedDetail = {
    schemaVersion: TRAINING_JOB_EVENT_SCHEMA_VERSION,
    platform: jobNamePrefix,
    jobName,
    jobArn: detail.TrainingJobArn ?? '',
    status: detail.TrainingJobStatus,
    secondaryStatus: detail.SecondaryStatus,
    failureReason: detail.FailureReason,
    modelArtifactUri: detail.ModelArtifacts?.S3ModelArtifacts,
    sweep: tags[PLATFORM_TAGS.SWEEP],
    sweepIndex,
    datasetId: tags[PLATFORM_TAGS.DATASET],
    hyperparameters: detail.HyperParameters,
    creationTime: isoTime(detail.CreationTime),
    trainingStartTime: isoTime(detail.TrainingStartTime),
    trainingEndTime: isoTime(detail.TrainingEndTime),
    lastModifiedTime: isoTime(detail.LastModifiedTime),
  };
  return Object.fromEntries(Object.entries(out).filter(([, value]) => value !== undefined)) as unknown as TrainingJobStateChangedDetail;
}
