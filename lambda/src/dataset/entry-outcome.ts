/** Why an entry was left out without counting against the dataset. */
export enum SkipReason {
  DIRECTORY = 'directory',
  /** `__MACOSX/`, AppleDouble `._*`, `.DS_Store`, `Thumbs.db`, `desktop.ini`. */
  OS_METADATA = 'os-metadata',
}

/** Why an entry could not be converted. Rejections count against maxRejectedFraction. */
export enum RejectReason {
  NAME_ENCODING = 'name-encoding',
  UNSAFE_NAME = 'unsafe-name',
  DUPLICATE_NAME = 'duplicate-name',
  SYMLINK = 'symlink',
  /** Any file whose extension is not .jpg, .jpeg, .png, .gif or .bmp (case-insensitive). */
  NOT_AN_IMAGE = 'not-an-image',
  ENCRYPTED = 'encrypted',
  UNSUPPORTED_COMPRESSION = 'unsupported-compression',
  EMPTY_FILE = 'empty-file',
  ENTRY_TOO_LARGE = 'entry-too-large',
  COMPRESSION_RATIO = 'compression-ratio',
  SIZE_MISMATCH = 'size-mismatch',
  CRC_MISMATCH = 'crc-mismatch',
  CORRUPT_DATA = 'corrupt-data',
  /** Bad magic, truncated or malformed header, zero dimensions (from the image header reader). */
  BROKEN_IMAGE = 'broken-image',
  IMAGE_TOO_LARGE = 'image-too-large',
  /** The header reads but the body is cut short or broken: no JPEG EOI, a bad PNG chunk CRC or no IEND, no GIF trailer. */
  CORRUPT_IMAGE = 'corrupt-image',
  /** Kind `tfrecord`: a file whose name does not end in .tfrecord or .tfrecords (case-insensitive). */
  NOT_A_TFRECORD = 'not-a-tfrecord',
  /** Kind `tfrecord`: a record's length or data CRC does not match, or the file ends inside a record; the detail names the byte offset. */
  CORRUPT_RECORD = 'corrupt-record',
  /** Kinds `files` and `tfrecord`: a top-level file named like the converter's own output (manifest.json). */
  RESERVED_NAME = 'reserved-name',
  /** Kinds `files` and `tfrecord`: a file whose path is also a folder of another file (`a` and `a/b`). */
  PATH_CONFLICT = 'path-conflict',
}

export interface SkippedEntry {
  /** Position in the zip's central directory. */
  readonly index: number;
  readonly name: string;
  readonly reason: SkipReason;
}

export interface RejectedEntry {
  readonly index: number;
  /** Entry name; undecodable names are shown with `\xNN` escapes. */
  readonly name: string;
  readonly reason: RejectReason;
  readonly detail: string;
}

export function byEntryIndex(a: { index: number }, b: { index: number }): number {
  return a.index - b.index;
}
