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
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  // The index keeps ~200 bytes per entry in memory, so 2M entries stay well inside a Lambda.
  maxEntries: 2_000_000,
  maxTotalUncompressedBytes: 1024 ** 4, // 1 TiB
  maxEntryUncompressedBytes: 64 * 1024 ** 2, // 64 MiB: the one image held in memory at a time
  // JPEG/PNG barely compress; DEFLATE itself tops out near 1032:1.
  maxCompressionRatio: 100,
};

/** Longest entry name accepted, in UTF-8 bytes. */
export const MAX_ENTRY_NAME_BYTES = 1024;
