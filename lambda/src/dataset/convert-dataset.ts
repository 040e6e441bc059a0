import type { ByteSource } from '../io/byte-source';
import { DiscardShardSink } from '../io/discard-shard-sink';
import type { ShardSink } from '../io/shard-sink';
import { readZipIndex } from '../zip/zip-index';
import { planConversion, type ConversionPlan } from './conversion-plan';
import { convertShards, type ConversionProgress } from './convert-shards';
import { DatasetError, DatasetProblem } from './dataset-errors';
import { labelsFileContent } from './layout';
import { allRejected, assertEveryEntryAccounted, buildManifest, LABELS_FILE, MANIFEST_FILE, serializeManifest, type DatasetManifest } from './manifest';
import { resolveOptions, type ConversionOptions } from './options';
import { rejectionError, rejectionsAllowed } from './rejection-policy';

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
 * like a dataset is left. Throws ZipFormatError (hostile or unreadable zip) or DatasetError
 * (no images, mixed layout, too many rejected entries — with every rejected entry listed).
 * When the plan alone already rejects too many entries, every image is still read and checked,
 * so the report is complete, but nothing is written.
 */
export async function convertDataset(source: ByteSource, sink: ShardSink, options: ConversionOptions = {}, hooks: ConvertDatasetHooks = {}): Promise<DatasetConversion> {
  const startedAt = new Date();
  const resolved = resolveOptions(options);
  const index = await readZipIndex(source, resolved.limits);
  const plan = planConversion(index, options);
  hooks.onPlan?.(plan);

  const considered = plan.entryCount - plan.skipped.length;
  const doomed = plan.rejected.length > rejectionsAllowed(considered, resolved.maxRejectedFraction);
  try {
    const shardIndexes = plan.shards.map((s) => s.index);
    const results = await convertShards(source, plan, shardIndexes, doomed ? new DiscardShardSink() : sink, { onProgress: hooks.onProgress });
    const rejected = allRejected(plan, results);
    const tooMany = rejectionError(rejected, considered, resolved.maxRejectedFraction);
    if (tooMany) throw tooMany;
    if (results.every((r) => r.records === 0)) {
      throw new DatasetError(DatasetProblem.NO_IMAGES, `no image could be converted (${rejected.length} rejected)`, rejected);
    }
    assertEveryEntryAccounted(plan, results);

    if (plan.labeled) await writeWhole(sink, LABELS_FILE, labelsFileContent(plan.classNames));
    const finishedAt = new Date();
    const manifest = buildManifest(plan, results, {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
    });
    await writeWhole(sink, MANIFEST_FILE, serializeManifest(manifest));
    return { plan, manifest };
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

async function writeWhole(sink: ShardSink, name: string, text: string): Promise<void> {
  const writer = await sink.open(name);
  try {
    await writer.write(Buffer.from(text, 'utf8'));
    await writer.finish();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
