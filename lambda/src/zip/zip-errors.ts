/** Why a whole archive could not be read. Per-entry problems are EntryDataError instead. */
export enum ZipProblem {
  NOT_A_ZIP = 'not-a-zip',
  TRUNCATED = 'truncated',
  MALFORMED = 'malformed',
  MULTI_DISK = 'multi-disk',
  ENCRYPTED_ARCHIVE = 'encrypted-archive',
  STORED_SIZE_MISMATCH = 'stored-size-mismatch',
  TOO_MANY_ENTRIES = 'too-many-entries',
  /** The central directory would not fit the memory the reader may use (ZipLimits.maxIndexBytes). */
  DIRECTORY_TOO_LARGE = 'directory-too-large',
  TOTAL_SIZE_LIMIT = 'total-size-limit',
  OVERLAPPING_ENTRIES = 'overlapping-entries',
  SOURCE_CHANGED = 'source-changed',
}

/** The archive as a whole is unreadable or hostile; nothing of it may be converted. */
export class ZipFormatError extends Error {
  constructor(
    readonly problem: ZipProblem,
    /** The source's description, e.g. `file ./cats.zip`. */
    readonly source: string,
    detail: string,
    /** Byte offset in the zip where the problem was found, when known. */
    readonly offset?: number,
    /** Entry concerned, when there is one. */
    readonly entryName?: string,
  ) {
    const where = [entryName !== undefined ? `entry ${JSON.stringify(entryName)}` : undefined, offset !== undefined ? `offset ${offset}` : undefined].filter(Boolean).join(', ');
    super(`${source}: ${detail}${where ? ` (${where})` : ''}`);
    this.name = 'ZipFormatError';
  }
}

/** Why one entry's data could not be used. The rest of the archive may still be fine. */
export enum EntryDataProblem {
  SIZE_MISMATCH = 'size-mismatch',
  CRC_MISMATCH = 'crc-mismatch',
  CORRUPT_DATA = 'corrupt-data',
}

export class EntryDataError extends Error {
  constructor(
    readonly problem: EntryDataProblem,
    readonly entryName: string,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`entry ${JSON.stringify(entryName)} at offset ${offset}: ${detail}`);
    this.name = 'EntryDataError';
  }
}
