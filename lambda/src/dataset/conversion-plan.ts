import type { ZipEntry, ZipEntryLocation } from '../zip/zip-entry';
import type { ZipIndex, ZipSourceInfo } from '../zip/zip-index';
import { classifyEntries } from './classify-entries';
import type { RejectedEntry, SkippedEntry } from './entry-outcome';
import { nothingUsable } from './finish-conversion';
import { DatasetError, DatasetProblem } from './dataset-errors';
import { classNameOf, resolveLayout } from './layout';
import { resolveOptions, type ConversionOptions, type ResolvedConversionOptions } from './options';
import { assignToShards, decideShardCount, shardName, shuffleUnits } from './shard-assignment';
import { CONVERTER_NAME, CONVERTER_VERSION } from './version';

export interface PlannedImage {
  readonly entry: ZipEntryLocation;
  /** 0-based index into ConversionPlan.classNames; absent for unlabeled datasets. */
  readonly label?: number;
}

export interface ShardPlan {
  readonly index: number;
  readonly name: string;
  /** In record order. */
  readonly images: readonly PlannedImage[];
  /** Sum of the images' declared uncompressed sizes. */
  readonly imageBytes: number;
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
  readonly shards: readonly ShardPlan[];
  readonly skipped: readonly SkippedEntry[];
  /** Entries rejected without reading their data. Workers may reject more. */
  readonly rejected: readonly RejectedEntry[];
}

/**
 * Pure: classifies every entry, resolves layout and labels, fixes the shard count and assigns
 * images to shards with the seeded shuffle. Throws DatasetError when no file can be an image
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
  const units = shuffleUnits(images, resolved.shuffleBlockBytes);
  const totalImageBytes = images.reduce((n, i) => n + i.entry.uncompressedSize, 0);
  const shardCount = images.length === 0 ? 0 : decideShardCount(totalImageBytes, units.length, resolved.targetShardBytes, resolved.shardCount, images.length);
  const shards = images.length === 0 ? [] : assignToShards(units, shardCount, resolved.seed);

  return {
    converter: { name: CONVERTER_NAME, version: CONVERTER_VERSION },
    source: index.source,
    options: resolved,
    labeled: layout.labeled,
    wrapperFolder: layout.wrapperFolder,
    classNames: layout.classNames,
    entryCount: index.entries.length,
    shards: shards.map((list, i) => ({
      index: i,
      name: shardName(resolved.channel, i, shardCount),
      images: list,
      imageBytes: list.reduce((n, img) => n + img.entry.uncompressedSize, 0),
    })),
    skipped: classified.skipped,
    rejected: classified.rejected,
  };
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
