// The public API only: classes, interfaces and enums (jsii has no free functions or constants).
export { ConversionFailureCode } from '../../contract/ingestion-events';
export type {
  DatasetConversionCounts, DatasetConversionFailedDetail, DatasetConvertedDetail, FailedWorkItemReference, IngestionConversionSettings,
  RejectedEntryReference, UploadReference,
} from '../../contract/ingestion-events';
export * from './dataset-ingestion';
