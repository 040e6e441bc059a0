import type { ShardSink, ShardWriter, WrittenOutput } from '../io';

/**
 * One conversion, several destinations: every output is written to each sink (S3 and the EFS
 * directory) from the same bytes, so the zip is read and encoded once. An output is finished when
 * every sink has finished it; if any sink fails, the output is aborted everywhere. The checksums
 * the sinks compute must agree.
 */
export class TeeShardSink implements ShardSink {
  readonly description: string;

  constructor(private readonly sinks: readonly ShardSink[]) {
    if (sinks.length === 0) throw new Error('TeeShardSink needs at least one sink');
    this.description = sinks.map((s) => s.description).join(' + ');
  }

  async open(name: string): Promise<ShardWriter> {
    const opened = await Promise.allSettled(this.sinks.map((sink) => sink.open(name)));
    const writers = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all(writers.map((w) => w.abort()));
      throw failed.reason;
    }
    return new TeeWriter(name, writers);
  }

  async abort(): Promise<void> {
    const results = await Promise.allSettled(this.sinks.map((sink) => sink.abort()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

class TeeWriter implements ShardWriter {
  constructor(
    readonly name: string,
    private readonly writers: readonly ShardWriter[],
  ) {}

  async write(chunk: Uint8Array, crc32c?: number): Promise<void> {
    await all(this.writers.map((w) => w.write(chunk, crc32c)));
  }

  async finish(): Promise<WrittenOutput> {
    let outputs: WrittenOutput[];
    try {
      outputs = await all(this.writers.map((w) => w.finish()));
    } catch (error) {
      await this.abort();
      throw error;
    }
    const [first, ...rest] = outputs;
    const differing = rest.find((o) => o.bytes !== first.bytes || o.checksum.value !== first.checksum.value);
    if (differing) {
      throw new Error(`${this.name}: the destinations disagree (${first.bytes} bytes ${first.checksum.value} vs ${differing.bytes} bytes ${differing.checksum.value})`);
    }
    return first;
  }

  async abort(): Promise<void> {
    await Promise.all(this.writers.map((w) => w.abort().catch(() => undefined)));
  }
}

/** Promise.all that waits for every promise to settle before rejecting with the first failure. */
async function all<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
