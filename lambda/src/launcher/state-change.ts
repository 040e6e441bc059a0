import { PLATFORM_TAGS } from '../../../contract/launcher';
import {
  TRAINING_JOB_EVENT_SCHEMA_VERSION, type SageMakerTrainingJobDetail, type TrainingJobStateChangedDetail,
} from '../../../contract/training-job-events';

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
