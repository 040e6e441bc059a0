export { SourceKind, ByteSourceError, checkReadRange, describeSource } from './byte-source';
export type { ByteSource, SourceIdentity, FileSourceIdentity, S3SourceIdentity, MemorySourceIdentity } from './byte-source';
export { FileByteSource } from './file-byte-source';
export { MemoryByteSource } from './memory-byte-source';
export { ChecksumAlgorithm } from './shard-sink';
export type { ShardSink, ShardWriter, WrittenOutput, OutputChecksum } from './shard-sink';
export { DirectoryShardSink, type DirectoryShardSinkOptions } from './directory-shard-sink';
export { DiscardShardSink } from './discard-shard-sink';
