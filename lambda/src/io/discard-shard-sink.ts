import { RunningCrc32c } from './output-checksum';
import type { ShardSink, ShardWriter } from './shard-sink';

/**
 * Computes sizes and checksums but keeps nothing. Used to verify every entry of a dataset that is
 * already known to be rejected, so the report can list all problems without writing shards.
 */
export class DiscardShardSink implements ShardSink {
  readonly description = 'nowhere (verification only)';

  async open(name: string): Promise<ShardWriter> {
    const checksum = new RunningCrc32c();
    let bytes = 0;
    return {
      name,
      write: async (chunk, crc32c) => {
        checksum.update(chunk, crc32c);
        bytes += chunk.length;
      },
      finish: async () => ({ name, bytes, checksum: checksum.result() }),
      abort: async () => undefined,
    };
  }

  async abort(): Promise<void> {}
}
