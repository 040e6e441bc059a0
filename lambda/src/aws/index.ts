export { S3ByteSource, S3SourceChangedError, type S3ByteSourceOptions, type S3ObjectRef } from './s3-byte-source';
export { S3ShardSink, type S3ShardSinkOptions } from './s3-shard-sink';
export { TeeShardSink } from './tee-shard-sink';
export { S3DatasetStore, ANNOUNCED_TAG, leaseKey, type VersionLease, type LeaseResult } from './s3-dataset-store';
export { EfsDatasetStore, writeFileDurably, type EfsDatasetStoreOptions } from './efs-dataset-store';
export { EventPublisher } from './event-publisher';
export { isNotFound, isPreconditionFailed, isConditionalConflict } from './s3-errors';
export { LustreImport, FileSystemImportError, FileSystemImportProblem, type VersionVisibility, type LustreImportOptions } from './lustre-import';
