import type { SourceIdentity } from '../io/byte-source';
import type { OutputChecksum } from '../io/shard-sink';
import { splitOfShard, type ConversionPlan } from './conversion-plan';
import type { ShardResult } from './convert-shards';
import { byEntryIndex, type RejectedEntry, type SkippedEntry } from './entry-outcome';
import type { DatasetKind, ResolvedConversionOptions } from './options';
import { DATASET_SPLITS, type DatasetSplit } from './validation-split';

export const MANIFEST_FILE = 'manifest.json';
export const LABELS_FILE = 'labels.txt';
export const MANIFEST_VERSION = 1;

export type ManifestSource = SourceIdentity & { readonly size: number };

export interface ManifestShard {
  readonly name: string;
  readonly records: number;
  readonly bytes: number;
  readonly checksum: OutputChecksum;
}

/** A file of the version kept as it was uploaded (kinds `files` and `tfrecord`). */
export interface ManifestFile {
  /** Its path below the version folder: its path in the zip, or `<channel>.tfrecord` for an uploaded TFRecord file. */
  readonly path: string;
  readonly bytes: number;
  /** Lower-case hex SHA-256 of the file. */
  readonly sha256: string;
  /** Records in the file, every CRC verified (kind `tfrecord` only). */
  readonly records?: number;
}

export interface ManifestClass {
  readonly label: number;
  readonly name: string;
  readonly records: number;
}

/** One part of a split version: its own folder, shards, labels.txt and counts. */
export interface ManifestSplitPart {
  /** Its folder below the version (`training` or `validation`): what a channel reading this part points at. */
  readonly directory: DatasetSplit;
  readonly records: number;
  /** Its shards (their names start with `<directory>/`); 0 when the part got no image. */
  readonly shards: number;
  /** Records per class in this part (index = label); empty when unlabeled. */
  readonly classes: readonly ManifestClass[];
  /** `<directory>/labels.txt` for a labeled dataset whose part has shards, else null. */
  readonly labelsFile: string | null;
}

/**
 * The validation split of a version (`validationFraction`): both parts were converted from one
 * upload and are committed together, under one version and one `current.json`.
 */
export interface ManifestSplit {
  /** How images were assigned; see splitForValidation. */
  readonly method: typeof SPLIT_METHOD;
  readonly fraction: number;
  readonly seed: number;
  readonly training: ManifestSplitPart;
  readonly validation: ManifestSplitPart;
}

/** Per class, round(count × fraction) images (ties to training; 1..count-1 for 2+ images) with the smallest SHA-256(seed, path). */
export const SPLIT_METHOD = 'class-stratified-sha256';

/** Wall-clock facts; everything outside `timing` is identical for identical input and options. */
export interface ManifestTiming {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
}

/**
 * manifest.json, written after every shard and labels.txt: its presence marks a complete dataset.
 * Every entry of the zip is counted once: entries.total = converted + skipped + rejected.
 */
export interface DatasetManifest {
  readonly manifestVersion: number;
  /** What the channel holds (see ConversionOptions.kind); its data is in `shards` (images) or `files` (files, tfrecord). */
  readonly kind: DatasetKind;
  readonly converter: { readonly name: string; readonly version: string };
  readonly source: ManifestSource;
  readonly options: ResolvedConversionOptions;
  readonly labeled: boolean;
  readonly wrapperFolder: string | null;
  /** Index = label. Empty when unlabeled. */
  readonly classNames: readonly string[];
  readonly classes: readonly ManifestClass[];
  /** labels.txt at the version's top level (labeled images); a split version also has one in each part with shards. */
  readonly labelsFile: string | null;
  /** The validation split, or null (absent in manifests written before splits existed): every shard at the top level. */
  readonly split?: ManifestSplit | null;
  /** TFRecord records in the version: written (images) or verified (tfrecord); 0 for files. */
  readonly records: number;
  /** The TFRecord shards the converter wrote (images). */
  readonly shards: readonly ManifestShard[];
  /** The files kept as uploaded (files, tfrecord), in zip order. */
  readonly files: readonly ManifestFile[];
  readonly entries: { readonly total: number; readonly converted: number; readonly skipped: number; readonly rejected: number };
  readonly skipped: readonly SkippedEntry[];
  readonly rejected: readonly RejectedEntry[];
  readonly timing: ManifestTiming;
}

export function buildManifest(plan: ConversionPlan, results: readonly ShardResult[], timing: ManifestTiming): DatasetManifest {
  const shards = [...results].sort((a, b) => a.index - b.index);
  const rejected = allRejected(plan, shards);
  const records = shards.reduce((n, s) => n + s.records, 0);
  const classes = classCounts(plan.classNames, shards);
  return {
    manifestVersion: MANIFEST_VERSION,
    kind: plan.options.kind,
    converter: plan.converter,
    source: { ...plan.source.identity, size: plan.source.size },
    options: plan.options,
    labeled: plan.labeled,
    wrapperFolder: plan.wrapperFolder,
    classNames: plan.classNames,
    classes,
    labelsFile: plan.labeled ? LABELS_FILE : null,
    split: manifestSplit(plan, shards),
    records,
    shards: shards.map((s) => ({ name: s.name, records: s.records, bytes: s.bytes, checksum: s.checksum })),
    files: [],
    entries: { total: plan.entryCount, converted: records, skipped: plan.skipped.length, rejected: rejected.length },
    skipped: plan.skipped,
    rejected,
    timing,
  };
}

function manifestSplit(plan: ConversionPlan, results: readonly ShardResult[]): ManifestSplit | null {
  if (plan.split === null) return null;
  const part = (split: DatasetSplit): ManifestSplitPart => {
    const own = results.filter((r) => splitOfShard(plan, r.index) === split);
    return {
      directory: split,
      records: own.reduce((n, r) => n + r.records, 0),
      shards: own.length,
      classes: classCounts(plan.classNames, own),
      labelsFile: plan.labeled && own.length > 0 ? `${split}/${LABELS_FILE}` : null,
    };
  };
  return { method: SPLIT_METHOD, fraction: plan.split.fraction, seed: plan.split.seed, training: part('training'), validation: part('validation') };
}

function classCounts(classNames: readonly string[], results: readonly ShardResult[]): ManifestClass[] {
  return classNames.map((name, label) => ({ label, name, records: results.reduce((n, s) => n + (s.classCounts[label] ?? 0), 0) }));
}

/**
 * Every labels.txt of a version: the top-level one and, in a split version, one in each part
 * that has shards (a training job reading one part finds its class names beside its shards).
 */
export function labelsFiles(manifest: Pick<DatasetManifest, 'labelsFile' | 'split'>): string[] {
  return [manifest.labelsFile, ...DATASET_SPLITS.map((s) => manifest.split?.[s].labelsFile ?? null)].filter((f): f is string => f !== null);
}

export function allRejected(plan: ConversionPlan, results: readonly ShardResult[]): RejectedEntry[] {
  return [...plan.rejected, ...results.flatMap((r) => r.rejected)].sort(byEntryIndex);
}

/** Every file of a complete version, paths below its folder, manifest.json last (e.g. to copy it). */
export function versionFileNames(manifest: Pick<DatasetManifest, 'shards' | 'files' | 'labelsFile' | 'split'>): string[] {
  return [...manifest.shards.map((s) => s.name), ...(manifest.files ?? []).map((f) => f.path), ...labelsFiles(manifest), MANIFEST_FILE];
}

/** Stable serialization: fixed key order by construction, two-space indent, trailing newline. */
export function serializeManifest(manifest: DatasetManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * Internal invariant: every central-directory index appears exactly once among converted,
 * skipped and rejected entries. A violation is a converter bug, never an input problem.
 */
export function assertEveryEntryAccounted(plan: ConversionPlan, results: readonly ShardResult[]): void {
  const seen = new Uint8Array(plan.entryCount);
  const mark = (index: number, what: string) => {
    if (index < 0 || index >= plan.entryCount || seen[index]) throw new Error(`internal error: entry ${index} accounted twice or out of range (${what})`);
    seen[index] = 1;
  };
  const rejectedInShards = new Set(results.flatMap((r) => r.rejected.map((e) => e.index)));
  for (const s of plan.skipped) mark(s.index, 'skipped');
  for (const r of allRejected(plan, results)) mark(r.index, 'rejected');
  const converted = new Set(results.map((r) => r.index));
  for (const shard of plan.shards) {
    if (!converted.has(shard.index)) continue;
    for (const image of shard.images) if (!rejectedInShards.has(image.entry.index)) mark(image.entry.index, 'converted');
  }
  const missing = seen.indexOf(0);
  if (missing >= 0) throw new Error(`internal error: entry ${missing} is neither converted, skipped nor rejected`);
}
