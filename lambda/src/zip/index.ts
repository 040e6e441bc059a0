export { readZipIndex, type ZipIndex, type ZipSourceInfo } from './zip-index';
export { ZipArchive } from './zip-archive';
export { CompressionMethod, compressionMethodName, type ZipEntry, type ZipEntryLocation } from './zip-entry';
export { NameIssueKind, decodeEntryName, unsafeNameReason, type NameIssue, type DecodedName } from './entry-name';
export { ZipFormatError, ZipProblem, EntryDataError, EntryDataProblem } from './zip-errors';
export { DEFAULT_ZIP_LIMITS, MAX_ENTRY_NAME_BYTES, MAX_NAME_COMPONENT_BYTES, estimatedIndexBytes, indexBudgetForMemory, type ZipLimits } from './zip-limits';
