/**
 * Every event the platform puts on its bus: `detail-type` → the shape of `detail`. The functions
 * that publish can only pair a detail-type with its own detail, and code that reads events can
 * narrow by detail-type. Types only: the compiled module is empty.
 */
import type {
  DATASET_CONVERSION_FAILED, DATASET_CONVERSION_PROGRESS, DATASET_CONVERSION_QUEUED, DATASET_CONVERSION_STARTED, DATASET_CONVERTED,
  DatasetConversionFailedDetail, DatasetConversionProgressDetail, DatasetConversionQueuedDetail, DatasetConversionStartedDetail, DatasetConvertedDetail,
} from './ingestion-events';
import type { TRAINING_JOB_STATE_CHANGED, TrainingJobStateChangedDetail } from './training-job-events';

/** One event: its `detail-type` and its `detail`. */
type PlatformEvent<DetailType extends string, Detail> = { readonly [K in DetailType]: Detail };

/** `detail-type` → `detail` of the platform's events. */
export type PlatformEventDetails =
  & PlatformEvent<typeof DATASET_CONVERSION_QUEUED, DatasetConversionQueuedDetail>
  & PlatformEvent<typeof DATASET_CONVERSION_STARTED, DatasetConversionStartedDetail>
  & PlatformEvent<typeof DATASET_CONVERSION_PROGRESS, DatasetConversionProgressDetail>
  & PlatformEvent<typeof DATASET_CONVERTED, DatasetConvertedDetail>
  & PlatformEvent<typeof DATASET_CONVERSION_FAILED, DatasetConversionFailedDetail>
  & PlatformEvent<typeof TRAINING_JOB_STATE_CHANGED, TrainingJobStateChangedDetail>;

/** A platform event's `detail-type`. */
export type PlatformEventType = keyof PlatformEventDetails;
