import { open, type FileHandle } from 'node:fs/promises';
import { ByteSourceError, checkReadRange, describeSource, SourceKind, type ByteSource, type FileSourceIdentity } from './byte-source';

/** A local file read with positioned reads (`pread`), so concurrent reads are safe. */
export class FileByteSource implements ByteSource {
  static async open(path: string): Promise<FileByteSource> {
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
      return new FileByteSource(handle, stat.size, { kind: SourceKind.FILE, path });
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  readonly description: string;

  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    readonly identity: FileSourceIdentity,
  ) {
    this.description = describeSource(identity);
  }

  async read(offset: number, length: number): Promise<Buffer> {
    checkReadRange(this, offset, length);
    const buffer = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buffer, done, length - done, offset + done);
      if (bytesRead === 0) {
        throw new ByteSourceError(this.description, offset, length, `unexpected end of file after ${done} bytes (was the file truncated while reading?)`);
      }
      done += bytesRead;
    }
    return buffer;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
