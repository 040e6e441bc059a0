import type { ByteSource } from '../io/byte-source';
import { DiscardShardSink } from '../io/discard-shard-sink';
import type { ShardSink } from '../io/shard-sink';
import { readZipIndex } from '../zip/zip-index';
import { planConversion, type ConversionPlan } from './conversion-plan';
import { convertShards, type ConversionProgress } from './convert-shards';
import { finishConversion, planRejectionError } from './finish-conversion';
import { keepFiles } from './keep-files';
import type { DatasetManifest } from './manifest';
import { resolveOptions, type ConversionOptions } from './options';

export interface ConvertDatasetHooks {
  /** Called once the central directory is read and the plan fixed, before any data is read. */
  readonly onPlan?: (plan: ConversionPlan) => void;
  readonly onProgress?: (progress: ConversionProgress) => void;
}

export interface DatasetConversion {
  readonly plan: ConversionPlan;
  readonly manifest: DatasetManifest;
}

/**
 * The single-process path: read the central directory, plan, convert every shard, then publish
 * labels.txt and, last, manifest.json. On any failure the sink is aborted, so nothing that looks
 * like a dataset is left (a directory sink also removes the folders it created). Throws ZipFormatError (hostile or unreadable zip) or DatasetError
 * (no images, mixed layout, too many rejected entries — with every rejected entry listed).
 * When the plan alone already rejects too many entries, every image is still read and checked,
 * so the report is complete, but nothing is written.
 */
export async function convertDataset(source: ByteSource, sink: ShardSink, options: ConversionOptions = {}, hooks: ConvertDatasetHooks = {}): Promise<DatasetConversion> {
  const startedAt = new Date();
  try {
    const plan = await planFromSource(source, options);
    hooks.onPlan?.(plan);
    const doomed = planRejectionError(plan) !== undefined;
    const shardIndexes = plan.shards.map((s) => s.index);
    const results = await convertShards(source, plan, shardIndexes, doomed ? new DiscardShardSink() : sink, { onProgress: hooks.onProgress });
    const manifest = await finishConversion(plan, results, sink, startedAt);
    return { plan, manifest };
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

/**
 * Any kind of upload (`options.kind`): images are converted to TFRecord shards by
 * {@link convertDataset}; files and TFRecord files are kept as they are by {@link keepFiles}.
 * Either way manifest.json comes last and a failure leaves nothing behind.
 */
export async function convertUpload(source: ByteSource, sink: ShardSink, options: ConversionOptions = {}, hooks: ConvertDatasetHooks = {}): Promise<{ readonly manifest: DatasetManifest }> {
  return resolveOptions(options).kind === 'images' ? convertDataset(source, sink, options, hooks) : keepFiles(source, sink, options, hooks);
}

/**
 * Reads the central directory (with the zip caps of `options`) and plans the conversion: every
 * whole-zip check happens here, before any entry data is read. The single-process path and the
 * distributed planner both plan through this function.
 */
export async function planFromSource(source: ByteSource, options: ConversionOptions = {}): Promise<ConversionPlan> {
  const index = await readZipIndex(source, resolveOptions(options).limits);
  return planConversion(index, options);
}
