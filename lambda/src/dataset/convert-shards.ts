import { ImageHeaderError, readImageHeader } from '../images/image-header';
import { checkImageStructure, ImageStructureError } from '../images/image-structure';
import type { ByteRange, ByteSource } from '../io/byte-source';
import type { OutputChecksum, ShardSink } from '../io/shard-sink';
import { encodeExample } from '../tfrecord/example';
import { unmaskCrc32c } from '../tfrecord/crc32c';
import { frameRecord } from '../tfrecord/record-framing';
import { ZipArchive } from '../zip/zip-archive';
import { EntryDataError, EntryDataProblem } from '../zip/zip-errors';
import type { ConversionPlan, PlannedImage, ShardPlan } from './conversion-plan';
import { RejectReason, type RejectedEntry } from './entry-outcome';
import { imageFeatures } from './image-example';
import { readAhead } from './read-ahead';
import { BufferRelease } from './buffer-release';

export interface ShardResult {
  readonly index: number;
  readonly name: string;
  readonly records: number;
  readonly bytes: number;
  readonly checksum: OutputChecksum;
  /** Records per label (index = label); empty for unlabeled datasets. */
  readonly classCounts: readonly number[];
  /** Images of this shard rejected while reading them (bad CRC, broken header, ...). */
  readonly rejected: readonly RejectedEntry[];
}

export interface ConversionProgress {
  readonly entriesDone: number;
  readonly entriesTotal: number;
  /** Uncompressed image bytes processed so far (converted or rejected). */
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface ConvertShardsOptions {
  readonly onProgress?: (progress: ConversionProgress) => void;
  /** Look-ahead budget for entry reads, beyond the image being encoded. Default 16 MiB. */
  readonly readAheadBytes?: number;
}

export const DATA_PROBLEM_REASON: Record<EntryDataProblem, RejectReason> = {
  [EntryDataProblem.SIZE_MISMATCH]: RejectReason.SIZE_MISMATCH,
  [EntryDataProblem.CRC_MISMATCH]: RejectReason.CRC_MISMATCH,
  [EntryDataProblem.CORRUPT_DATA]: RejectReason.CORRUPT_DATA,
};

/**
 * Converts the given shards of a plan: reads each planned image (CRC-checked), reads its header,
 * walks its structure to the end marker (see checkImageStructure),
 * encodes one tf.train.Example per image and writes TFRecord-framed records to `sink`. Broken
 * images are reported in the result, not thrown; the caller applies the rejection policy.
 * Throws on hostile archives (ZipFormatError) and I/O failures, after aborting the shard in
 * progress; shards finished earlier in the call stay published until the caller aborts the sink.
 * Shards are independent: workers may each convert a different subset of one plan.
 */
export async function convertShards(
  source: ByteSource,
  plan: ConversionPlan,
  shardIndexes: readonly number[],
  sink: ShardSink,
  options: ConvertShardsOptions = {},
): Promise<ShardResult[]> {
  for (const i of shardIndexes) {
    if (!Number.isInteger(i) || i < 0 || i >= plan.shards.length) throw new RangeError(`shard index ${i} is not in the plan (0..${plan.shards.length - 1})`);
  }
  const selected = shardIndexes.map((i) => plan.shards[i]);
  const entriesTotal = selected.reduce((n, s) => n + s.images.length, 0);
  const bytesTotal = selected.reduce((n, s) => n + s.imageBytes, 0);
  let entriesDone = 0;
  let bytesDone = 0;
  const progressed = (image: PlannedImage) => {
    entriesDone++;
    bytesDone += image.entry.uncompressedSize;
    options.onProgress?.({ entriesDone, entriesTotal, bytesDone, bytesTotal });
  };

  const release = new BufferRelease();
  const archive = await ZipArchive.open(source, plan.source.size);
  source.willRead?.(shardReadRanges(selected));
  try {
    const results: ShardResult[] = [];
    for (const shard of selected) {
      const writer = await sink.open(shard.name);
      try {
        const rejected: RejectedEntry[] = [];
        const classCounts = plan.classNames.map(() => 0);
        let records = 0;
        const reject = (image: PlannedImage, reason: RejectReason, detail: string) => rejected.push({ index: image.entry.index, name: image.entry.name, reason, detail });

        const reads = readAhead(shard.images, (i) => i.entry.uncompressedSize, options.readAheadBytes ?? 16 * 1024 * 1024, 16, (i) => archive.readEntry(i.entry));
        for await (const { item: image, result } of reads) {
          if (!result.ok) {
            if (!(result.error instanceof EntryDataError)) throw result.error;
            reject(image, DATA_PROBLEM_REASON[result.error.problem], result.error.detail);
          } else {
            const record = toRecord(plan, image, result.value);
            if ('reason' in record) {
              reject(image, record.reason, record.detail);
            } else {
              const [header, data, footer] = frameRecord(encodeExample(record.features));
              await writer.write(header);
              // The footer holds the data's CRC-32C: the writer's file checksum reuses it.
              await writer.write(data, unmaskCrc32c(footer.readUInt32LE(0)));
              await writer.write(footer);
              records++;
              if (image.label !== undefined) classCounts[image.label]++;
            }
          }
          progressed(image);
          release.done(image.entry.uncompressedSize);
        }
        const written = await writer.finish();
        results.push({ index: shard.index, name: shard.name, records, bytes: written.bytes, checksum: written.checksum, classCounts, rejected });
      } catch (err) {
        await writer.abort();
        throw err;
      }
    }
    return results;
  } finally {
    archive.close();
  }
}

/** The byte ranges converting `shards` reads, in reading order: each image's local header, data and descriptor, which end where the next entry begins (dataLimit). */
export function shardReadRanges(shards: readonly ShardPlan[]): ByteRange[] {
  return shards.flatMap((s) => s.images.map((i) => ({ start: i.entry.localHeaderOffset, end: i.entry.dataLimit })));
}

function toRecord(plan: ConversionPlan, image: PlannedImage, bytes: Buffer): { features: ReturnType<typeof imageFeatures> } | { reason: RejectReason; detail: string } {
  let header;
  try {
    header = readImageHeader(bytes);
  } catch (err) {
    if (err instanceof ImageHeaderError) return { reason: RejectReason.BROKEN_IMAGE, detail: `not a readable image: ${err.message}` };
    throw err;
  }
  if (header.width * header.height > plan.options.maxImagePixels) {
    return { reason: RejectReason.IMAGE_TOO_LARGE, detail: `${header.width}×${header.height} pixels exceeds the limit of ${plan.options.maxImagePixels}` };
  }
  try {
    checkImageStructure(bytes, header.format);
  } catch (err) {
    if (err instanceof ImageStructureError) return { reason: RejectReason.CORRUPT_IMAGE, detail: `corrupt image: ${err.message}` };
    throw err;
  }
  return {
    features: imageFeatures({
      encoded: bytes,
      format: header.format,
      width: header.width,
      height: header.height,
      filename: image.entry.name,
      ...(image.label !== undefined ? { label: { index: image.label, text: plan.classNames[image.label] } } : {}),
    }),
  };
}
