/**
 * The platform's custom CloudWatch metrics: what the functions emit (CloudWatch embedded metric
 * format log lines) and what the constructs' `metric*()` methods, alarms and dashboard read.
 *
 * Event metrics follow the platform events: every event put on the platform bus is counted under
 * the bus's name, so each platform (each bus) has its own series.
 */
import { TrainingJobLaunchOutcome } from './launch-request';

export const PLATFORM_METRIC_NAMESPACE = 'CdkSageMakerDatasets';

/** Dimension names. */
export const PLATFORM_METRIC_DIMENSION = {
  /** The platform event bus's name (conversion and training-job metrics). */
  EVENT_BUS: 'EventBus',
  /** The training job's status of `TrainingJobStateChanges` (`InProgress`, `Completed`, `Failed`, `Stopped`, …). */
  STATUS: 'Status',
  /** The Lambda function's name (launcher metrics). */
  FUNCTION_NAME: 'FunctionName',
  /** The launcher response's outcome of `LauncherResponses` (`rejected`, `launched`, …). */
  OUTCOME: 'Outcome',
} as const;

/** Metric names. */
export const PLATFORM_METRIC = {
  /** One per `DatasetConverted` event (dimension EventBus). */
  DATASETS_CONVERTED: 'DatasetsConverted',
  /** One per `DatasetConversionFailed` event (dimension EventBus). */
  DATASET_CONVERSIONS_FAILED: 'DatasetConversionsFailed',
  /** The conversion's duration in milliseconds, from `DatasetConverted` (dimension EventBus). */
  CONVERSION_DURATION: 'ConversionDuration',
  /** The converted upload's size in bytes, from `DatasetConverted` (dimension EventBus); with the duration it gives MB/s. */
  CONVERTED_UPLOAD_BYTES: 'ConvertedUploadBytes',
  /** One per `TrainingJobStateChanged` event (dimensions EventBus, Status). */
  TRAINING_JOB_STATE_CHANGES: 'TrainingJobStateChanges',
  /** One per launcher response (dimensions FunctionName, Outcome). */
  LAUNCHER_RESPONSES: 'LauncherResponses',
} as const;

/** The `Outcome` of a launch request the launcher refused before any SageMaker call. */
export const LAUNCHER_REJECTED_OUTCOME = TrainingJobLaunchOutcome.REJECTED;
