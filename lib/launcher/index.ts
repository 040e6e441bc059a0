export * from './training-job-launcher';
// The launch request/response and the TrainingJobStateChanged detail are defined once, in the contract the launcher Lambda shares.
export { DatasetChannelInputMode, DatasetChannelSource, DatasetChannelSplit, LaunchedTrainingJobStatus, TrainingJobLaunchOutcome } from '../../contract/launch-request';
export type {
  LaunchedTrainingJob, LaunchRequestFieldError, TrainingJobChannelRequest, TrainingJobCheckpointRequest, TrainingJobLaunchRequest,
  TrainingJobLaunchResponse, TrainingJobLaunchSummary, TrainingJobMetricDefinition, TrainingJobSweep,
} from '../../contract/launch-request';
export type { TrainingJobStateChangedDetail } from '../../contract/training-job-events';
export * from './tenant-roles';
export * from './training-image-repository';
