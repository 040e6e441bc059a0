/** Where the bytes of a zip come from: a local file now, S3 ranged GETs in the ingestion Lambda. */
export enum SourceKind {
  FILE = 'file',
  S3 = 's3',
  MEMORY = 'memory',
}

export interface FileSourceIdentity {
  readonly kind: SourceKind.FILE;
  /** The path as it was given to the source. */
  readonly path: string;
}

export interface S3SourceIdentity {
  readonly kind: SourceKind.S3;
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly etag?: string;
}

export interface MemorySourceIdentity {
  readonly kind: SourceKind.MEMORY;
  readonly label: string;
}

/** What the manifest records about the input. */
export type SourceIdentity = FileSourceIdentity | S3SourceIdentity | MemorySourceIdentity;

/**
 * Random-access, read-only bytes of known size. Implementations must allow concurrent reads.
 * The converter never reads the whole source at once: it reads the end of central directory,
 * the central directory in small pieces, then each entry's local header and data.
 */
export interface ByteSource {
  readonly size: number;
  /** Human-readable name for error messages, e.g. `file ./cats.zip` or `s3://bucket/key`. */
  readonly description: string;
  readonly identity: SourceIdentity;
  /**
   * Exactly `length` bytes starting at `offset`. Rejects with a ByteSourceError if the range
   * is outside `[0, size]` or the underlying storage returns fewer bytes.
   */
  read(offset: number, length: number): Promise<Buffer>;
  /**
   * A hint: the reads that follow will cover these ranges, in this order. A source with slow
   * round trips (S3) fetches ahead of the reader; others may ignore it.
   */
  willRead?(ranges: readonly ByteRange[]): void;
  close(): Promise<void>;
}

/** Bytes [start, end) of a source. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export class ByteSourceError extends Error {
  constructor(
    readonly source: string,
    readonly offset: number,
    readonly length: number,
    detail: string,
  ) {
    super(`${source}: cannot read ${length} bytes at offset ${offset}: ${detail}`);
    this.name = 'ByteSourceError';
  }
}

/** Throws unless `[offset, offset + length)` lies inside a source of `size` bytes. */
export function checkReadRange(source: ByteSource, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new ByteSourceError(source.description, offset, length, 'offset and length must be non-negative integers');
  }
  if (offset + length > source.size) {
    throw new ByteSourceError(source.description, offset, length, `range ends past the end of the source (${source.size} bytes)`);
  }
}

export function describeSource(identity: SourceIdentity): string {
  switch (identity.kind) {
    case SourceKind.FILE:
      return `file ${identity.path}`;
    case SourceKind.S3:
      return `s3://${identity.bucket}/${identity.key}${identity.versionId ? `?versionId=${identity.versionId}` : ''}`;
    case SourceKind.MEMORY:
      return identity.label;
  }
}
