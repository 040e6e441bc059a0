import { crc32c } from '../tfrecord/crc32c';
import { crc32cCombine } from './crc32c-combine';
import { ChecksumAlgorithm, type OutputChecksum } from './shard-sink';

/** Running CRC-32C of everything written to one output; uses a chunk's CRC when the caller has it. */
export class RunningCrc32c {
  private crc = 0;

  update(chunk: Uint8Array, chunkCrc32c?: number): void {
    this.crc = chunkCrc32c === undefined ? crc32c(chunk, this.crc) : crc32cCombine(this.crc, chunkCrc32c, chunk.length);
  }

  result(): OutputChecksum {
    return { algorithm: ChecksumAlgorithm.CRC32C, value: this.crc.toString(16).padStart(8, '0') };
  }
}
