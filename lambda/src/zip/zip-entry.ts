import type { NameIssue } from './entry-name';

/** Where an entry's bytes are and how to check them: everything a worker needs to read one entry. */
export interface ZipEntryLocation {
  /** 0-based position in the central directory. */
  readonly index: number;
  readonly name: string;
  readonly compressionMethod: number;
  readonly generalPurposeBitFlag: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** CRC-32 (IEEE) of the uncompressed data, from the central directory. */
  readonly crc32: number;
  readonly localHeaderOffset: number;
  /**
   * Offset of the next local header (or of the central directory): this entry's header, data and
   * data descriptor must end at or before it. Checked when the entry is read.
   */
  readonly dataLimit: number;
}

/** One central-directory entry with the facts the dataset layer classifies it by. */
export interface ZipEntry extends ZipEntryLocation {
  readonly nameIssue?: NameIssue;
  readonly isDirectory: boolean;
  readonly isSymlink: boolean;
  readonly isEncrypted: boolean;
}

export enum CompressionMethod {
  STORED = 0,
  DEFLATED = 8,
}

const COMPRESSION_METHOD_NAMES: Record<number, string> = {
  1: 'shrink',
  6: 'implode',
  9: 'deflate64',
  12: 'bzip2',
  14: 'lzma',
  93: 'zstd',
  95: 'xz',
  96: 'jpeg',
  97: 'wavpack',
  98: 'ppmd',
  99: 'aes-encrypted',
};

export function compressionMethodName(method: number): string {
  if (method === CompressionMethod.STORED) return 'stored';
  if (method === CompressionMethod.DEFLATED) return 'deflate';
  return COMPRESSION_METHOD_NAMES[method] ? `${COMPRESSION_METHOD_NAMES[method]} (${method})` : `method ${method}`;
}

export const FLAG_ENCRYPTED = 0x1;
export const FLAG_DATA_DESCRIPTOR = 0x8;
export const FLAG_STRONG_ENCRYPTION = 0x40;
const HOST_UNIX = 3;
const HOST_OSX = 19;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Unix mode bits live in the high 16 bits of the external attributes when the host is Unix. */
export function isSymlinkAttributes(versionMadeBy: number, externalFileAttributes: number): boolean {
  const host = versionMadeBy >>> 8;
  if (host !== HOST_UNIX && host !== HOST_OSX) return false;
  return ((externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK;
}

/** Smallest data descriptor (CRC + two 32-bit sizes, no signature). */
export const MIN_DATA_DESCRIPTOR_BYTES = 12;
export const LOCAL_HEADER_FIXED_BYTES = 30;
