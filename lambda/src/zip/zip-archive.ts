import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { Entry, type ZipFile } from 'yauzl';
import type { ByteSource } from '../io/byte-source';
import { openZip } from './open-zip';
import { CompressionMethod, FLAG_DATA_DESCRIPTOR, MIN_DATA_DESCRIPTOR_BYTES, type ZipEntryLocation } from './zip-entry';
import { EntryDataError, EntryDataProblem, ZipFormatError, ZipProblem } from './zip-errors';

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

    const deflated = location.compressionMethod === CompressionMethod.DEFLATED;
    let stream: Readable;
    try {
      stream = await new Promise<Readable>((resolve, reject) =>
        this.zipfile.openReadStreamLowLevel(fileDataStart, location.compressedSize, 0, location.compressedSize, deflated, location.uncompressedSize, (err, s) =>
          err ? reject(err) : resolve(s),
        ),
      );
    } catch (err) {
      throw fail(EntryDataProblem.CORRUPT_DATA, `cannot open the entry data: ${errorMessage(err)}`);
    }

    const size = location.uncompressedSize;
    let data: Buffer | undefined;
    let received = 0;
    let crc = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        // Stored entries (compressed size == uncompressed size) arrive as one chunk up to 1 MiB: keep it, don't copy.
        if (received === 0 && chunk.length === size) {
          data = chunk;
        } else {
          if (received + chunk.length > size) throw new Error(`too many bytes in the stream. expected ${size}. got at least ${received + chunk.length}`);
          data ??= Buffer.allocUnsafe(size);
          chunk.copy(data, received);
        }
        received += chunk.length;
        crc = crc32(chunk, crc);
      }
    } catch (err) {
      stream.destroy();
      const message = errorMessage(err);
      if (/too many bytes|not enough bytes/.test(message)) {
        throw fail(EntryDataProblem.SIZE_MISMATCH, `the data does not match the declared uncompressed size of ${size} bytes (${message})`);
      }
      throw fail(EntryDataProblem.CORRUPT_DATA, `the ${deflated ? 'deflate stream' : 'stored data'} is corrupt or truncated: ${message}`);
    }
    if (received !== size) {
      throw fail(EntryDataProblem.SIZE_MISMATCH, `the data has ${received} bytes, the central directory declares ${size}`);
    }
    if (crc !== location.crc32) {
      throw fail(EntryDataProblem.CRC_MISMATCH, `CRC-32 mismatch: the central directory says ${hex(location.crc32)}, the data has ${hex(crc)}`);
    }
    return data ?? Buffer.alloc(0);
  }

  close(): void {
    this.zipfile.close();
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
