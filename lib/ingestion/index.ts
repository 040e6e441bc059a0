// The public API only: classes, interfaces and enums (jsii has no free functions or constants).
export { ConversionFailureCode, ConversionProgressUnit, ConversionRoute } from '../../contract/ingestion-events';
export type {
  DatasetConversionCounts, DatasetConversionFailedDetail, DatasetConversionHeader, DatasetConversionProgressDetail, DatasetConversionQueuedDetail, DatasetConversionStartedDetail, DatasetConvertedDetail,
  FailedWorkItemReference, IngestionConversionSettings,
  RejectedEntryReference, UploadReference,
} from '../../contract/ingestion-events';
export * from './dataset-ingestion';
export * from './dataset-version-retention';
