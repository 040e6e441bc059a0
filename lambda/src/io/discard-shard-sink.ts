import { createHash } from 'node:crypto';
import { ChecksumAlgorithm, type ShardSink, type ShardWriter } from './shard-sink';

/**
 * Computes sizes and checksums but keeps nothing. Used to verify every entry of a dataset that is
 * already known to be rejected, so the report can list all problems without writing shards.
 */
export class DiscardShardSink implements ShardSink {
  readonly description = 'nowhere (verification only)';

  async open(name: string): Promise<ShardWriter> {
    const hash = createHash('sha256');
    let bytes = 0;
    return {
      name,
      write: async (chunk) => {
        hash.update(chunk);
        bytes += chunk.length;
      },
      finish: async () => ({ name, bytes, checksum: { algorithm: ChecksumAlgorithm.SHA256, value: hash.digest('hex') } }),
      abort: async () => undefined,
    };
  }

  async abort(): Promise<void> {}
}
