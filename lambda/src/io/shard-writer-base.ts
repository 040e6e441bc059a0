import { RunningCrc32c } from './output-checksum';
import type { ShardWriter, WrittenOutput } from './shard-sink';

/** What a writer tells its sink: its output became visible, and it holds no resources any more. */
export interface ShardWriterEvents {
  published(): void;
  closed(): void;
}

/**
 * The lifecycle every shard writer shares — open → finished or aborted, the byte count and the
 * running CRC-32C checksum, abort on a failed finish — so a sink only says how bytes reach its
 * storage (`store`), become visible (`commit`) or are thrown away (`discard`).
 */
export abstract class ShardWriterBase implements ShardWriter {
  /** A storage failure seen in the background; the next write or finish rethrows it. */
  protected failure: unknown;
  private readonly checksum = new RunningCrc32c();
  private bytes = 0;
  private state: 'open' | 'finished' | 'aborted' = 'open';

  protected constructor(
    readonly name: string,
    private readonly events: ShardWriterEvents,
  ) {}

  async write(chunk: Uint8Array, crc32c?: number): Promise<void> {
    if (this.state !== 'open') throw new Error(`${this.name}: write after ${this.state}`);
    if (this.failure !== undefined) throw this.failure;
    if (chunk.length === 0) return;
    this.checksum.update(chunk, crc32c);
    this.bytes += chunk.length;
    await this.store(chunk);
  }

  async finish(): Promise<WrittenOutput> {
    if (this.state !== 'open') throw new Error(`${this.name}: finish after ${this.state}`);
    try {
      await this.commit();
    } catch (error) {
      await this.abort();
      throw error;
    }
    this.state = 'finished';
    this.events.published();
    this.events.closed();
    return { name: this.name, bytes: this.bytes, checksum: this.checksum.result() };
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await this.discard();
    this.events.closed();
  }

  /** Hands one non-empty chunk to storage; resolves when the caller may write more (backpressure). */
  protected abstract store(chunk: Uint8Array): Promise<void>;
  /** Writes what is left and makes the output visible under its name; throws on any failure. */
  protected abstract commit(): Promise<void>;
  /** Drops whatever was written; never throws. */
  protected abstract discard(): Promise<void>;
}
