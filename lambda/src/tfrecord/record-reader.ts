import { crc32c, maskCrc32c } from './crc32c';
import { RECORD_FOOTER_BYTES, RECORD_HEADER_BYTES, RECORD_OVERHEAD_BYTES } from './record-framing';

/** One record read from a TFRecord file. `data` may share memory with the input chunk it came from. */
export interface TFRecord {
  /** 0-based position of the record in the file. */
  readonly index: number;
  /** Byte offset of the record's header in the file. */
  readonly offset: number;
  readonly data: Buffer;
}

export interface TFRecordReadOptions {
  /** Check the length CRC and the data CRC of every record. Default true. */
  readonly verifyCrc?: boolean;
  /** Largest data length accepted; a larger declared length is a format error. Default 256 MiB. */
  readonly maxRecordBytes?: number;
}

export const DEFAULT_MAX_RECORD_BYTES = 256 * 1024 * 1024;

export type TFRecordProblem =
  | 'truncated-header'
  | 'truncated-data'
  | 'truncated-footer'
  | 'length-crc-mismatch'
  | 'data-crc-mismatch'
  | 'record-too-large';

export class TFRecordFormatError extends Error {
  constructor(
    readonly problem: TFRecordProblem,
    /** 0-based index of the record that is broken. */
    readonly recordIndex: number,
    /** Byte offset in the file of that record's header. */
    readonly offset: number,
    detail: string,
  ) {
    super(`TFRecord record ${recordIndex} at byte offset ${offset}: ${detail}`);
    this.name = 'TFRecordFormatError';
  }
}

/**
 * Incremental TFRecord parser: push bytes in, pull whole records out.
 * Holds at most one partial record plus the unread part of the last chunk.
 */
export class TFRecordParser {
  private readonly verifyCrc: boolean;
  private readonly maxRecordBytes: number;
  private readonly queue = new ByteQueue();
  private recordIndex = 0;
  private recordOffset = 0;
  /** Data length of the record whose header was read; -1 while waiting for a header. */
  private dataLength = -1;

  constructor(options: TFRecordReadOptions = {}) {
    this.verifyCrc = options.verifyCrc ?? true;
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  push(chunk: Uint8Array): void {
    this.queue.push(chunk);
  }

  /** The next complete record, or undefined when more bytes are needed. */
  next(): TFRecord | undefined {
    if (this.dataLength < 0) {
      if (this.queue.length < RECORD_HEADER_BYTES) return undefined;
      this.dataLength = this.parseHeader(this.queue.take(RECORD_HEADER_BYTES));
    }
    if (this.queue.length < this.dataLength + RECORD_FOOTER_BYTES) return undefined;
    const data = this.queue.take(this.dataLength);
    const footer = this.queue.take(RECORD_FOOTER_BYTES);
    if (this.verifyCrc) {
      const stored = footer.readUInt32LE(0);
      const computed = maskCrc32c(crc32c(data));
      if (stored !== computed) {
        throw this.error('data-crc-mismatch', `data CRC mismatch (stored masked CRC ${hex(stored)}, computed ${hex(computed)} over ${data.length} data bytes)`);
      }
    }
    const record: TFRecord = { index: this.recordIndex, offset: this.recordOffset, data };
    this.recordIndex++;
    this.recordOffset += RECORD_OVERHEAD_BYTES + this.dataLength;
    this.dataLength = -1;
    return record;
  }

  /** Call at end of input: throws if the input stopped inside a record. */
  finish(): void {
    const left = this.queue.length;
    if (this.dataLength < 0) {
      if (left > 0) throw this.error('truncated-header', `truncated header: input ends after ${left} of ${RECORD_HEADER_BYTES} header bytes`);
    } else if (left < this.dataLength) {
      throw this.error('truncated-data', `truncated data: input ends after ${left} of ${this.dataLength} data bytes`);
    } else if (left < this.dataLength + RECORD_FOOTER_BYTES) {
      throw this.error('truncated-footer', `truncated footer: input ends after ${left - this.dataLength} of ${RECORD_FOOTER_BYTES} footer bytes`);
    }
  }

  private parseHeader(header: Buffer): number {
    if (this.verifyCrc) {
      const stored = header.readUInt32LE(8);
      const computed = maskCrc32c(crc32c(header.subarray(0, 8)));
      if (stored !== computed) {
        throw this.error('length-crc-mismatch', `length CRC mismatch (stored masked CRC ${hex(stored)}, computed ${hex(computed)})`);
      }
    }
    const length = header.readBigUInt64LE(0);
    if (length > BigInt(this.maxRecordBytes)) {
      throw this.error('record-too-large', `declared data length ${length} exceeds the limit of ${this.maxRecordBytes} bytes`);
    }
    return Number(length);
  }

  private error(problem: TFRecordProblem, detail: string): TFRecordFormatError {
    return new TFRecordFormatError(problem, this.recordIndex, this.recordOffset, detail);
  }
}

/** Streams records from chunks of a TFRecord file (e.g. an fs.ReadStream) in bounded memory. */
export async function* readTFRecords(chunks: AsyncIterable<Uint8Array>, options?: TFRecordReadOptions): AsyncGenerator<TFRecord> {
  const parser = new TFRecordParser(options);
  for await (const chunk of chunks) {
    parser.push(chunk);
    for (let record = parser.next(); record; record = parser.next()) yield record;
  }
  parser.finish();
}

/** Reads every record of an in-memory TFRecord file. */
export function readTFRecordsFromBuffer(buf: Uint8Array, options?: TFRecordReadOptions): TFRecord[] {
  const parser = new TFRecordParser(options);
  parser.push(buf);
  const records: TFRecord[] = [];
  for (let record = parser.next(); record; record = parser.next()) records.push(record);
  parser.finish();
  return records;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

const EMPTY = Buffer.alloc(0);

/** FIFO of byte chunks; `take` is zero-copy when the bytes lie within one chunk. */
class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0;
  private readOffset = 0;
  length = 0;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.length += chunk.length;
  }

  /** Removes and returns the next n bytes; the caller has checked n <= length. */
  take(n: number): Buffer {
    if (n === 0) return EMPTY;
    this.length -= n;
    const first = this.chunks[this.head];
    if (first.length - this.readOffset >= n) {
      const out = first.subarray(this.readOffset, this.readOffset + n);
      this.advance(first, n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[this.head];
      const count = Math.min(n - filled, chunk.length - this.readOffset);
      chunk.copy(out, filled, this.readOffset, this.readOffset + count);
      filled += count;
      this.advance(chunk, count);
    }
    return out;
  }

  private advance(chunk: Buffer, count: number): void {
    this.readOffset += count;
    if (this.readOffset === chunk.length) {
      this.readOffset = 0;
      this.chunks[this.head++] = EMPTY;
      if (this.head >= 64 && this.head * 2 >= this.chunks.length) {
        this.chunks = this.chunks.slice(this.head);
        this.head = 0;
      }
    }
  }
}
