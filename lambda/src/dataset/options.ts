import { DATASET_KINDS, DEFAULT_DATASET_KIND, type DatasetKind } from '../../../contract/key-layout';
import { DEFAULT_ZIP_LIMITS, DEFLATE_MAX_RATIO, type ZipLimits } from '../zip/zip-limits';
import { DatasetError, DatasetProblem } from './dataset-errors';
import { isValidationFraction, VALIDATION_FRACTION_RULE } from './validation-split';

export type { DatasetKind };

export interface ConversionOptions {
  /**
   * What the upload holds: `images` (default; a zip of images → TFRecord shards), `files` (a zip
   * extracted as it is) or `tfrecord` (TFRecord files, verified and kept byte for byte).
   */
  readonly kind?: DatasetKind;
  /** SageMaker channel name, the shard-name prefix. Default `training`. */
  readonly channel?: string;
  /** Target uncompressed image bytes per shard; decides the shard count. Default 128 MiB. */
  readonly targetShardBytes?: number;
  /** A fixed shard count instead of one derived from targetShardBytes. */
  readonly shardCount?: number;
  /** Seed of the shuffle that assigns images to shards (uint32). Default 0. */
  readonly seed?: number;
  /**
   * Shuffle unit: 0 (default) shuffles single images. A positive value shuffles runs of images
   * that lie next to each other in the zip, each of at least this many compressed bytes, so a
   * worker reading from S3 gets long sequential ranges at the cost of coarser mixing.
   */
  readonly shuffleBlockBytes?: number;
  /** Fraction of considered (non-skipped) entries that may be rejected. Default 0: any rejection fails. */
  readonly maxRejectedFraction?: number;
  /** Largest width × height accepted. Default 89,478,485 (Pillow's MAX_IMAGE_PIXELS). */
  readonly maxImagePixels?: number;
  /**
   * Kind `images` only: the fraction (0 < f <= 0.5) of each class's images held out in a
   * validation part beside the training part of the same version (`training/` and `validation/`,
   * see splitForValidation for the rule). Default: no split, the shards at the version's top level.
   * Kinds `files` and `tfrecord` refuse it (their files are kept as uploaded, never split).
   */
  readonly validationFraction?: number;
  readonly limits?: Partial<ZipLimits>;
}

export interface ResolvedConversionOptions {
  readonly kind: DatasetKind;
  readonly channel: string;
  readonly targetShardBytes: number;
  readonly shardCount: number | null;
  readonly seed: number;
  readonly shuffleBlockBytes: number;
  readonly maxRejectedFraction: number;
  readonly maxImagePixels: number;
  /** null: no validation split. */
  readonly validationFraction: number | null;
  readonly limits: ZipLimits;
}

export const DEFAULT_CHANNEL = 'training';
export const DEFAULT_TARGET_SHARD_BYTES = 128 * 1024 * 1024;
export const DEFAULT_MAX_IMAGE_PIXELS = 89_478_485;

const CHANNEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * What each kind changes of DEFAULT_ZIP_LIMITS; every other cap is shared.
 * - `images`: an entry is one image held in memory (64 MiB at most) and may expand at most 100:1:
 *   JPEG and PNG barely compress, so a higher ratio is a zip bomb, not an image.
 * - `files` and `tfrecord`: entries are streamed, never held whole, so an entry may be as large as
 *   the archive's total cap (checkpoints and TFRecord shards are often several GB), and an entry's
 *   ratio is capped only at what DEFLATE can produce: a checkpoint's zero-filled tensors (a fresh
 *   optimizer state) and padded TFRecord features legitimately compress far past 100:1. The zip
 *   bomb is still refused, as a whole: the entries together may declare at most 100 times the
 *   zip's size (maxArchiveCompressionRatio, above 1 GiB) and 1 TiB.
 */
export const KIND_ZIP_LIMITS: Readonly<Record<DatasetKind, Partial<ZipLimits>>> = {
  images: {},
  files: { maxEntryUncompressedBytes: DEFAULT_ZIP_LIMITS.maxTotalUncompressedBytes, maxCompressionRatio: DEFLATE_MAX_RATIO },
  tfrecord: { maxEntryUncompressedBytes: DEFAULT_ZIP_LIMITS.maxTotalUncompressedBytes, maxCompressionRatio: DEFLATE_MAX_RATIO },
};

export function resolveOptions(options: ConversionOptions = {}): ResolvedConversionOptions {
  const kind = options.kind ?? DEFAULT_DATASET_KIND;
  const resolved: ResolvedConversionOptions = {
    kind,
    channel: options.channel ?? DEFAULT_CHANNEL,
    targetShardBytes: options.targetShardBytes ?? DEFAULT_TARGET_SHARD_BYTES,
    shardCount: options.shardCount ?? null,
    seed: options.seed ?? 0,
    shuffleBlockBytes: options.shuffleBlockBytes ?? 0,
    maxRejectedFraction: options.maxRejectedFraction ?? 0,
    maxImagePixels: options.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS,
    validationFraction: options.validationFraction ?? null,
    limits: { ...DEFAULT_ZIP_LIMITS, ...KIND_ZIP_LIMITS[kind], ...options.limits },
  };
  const invalid = (what: string) => new DatasetError(DatasetProblem.INVALID_OPTIONS, `invalid option: ${what}`);
  if (!DATASET_KINDS.includes(kind)) throw invalid(`kind ${JSON.stringify(kind)} must be one of ${DATASET_KINDS.join(', ')}`);
  if (!CHANNEL_NAME.test(resolved.channel)) throw invalid(`channel ${JSON.stringify(resolved.channel)} must be 1-64 of A-Z a-z 0-9 . _ - starting with a letter or digit`);
  if (!isPositiveInteger(resolved.targetShardBytes)) throw invalid('targetShardBytes must be a positive integer');
  if (resolved.shardCount !== null && !isPositiveInteger(resolved.shardCount)) throw invalid('shardCount must be a positive integer');
  if (!Number.isInteger(resolved.seed) || resolved.seed < 0 || resolved.seed > 0xffffffff) throw invalid('seed must be an integer in [0, 4294967295]');
  if (!Number.isSafeInteger(resolved.shuffleBlockBytes) || resolved.shuffleBlockBytes < 0) throw invalid('shuffleBlockBytes must be a non-negative integer');
  if (!(resolved.maxRejectedFraction >= 0 && resolved.maxRejectedFraction <= 1)) throw invalid('maxRejectedFraction must be between 0 and 1');
  if (!isPositiveInteger(resolved.maxImagePixels)) throw invalid('maxImagePixels must be a positive integer');
  if (resolved.validationFraction !== null) {
    if (!isValidationFraction(resolved.validationFraction)) throw invalid(`validationFraction ${JSON.stringify(resolved.validationFraction)} must be ${VALIDATION_FRACTION_RULE}`);
    if (kind !== 'images') throw invalid(`validationFraction splits images by class; kind ${kind} is kept as uploaded and cannot be split (leave validationFraction out)`);
  }
  for (const [key, value] of Object.entries(resolved.limits)) {
    if (!(typeof value === 'number' && value > 0)) throw invalid(`limits.${key} must be a positive number`);
  }
  return resolved;
}

function isPositiveInteger(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}
