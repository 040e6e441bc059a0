export { planConversion, plannedShardName, splitOfShard, type ConversionPlan, type PlanSplit, type ShardPlan, type PlannedImage } from './conversion-plan';
export { convertShards, shardReadRanges, type ShardResult, type ConversionProgress, type ConvertShardsOptions } from './convert-shards';
export { keepFiles } from './keep-files';
export { convertDataset, convertUpload, planFromSource, type ConvertDatasetHooks, type DatasetConversion } from './convert-dataset';
export { finishConversion, planRejectionError } from './finish-conversion';
export {
  buildManifest,
  serializeManifest,
  versionFileNames,
  labelsFiles,
  SPLIT_METHOD,
  allRejected,
  assertEveryEntryAccounted,
  MANIFEST_FILE,
  LABELS_FILE,
  MANIFEST_VERSION,
  type DatasetManifest,
  type ManifestShard,
  type ManifestFile,
  type ManifestClass,
  type ManifestSource,
  type ManifestTiming,
  type ManifestSplit,
  type ManifestSplitPart,
} from './manifest';
export { resolveOptions, type DatasetKind, DEFAULT_CHANNEL, DEFAULT_TARGET_SHARD_BYTES, DEFAULT_MAX_IMAGE_PIXELS, type ConversionOptions, type ResolvedConversionOptions } from './options';
export { SkipReason, RejectReason, type SkippedEntry, type RejectedEntry } from './entry-outcome';
export { DatasetError, DatasetProblem } from './dataset-errors';
export { resolveLayout, classNameOf, pathBelowWrapper, sortClassNames, labelsFileContent, type DatasetLayout } from './layout';
export { classifyEntries, type ClassifiedEntries } from './classify-entries';
export { shardName, decideShardCount, shuffleUnits, assignToShards } from './shard-assignment';
export { SeededRandom, shuffleInPlace } from './seeded-random';
export { imageFeatures, type ImageRecord } from './image-example';
export { rejectionsAllowed, rejectionError } from './rejection-policy';
export { isOsNoise } from './os-noise';
export { CONVERTER_NAME, CONVERTER_VERSION } from './version';
export {
  splitForValidation, validationCount, splitKey, isValidationFraction, DATASET_SPLITS, MAX_VALIDATION_FRACTION, VALIDATION_FRACTION_RULE,
  type DatasetSplit, type SplitCandidate, type SplitParts,
} from './validation-split';
