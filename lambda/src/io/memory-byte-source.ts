import { checkReadRange, SourceKind, type ByteSource, type MemorySourceIdentity } from './byte-source';

/** An in-memory source, for tests and small inputs. `read` returns views, not copies. */
export class MemoryByteSource implements ByteSource {
  readonly size: number;
  readonly identity: MemorySourceIdentity;

  constructor(
    private readonly bytes: Buffer,
    readonly description = 'in-memory zip',
  ) {
    this.size = bytes.length;
    this.identity = { kind: SourceKind.MEMORY, label: description };
  }

  async read(offset: number, length: number): Promise<Buffer> {
    checkReadRange(this, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }

  async close(): Promise<void> {}
}
