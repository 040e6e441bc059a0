/** Caps that keep time and memory bounded on hostile zips. All are configurable. */
export interface ZipLimits {
  /** Most central-directory entries accepted (the whole archive is rejected above it). */
  readonly maxEntries: number;
  /** Cap on the sum of declared uncompressed sizes of all entries (archive rejected above it). */
  readonly maxTotalUncompressedBytes: number;
  /** Largest uncompressed entry converted; a larger image is a rejected entry. */
  readonly maxEntryUncompressedBytes: number;
  /** Largest uncompressed/compressed ratio of a deflated entry; higher is a rejected entry. */
  readonly maxCompressionRatio: number;
  /**
   * Largest ratio of the entries' declared uncompressed bytes, in total, to the zip's size, once
   * they declare more than ARCHIVE_RATIO_FLOOR_BYTES (below it any expansion is harmless). Bounds
   * what a small upload can make the platform write, whatever each entry's ratio; the archive is
   * rejected above it.
   */
  readonly maxArchiveCompressionRatio: number;
  /**
   * Memory the decoded central directory may take, estimated from its size and entry count before
   * any entry is parsed (the archive is rejected above it). The Lambda functions set it from their
   * memory size, so a zip whose directory cannot fit is refused instead of crashing the function.
   */
  readonly maxIndexBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  // The index keeps ~200 bytes per entry in memory, so 2M entries stay well inside a Lambda.
  maxEntries: 2_000_000,
  maxTotalUncompressedBytes: 1024 ** 4, // 1 TiB
  maxEntryUncompressedBytes: 64 * 1024 ** 2, // 64 MiB: the one image held in memory at a time
  // JPEG/PNG barely compress; DEFLATE itself tops out near 1032:1.
  maxCompressionRatio: 100,
  maxArchiveCompressionRatio: 100,
  maxIndexBytes: 3 * 1024 ** 3, // within Node's default heap limit on 64-bit machines
};

/** The most DEFLATE can expand its input (258 bytes per 2-bit code, plus block overhead): about 1032:1. */
export const DEFLATE_MAX_RATIO = 1032;

/** Below this many declared uncompressed bytes in total, a zip is not judged by its overall ratio: 1 GiB. */
export const ARCHIVE_RATIO_FLOOR_BYTES = 1024 ** 3;

/**
 * Estimated peak memory of planning from a central directory: each entry's name as a string (its
 * bytes in the directory) plus the fixed cost of its entry object, plan entry and share of the
 * work-item JSON. Measured (`npm run bench`, planner memory): 2 million entries with 200-byte
 * names peak at 2,218 MB RSS; this gives 2,292 MB for them.
 */
export function estimatedIndexBytes(centralDirectoryBytes: number, entryCount: number): number {
  return centralDirectoryBytes + INDEX_BYTES_PER_ENTRY * entryCount;
}

const INDEX_BYTES_PER_ENTRY = 900;

/** The index budget of a function with `memoryMiB`: 80 %, the rest for the runtime and I/O buffers. */
export function indexBudgetForMemory(memoryMiB: number): number {
  return Math.floor(memoryMiB * 1024 * 1024 * 0.8);
}

/** Longest entry name accepted, in UTF-8 bytes. */
export const MAX_ENTRY_NAME_BYTES = 1024;

/** Longest path component (folder or file name) accepted, in UTF-8 bytes: NAME_MAX of Lustre, EFS and ext4. */
export const MAX_NAME_COMPONENT_BYTES = 255;
