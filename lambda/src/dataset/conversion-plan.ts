import type { ZipEntry, ZipEntryLocation } from '../zip/zip-entry';
import type { ZipIndex, ZipSourceInfo } from '../zip/zip-index';
import { classifyEntries } from './classify-entries';
import type { RejectedEntry, SkippedEntry } from './entry-outcome';
import { nothingUsable } from './finish-conversion';
import { DatasetError, DatasetProblem } from './dataset-errors';
import { classNameOf, pathBelowWrapper, resolveLayout } from './layout';
import { resolveOptions, type ConversionOptions, type ResolvedConversionOptions } from './options';
import { assignToShards, decideShardCount, shardName, shuffleUnits } from './shard-assignment';
import { splitForValidation, type DatasetSplit } from './validation-split';
import { CONVERTER_NAME, CONVERTER_VERSION } from './version';

export interface PlannedImage {
  readonly entry: ZipEntryLocation;
  /** 0-based index into ConversionPlan.classNames; absent for unlabeled datasets. */
  readonly label?: number;
}

export interface ShardPlan {
  /** Its index in the plan: training shards first, then validation shards. */
  readonly index: number;
  /** Its path below the version folder (`training/training-00000-of-00004.tfrecord` in a split version). */
  readonly name: string;
  /** In record order. */
  readonly images: readonly PlannedImage[];
  /** Sum of the images' declared uncompressed sizes. */
  readonly imageBytes: number;
}

/**
 * A split plan's shards: indexes 0..trainingShards-1 are the training part (in `training/`), the
 * next validationShards the validation part (in `validation/`). Either part may have no shards
 * (a part without images); each part's shards are numbered from 0 in their names.
 */
export interface PlanSplit {
  readonly fraction: number;
  /** The seed of the split's hash (the conversion's seed). */
  readonly seed: number;
  readonly trainingShards: number;
  readonly validationShards: number;
}

/**
 * Everything needed to convert, decided from the central directory alone. Plain data (JSON
 * round-trips), so a planner can hand shards to workers that never read the central directory.
 */
export interface ConversionPlan {
  readonly converter: { readonly name: string; readonly version: string };
  readonly source: ZipSourceInfo;
  readonly options: ResolvedConversionOptions;
  readonly labeled: boolean;
  readonly wrapperFolder: string | null;
  readonly classNames: readonly string[];
  /** Number of central-directory entries. */
  readonly entryCount: number;
  /** The validation split (`options.validationFraction`), or null: every shard at the version's top level. */
  readonly split: PlanSplit | null;
  readonly shards: readonly ShardPlan[];
  readonly skipped: readonly SkippedEntry[];
  /** Entries rejected without reading their data. Workers may reject more. */
  readonly rejected: readonly RejectedEntry[];
}

/**
 * Pure: classifies every entry, resolves layout and labels, splits the images into a training and
 * a validation part when `validationFraction` is set (class by class, see splitForValidation),
 * then, part by part, fixes the shard count and assigns images to shards with the seeded shuffle. Throws DatasetError when no file can be an image
 * (`empty-zip`, or `all-entries-rejected` listing every entry) or the layout mixes root images
 * and class folders.
 */
export function planConversion(index: ZipIndex, options: ConversionOptions = {}): ConversionPlan {
  const resolved = resolveOptions(options);
  if (resolved.kind !== 'images') {
    throw new DatasetError(DatasetProblem.INVALID_OPTIONS, `invalid option: a conversion plan is for images; kind ${resolved.kind} is kept as uploaded (keepFiles)`);
  }
  const classified = classifyEntries(index.entries, resolved.limits);
  // No file even named like an image: every rejection is already known, so say so with all of them.
  if (classified.layoutEntries.length === 0) throw nothingUsable(classified.rejected, index.entries.length - classified.skipped.length);
  const layout = resolveLayout(classified.layoutEntries.map((e) => e.name));
  const labelOf = new Map(layout.classNames.map((name, label) => [name, label]));

  const inZipOrder = [...classified.convertible].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  const images: PlannedImage[] = inZipOrder.map((e) => ({
    entry: location(e),
    ...(layout.labeled ? { label: labelOf.get(classNameOf(layout, e.name))! } : {}),
  }));
  const fraction = resolved.validationFraction;
  const parts: { readonly split: DatasetSplit | null; readonly images: readonly PlannedImage[] }[] = [{ split: null, images }];
  if (fraction !== null) {
    const { training, validation } = splitForValidation(images, (i) => ({ path: pathBelowWrapper(layout, i.entry.name), stratum: i.label }), fraction, resolved.seed);
    parts.splice(0, 1, { split: 'training', images: training }, { split: 'validation', images: validation });
  }
  const shards: ShardPlan[] = [];
  const counts: number[] = [];
  for (const part of parts) {
    const dealt = dealToShards(part.images, resolved);
    counts.push(dealt.length);
    dealt.forEach((list, i) => shards.push({
      index: shards.length,
      name: partShardName(resolved.channel, part.split, i, dealt.length),
      images: list,
      imageBytes: list.reduce((n, img) => n + img.entry.uncompressedSize, 0),
    }));
  }

  return {
    converter: { name: CONVERTER_NAME, version: CONVERTER_VERSION },
    source: index.source,
    options: resolved,
    labeled: layout.labeled,
    wrapperFolder: layout.wrapperFolder,
    classNames: layout.classNames,
    entryCount: index.entries.length,
    split: fraction === null ? null : { fraction, seed: resolved.seed, trainingShards: counts[0], validationShards: counts[1] },
    shards,
    skipped: classified.skipped,
    rejected: classified.rejected,
  };
}

/** Shuffles one part's images (in zip order) and deals them to that part's shards; none for no images. */
function dealToShards(images: readonly PlannedImage[], options: ResolvedConversionOptions): PlannedImage[][] {
  if (images.length === 0) return [];
  const units = shuffleUnits(images, options.shuffleBlockBytes);
  const totalImageBytes = images.reduce((n, i) => n + i.entry.uncompressedSize, 0);
  const shardCount = decideShardCount(totalImageBytes, units.length, options.targetShardBytes, options.shardCount, images.length);
  return assignToShards(units, shardCount, options.seed);
}

/** A shard's path: `<channel>-00000-of-00004.tfrecord` unsplit, `<split>/<split>-00000-of-00004.tfrecord` in a part. */
function partShardName(channel: string, split: DatasetSplit | null, index: number, count: number): string {
  return split === null ? shardName(channel, index, count) : `${split}/${shardName(split, index, count)}`;
}

/** The split part of the shard at `index` of a plan, or null for an unsplit plan. */
export function splitOfShard(plan: Pick<ConversionPlan, 'split'>, index: number): DatasetSplit | null {
  if (!plan.split) return null;
  return index < plan.split.trainingShards ? 'training' : 'validation';
}

/**
 * The path of the shard at `index` of a plan of `shardCount` shards, from the plan's header alone
 * (the failure handler names the shards of failed work items without the item files).
 */
export function plannedShardName(plan: Pick<ConversionPlan, 'split' | 'options'>, index: number, shardCount: number): string {
  if (!plan.split) return shardName(plan.options.channel, index, shardCount);
  const { trainingShards, validationShards } = plan.split;
  return index < trainingShards
    ? partShardName(plan.options.channel, 'training', index, trainingShards)
    : partShardName(plan.options.channel, 'validation', index - trainingShards, validationShards);
}

function location(e: ZipEntry): ZipEntryLocation {
  return {
    index: e.index,
    name: e.name,
    compressionMethod: e.compressionMethod,
    generalPurposeBitFlag: e.generalPurposeBitFlag,
    compressedSize: e.compressedSize,
    uncompressedSize: e.uncompressedSize,
    crc32: e.crc32,
    localHeaderOffset: e.localHeaderOffset,
    dataLimit: e.dataLimit,
  };
}
