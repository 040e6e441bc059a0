import { pipeline, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { crc32, createInflateRaw, inflateRaw, type ZlibOptions } from 'node:zlib';
import { Entry, type ZipFile } from 'yauzl';
import type { ByteSource } from '../io/byte-source';
import { openZip } from './open-zip';
import { CompressionMethod, FLAG_DATA_DESCRIPTOR, MIN_DATA_DESCRIPTOR_BYTES, type ZipEntryLocation } from './zip-entry';
import { EntryDataError, EntryDataProblem, ZipFormatError, ZipProblem } from './zip-errors';

const inflateRawAsync = promisify(inflateRaw) as (buffer: Uint8Array, options: ZlibOptions) => Promise<Buffer>;

/**
 * Reads entry data by location (from a ZipIndex or a serialized plan) through yauzl's local-header
 * and stream code, adding what yauzl leaves out: the overlap check against the real local header
 * and a CRC-32 check of every entry. Holds one entry in memory at a time per call.
 */
export class ZipArchive {
  static async open(source: ByteSource, expectedSize?: number): Promise<ZipArchive> {
    if (expectedSize !== undefined && source.size !== expectedSize) {
      throw new ZipFormatError(ZipProblem.SOURCE_CHANGED, source.description, `the source is ${source.size} bytes but was planned at ${expectedSize} bytes; it changed since planning`);
    }
    const { zipfile } = await openZip(source);
    return new ZipArchive(source, zipfile);
  }

  private constructor(
    private readonly source: ByteSource,
    private readonly zipfile: ZipFile,
  ) {}

  /**
   * The uncompressed bytes of a stored or deflated entry, CRC-checked. Throws EntryDataError when
   * this entry is broken (the caller may reject it and go on) and ZipFormatError when the archive
   * is hostile (overlapping entries).
   */
  async readEntry(location: ZipEntryLocation): Promise<Buffer> {
    const fail = (problem: EntryDataProblem, detail: string) => new EntryDataError(problem, location.name, location.localHeaderOffset, detail);
    const fileDataStart = await this.dataStart(location);
    const deflated = location.compressionMethod === CompressionMethod.DEFLATED;
    let raw: Buffer;
    try {
      raw = await this.readRaw(fileDataStart, location.compressedSize);
    } catch (err) {
      throw fail(EntryDataProblem.CORRUPT_DATA, `cannot read the ${deflated ? 'compressed' : 'stored'} data: ${errorMessage(err)}`);
    }
    const size = location.uncompressedSize;
    let data = raw;
    if (deflated) {
      // Inflated in one call on libuv's thread pool with large output chunks (yauzl's inflate stream
      // uses 16 KiB chunks, i.e. dozens of round trips per image); maxOutputLength stops a stream
      // that inflates past its declared size as soon as it passes it.
      try {
        data = await inflateRawAsync(raw, { maxOutputLength: Math.max(1, size), chunkSize: Math.min(Math.max(size, 64 * 1024), 4 * 1024 * 1024) });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
          throw fail(EntryDataProblem.SIZE_MISMATCH, `the deflate stream inflates to more than the declared uncompressed size of ${size} bytes`);
        }
        throw fail(EntryDataProblem.CORRUPT_DATA, `the deflate stream is corrupt or truncated: ${errorMessage(err)}`);
      }
    }
    checkSizeAndCrc(location, data.length, crc32(data));
    return data;
  }

  /**
   * The uncompressed bytes of a stored or deflated entry as a stream of chunks, for entries too
   * large to hold in memory (files and TFRecord kinds): at most one chunk of raw and one of
   * inflated data at a time. Counts bytes as they come, so an entry that inflates past its declared
   * size stops there; the CRC-32 is checked after the last chunk. Throws as {@link readEntry} does;
   * a consumer that has written chunks somewhere must discard them when the iteration throws.
   */
  async *streamEntry(location: ZipEntryLocation, chunkBytes = 1024 * 1024): AsyncGenerator<Buffer> {
    const fail = (problem: EntryDataProblem, detail: string) => new EntryDataError(problem, location.name, location.localHeaderOffset, detail);
    const fileDataStart = await this.dataStart(location);
    const deflated = location.compressionMethod === CompressionMethod.DEFLATED;
    const raw = await this.openRaw(fileDataStart, location.compressedSize);
    const stream: Readable = deflated ? pipeline(raw, createInflateRaw({ chunkSize: chunkBytes }), () => undefined) : raw;
    let size = 0;
    let crc = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > location.uncompressedSize) {
          throw fail(EntryDataProblem.SIZE_MISMATCH, `the data runs past the declared uncompressed size of ${location.uncompressedSize} bytes`);
        }
        crc = crc32(chunk, crc);
        yield chunk;
      }
    } catch (err) {
      if (err instanceof EntryDataError) throw err;
      throw fail(EntryDataProblem.CORRUPT_DATA, deflated ? `the deflate stream is corrupt or truncated: ${errorMessage(err)}` : `cannot read the stored data: ${errorMessage(err)}`);
    } finally {
      raw.destroy();
      stream.destroy();
    }
    checkSizeAndCrc(location, size, crc);
  }

  /** Reads the entry's local header: where its data starts, checked against the next entry (no overlap). */
  private async dataStart(location: ZipEntryLocation): Promise<number> {
    const entry = Object.assign(new Entry(), {
      relativeOffsetOfLocalHeader: location.localHeaderOffset,
      compressedSize: location.compressedSize,
      uncompressedSize: location.uncompressedSize,
      compressionMethod: location.compressionMethod,
      generalPurposeBitFlag: location.generalPurposeBitFlag,
    });
    const fail = (problem: EntryDataProblem, detail: string) => new EntryDataError(problem, location.name, location.localHeaderOffset, detail);

    let fileDataStart: number;
    try {
      fileDataStart = await new Promise<number>((resolve, reject) =>
        this.zipfile.readLocalFileHeader(entry, { minimal: true }, (err, header) => (err ? reject(err) : resolve(header.fileDataStart))),
      );
    } catch (err) {
      throw fail(EntryDataProblem.CORRUPT_DATA, `cannot read the local file header: ${errorMessage(err)}`);
    }
    const end = fileDataStart + location.compressedSize + (location.generalPurposeBitFlag & FLAG_DATA_DESCRIPTOR ? MIN_DATA_DESCRIPTOR_BYTES : 0);
    if (end > location.dataLimit) {
      throw new ZipFormatError(
        ZipProblem.OVERLAPPING_ENTRIES,
        this.source.description,
        `overlapping entries (a zip-bomb construction): the data of entry ${JSON.stringify(location.name)} starts at ${fileDataStart} and runs to ${end}, past the next local header or central directory at ${location.dataLimit}`,
        location.localHeaderOffset,
        location.name,
      );
    }
    return fileDataStart;
  }

  /** The entry's bytes as stored in the zip, through yauzl's byte-counted range stream. */
  private async readRaw(fileDataStart: number, compressedSize: number): Promise<Buffer> {
    const stream = await this.openRaw(fileDataStart, compressedSize);
    let data: Buffer | undefined;
    let received = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        // Entries up to 1 MiB arrive as one chunk: keep it rather than copy it.
        if (received === 0 && chunk.length === compressedSize) {
          data = chunk;
        } else {
          data ??= Buffer.allocUnsafe(compressedSize);
          chunk.copy(data, received);
        }
        received += chunk.length;
      }
    } catch (err) {
      stream.destroy();
      throw err;
    }
    return data ?? Buffer.alloc(0);
  }

  private openRaw(fileDataStart: number, compressedSize: number): Promise<Readable> {
    return new Promise<Readable>((resolve, reject) =>
      this.zipfile.openReadStreamLowLevel(fileDataStart, compressedSize, 0, compressedSize, false, null, (err, s) => (err ? reject(err) : resolve(s))),
    );
  }

  close(): void {
    this.zipfile.close();
  }
}

/** Throws EntryDataError unless the data has the declared size and CRC-32. */
function checkSizeAndCrc(location: ZipEntryLocation, size: number, crc: number): void {
  const fail = (problem: EntryDataProblem, detail: string) => new EntryDataError(problem, location.name, location.localHeaderOffset, detail);
  if (size !== location.uncompressedSize) {
    throw fail(EntryDataProblem.SIZE_MISMATCH, `the data has ${size} bytes, the central directory declares ${location.uncompressedSize}`);
  }
  if (crc !== location.crc32) {
    throw fail(EntryDataProblem.CRC_MISMATCH, `CRC-32 mismatch: the central directory says ${hex(location.crc32)}, the data has ${hex(crc)}`);
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
