/**
 * Every event the platform puts on its bus: `detail-type` → the shape of `detail`. The functions
 * that publish can only pair a detail-type with its own detail, and code that reads events can
 * narrow by detail-type.
 */
import {
  DATASET_CONVERSION_FAILED, DATASET_CONVERSION_PROGRESS, DATASET_CONVERSION_STARTED, DATASET_CONVERTED,
  type DatasetConversionFailedDetail, type DatasetConversionProgressDetail, type DatasetConversionStartedDetail, type DatasetConvertedDetail,
} from './ingestion-events';
import { TRAINING_JOB_STATE_CHANGED, type TrainingJobStateChangedDetail } from './training-job-events';

/** `detail-type` → `detail` of the platform's events. */
export interface PlatformEventDetails {
  readonly [DATASET_CONVERSION_STARTED]: DatasetConversionStartedDetail;
  readonly [DATASET_CONVERSION_PROGRESS]: DatasetConversionProgressDetail;
  readonly [DATASET_CONVERTED]: DatasetConvertedDetail;
  readonly [DATASET_CONVERSION_FAILED]: DatasetConversionFailedDetail;
  readonly [TRAINING_JOB_STATE_CHANGED]: TrainingJobStateChangedDetail;
}

/** A platform event's `detail-type`. */
export type PlatformEventType = keyof PlatformEventDetails;
