/** How a finished output's checksum was computed. */
export enum ChecksumAlgorithm {
  /**
   * CRC-32C (Castagnoli, unmasked) of the complete output file, as 8 lower-case hex digits: the
   * value S3 reports as the object's full-object `ChecksumCRC32C` (there base64 of the 4 big-endian bytes).
   */
  CRC32C = 'crc32c',
  /** Lower-case hex SHA-256 of the complete output file. */
  SHA256 = 'sha256',
}

export interface OutputChecksum {
  readonly algorithm: ChecksumAlgorithm;
  readonly value: string;
}

/** A completed output, as reported by ShardWriter.finish(). */
export interface WrittenOutput {
  readonly name: string;
  readonly bytes: number;
  readonly checksum: OutputChecksum;
}

/**
 * One output being written (a shard, labels.txt or manifest.json). Nothing is visible under
 * `name` until `finish()` resolves; after `abort()` nothing of it remains.
 */
export interface ShardWriter {
  readonly name: string;
  /**
   * Appends bytes. Resolves when the writer can take more (backpressure): callers await every
   * call and must not modify a chunk after passing it in. `crc32c`, when given, is the chunk's
   * CRC-32C (unmasked), which the writer uses instead of computing it.
   */
  write(chunk: Uint8Array, crc32c?: number): Promise<void>;
  /** Flushes and publishes the output atomically under its name. */
  finish(): Promise<WrittenOutput>;
  /** Discards a partial output. Safe to call at any time, also after finish() failed. */
  abort(): Promise<void>;
}

/**
 * Destination of a conversion: a local directory now, S3 multipart uploads in the ingestion Lambda.
 * The converter publishes manifest.json last; it is the commit marker of a dataset.
 */
export interface ShardSink {
  /** Human-readable location for messages, e.g. `directory /tmp/out` or `s3://bucket/prefix/`. */
  readonly description: string;
  open(name: string): Promise<ShardWriter>;
  /** Removes every output this sink published or started. Used when a conversion fails. */
  abort(): Promise<void>;
}
