import { Readable } from 'node:stream';
import { RandomAccessReader } from 'yauzl';
import type { ByteSource } from '../io/byte-source';

const STREAM_CHUNK_BYTES = 1024 * 1024;
const BLOCK_BYTES = 64 * 1024;

/**
 * yauzl's RandomAccessReader over a ByteSource. Small sequential reads (the central directory,
 * read 46 bytes then the name at a time) are served from one cached block; other reads go straight
 * to the source. Closing the reader does not close the source: its owner does.
 */
export class ByteSourceReader extends RandomAccessReader {
  private block: { start: number; data: Buffer } | undefined;
  private lastReadEnd = -1;

  constructor(private readonly source: ByteSource) {
    super();
  }

  _readStreamForRange(start: number, end: number): Readable {
    return new ByteRangeStream(this.source, start, end);
  }

  read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    // yauzl's caller expects (err, bytesRead); the published types omit the second argument.
    const done = callback as (err: Error | null, bytesRead?: number) => void;
    this.readInto(buffer, offset, length, position).then(
      () => done(null, length),
      (err: Error) => done(err),
    );
  }

  close(callback: (err: Error | null) => void): void {
    this.block = undefined;
    setImmediate(() => callback(null));
  }

  private async readInto(buffer: Buffer, offset: number, length: number, position: number): Promise<void> {
    const sequential = position === this.lastReadEnd;
    this.lastReadEnd = position + length;
    const block = this.block;
    if (block && position >= block.start && position + length <= block.start + block.data.length) {
      block.data.copy(buffer, offset, position - block.start, position - block.start + length);
      return;
    }
    if (sequential && length < BLOCK_BYTES) {
      const blockLength = Math.max(length, Math.min(BLOCK_BYTES, this.source.size - position));
      const data = await this.source.read(position, blockLength);
      this.block = { start: position, data };
      data.copy(buffer, offset, 0, length);
      return;
    }
    const data = await this.source.read(position, length);
    data.copy(buffer, offset);
  }
}

class ByteRangeStream extends Readable {
  private position: number;

  constructor(
    private readonly source: ByteSource,
    start: number,
    private readonly end: number,
  ) {
    super({ highWaterMark: STREAM_CHUNK_BYTES });
    this.position = start;
  }

  _read(): void {
    if (this.position >= this.end) {
      this.push(null);
      return;
    }
    const length = Math.min(STREAM_CHUNK_BYTES, this.end - this.position);
    const at = this.position;
    this.position += length;
    this.source.read(at, length).then(
      (chunk) => {
        if (!this.destroyed) this.push(chunk);
      },
      (err: Error) => this.destroy(err),
    );
  }
}
