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
  maxIndexBytes: 3 * 1024 ** 3, // within Node's default heap limit on 64-bit machines
};

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
