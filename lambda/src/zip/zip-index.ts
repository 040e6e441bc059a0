import type { Entry } from 'yauzl';
import type { ByteSource, SourceIdentity } from '../io/byte-source';
import { decodeEntryName } from './entry-name';
import { openZip, toZipFormatError } from './open-zip';
import { CompressionMethod, FLAG_DATA_DESCRIPTOR, FLAG_ENCRYPTED, isSymlinkAttributes, LOCAL_HEADER_FIXED_BYTES, MIN_DATA_DESCRIPTOR_BYTES, type ZipEntry } from './zip-entry';
import { ZipFormatError, ZipProblem } from './zip-errors';
import { ARCHIVE_RATIO_FLOOR_BYTES, DEFAULT_ZIP_LIMITS, estimatedIndexBytes, type ZipLimits } from './zip-limits';

export interface ZipSourceInfo {
  readonly identity: SourceIdentity;
  readonly description: string;
  readonly size: number;
}

/** The central directory, decoded and checked: the input of conversion planning. */
export interface ZipIndex {
  readonly source: ZipSourceInfo;
  /** In central-directory order; `entries[i].index === i`. */
  readonly entries: readonly ZipEntry[];
  readonly centralDirectoryOffset: number;
  /** Sum of the declared uncompressed sizes of all entries. */
  readonly totalUncompressedBytes: number;
}

/**
 * Reads the whole central directory through yauzl and checks what yauzl does not:
 * the entry-count cap and the memory the directory needs (both before it is parsed), the
 * total-size cap (before any data is read) and overlapping entries
 * (David Fifield's non-recursive zip bombs), judged from the central directory alone here and
 * again against each real local header when the entry is read (ZipEntry.dataLimit).
 * Throws ZipFormatError for problems of the whole archive; per-entry facts (name issues,
 * encryption, symlinks, methods) are recorded on the entries for the dataset layer to judge.
 */
export async function readZipIndex(source: ByteSource, limits: Partial<ZipLimits> = {}): Promise<ZipIndex> {
  const caps = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const { zipfile, centralDirectoryOffset } = await openZip(source);
  try {
    if (zipfile.entryCount > caps.maxEntries) {
      throw new ZipFormatError(ZipProblem.TOO_MANY_ENTRIES, source.description, `the zip declares ${zipfile.entryCount} entries, more than the limit of ${caps.maxEntries}`);
    }
    // The directory runs from its offset to the end records: its size is known before parsing it.
    const directoryBytes = source.size - centralDirectoryOffset;
    const needed = estimatedIndexBytes(directoryBytes, zipfile.entryCount);
    if (needed > caps.maxIndexBytes) {
      throw new ZipFormatError(
        ZipProblem.DIRECTORY_TOO_LARGE,
        source.description,
        `the central directory (${mb(directoryBytes)} for ${zipfile.entryCount} entries) needs about ${mb(needed)} of memory to read, more than the ${mb(caps.maxIndexBytes)} allowed; ` +
          'split the upload into several zips, shorten the file names, or give the converting function more memory',
        centralDirectoryOffset,
      );
    }
    const entries: Mutable<ZipEntry>[] = [];
    let totalUncompressedBytes = 0;
    const iterator = zipfile.eachEntry();
    for (;;) {
      let next: IteratorResult<Entry>;
      try {
        next = await iterator.next();
      } catch (err) {
        throw toZipFormatError(source, err, undefined, entries.length > 0 ? `after ${entries[entries.length - 1].name}` : undefined);
      }
      if (next.done) break;
      const entry = toZipEntry(next.value, entries.length);
      checkStoredSizes(source, entry);
      totalUncompressedBytes += entry.uncompressedSize;
      if (totalUncompressedBytes > caps.maxTotalUncompressedBytes) {
        throw new ZipFormatError(
          ZipProblem.TOTAL_SIZE_LIMIT,
          source.description,
          `the entries declare more than ${caps.maxTotalUncompressedBytes} uncompressed bytes in total (limit reached at entry ${entry.index})`,
          undefined,
          entry.name,
        );
      }
      entries.push(entry);
    }
    checkArchiveRatio(source, totalUncompressedBytes, caps.maxArchiveCompressionRatio);
    assignDataLimits(source, entries, centralDirectoryOffset);
    return { source: { identity: source.identity, description: source.description, size: source.size }, entries, centralDirectoryOffset, totalUncompressedBytes };
  } finally {
    zipfile.close();
  }
}

/**
 * A stored entry's data is its content, so both sizes must agree. An encrypted stored entry is
 * 12 bytes longer (the traditional encryption header) or, if it lies, not: either way it is
 * rejected later for being encrypted, which is what the user needs to hear.
 */
function checkStoredSizes(source: ByteSource, entry: ZipEntry): void {
  if (entry.compressionMethod !== CompressionMethod.STORED || entry.isEncrypted || entry.compressedSize === entry.uncompressedSize) return;
  throw new ZipFormatError(
    ZipProblem.STORED_SIZE_MISMATCH,
    source.description,
    `the stored (uncompressed) entry declares ${entry.compressedSize} compressed and ${entry.uncompressedSize} uncompressed bytes; a stored entry's sizes must be equal`,
    entry.localHeaderOffset,
    entry.name,
  );
}

function mb(bytes: number): string {
  return bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(0)} KiB` : `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function toZipEntry(e: Entry, index: number): Mutable<ZipEntry> {
  const decoded = decodeEntryName(e.fileNameRaw, e.generalPurposeBitFlag, e.extraFields);
  return {
    index,
    name: decoded.name,
    ...(decoded.issue ? { nameIssue: decoded.issue } : {}),
    isDirectory: decoded.name.endsWith('/'),
    isSymlink: isSymlinkAttributes(e.versionMadeBy, e.externalFileAttributes),
    isEncrypted: (e.generalPurposeBitFlag & FLAG_ENCRYPTED) !== 0 || e.compressionMethod === 99,
    compressionMethod: e.compressionMethod,
    generalPurposeBitFlag: e.generalPurposeBitFlag,
    compressedSize: e.compressedSize,
    uncompressedSize: e.uncompressedSize,
    crc32: e.crc32,
    localHeaderOffset: e.relativeOffsetOfLocalHeader,
    dataLimit: 0,
  };
}

/**
 * Sorts entries by local header offset; each one's smallest possible extent (fixed local header,
 * compressed data, smallest data descriptor) must end before the next header starts, and the last
 * before the central directory. Overlap is how one compressed kernel is counted many times.
 */
function assignDataLimits(source: ByteSource, entries: Mutable<ZipEntry>[], centralDirectoryOffset: number): void {
  const byOffset = entries.map((e) => e.index).sort((a, b) => entries[a].localHeaderOffset - entries[b].localHeaderOffset || a - b);
  for (let k = 0; k < byOffset.length; k++) {
    const entry = entries[byOffset[k]];
    const next = k + 1 < byOffset.length ? entries[byOffset[k + 1]] : undefined;
    const limit = next ? next.localHeaderOffset : centralDirectoryOffset;
    const minimalEnd = entry.localHeaderOffset + LOCAL_HEADER_FIXED_BYTES + entry.compressedSize + (entry.generalPurposeBitFlag & FLAG_DATA_DESCRIPTOR ? MIN_DATA_DESCRIPTOR_BYTES : 0);
    if (minimalEnd > limit) {
      const what = next ? `the local header of entry ${JSON.stringify(next.name)} at offset ${next.localHeaderOffset}` : `the central directory at offset ${centralDirectoryOffset}`;
      throw new ZipFormatError(
        ZipProblem.OVERLAPPING_ENTRIES,
        source.description,
        `overlapping entries (a zip-bomb construction): the data of entry ${JSON.stringify(entry.name)} (${entry.compressedSize} compressed bytes) runs into ${what}`,
        entry.localHeaderOffset,
        entry.name,
      );
    }
    entry.dataLimit = limit;
  }
}

/** A zip bomb of many entries, each within its own ratio, is still refused as a whole (before any data is read). */
function checkArchiveRatio(source: ByteSource, totalUncompressedBytes: number, maxRatio: number): void {
  if (totalUncompressedBytes <= ARCHIVE_RATIO_FLOOR_BYTES) return;
  const ratio = totalUncompressedBytes / Math.max(1, source.size);
  if (ratio > maxRatio) {
    throw new ZipFormatError(
      ZipProblem.TOTAL_SIZE_LIMIT,
      source.description,
      `the entries declare ${totalUncompressedBytes} uncompressed bytes, ${ratio.toFixed(0)} times the zip's ${source.size} bytes; ` +
        `a zip may expand at most ${maxRatio}:1 as a whole (a zip bomb otherwise)`,
    );
  }
}
