import type { ShardSink } from '../io/shard-sink';
import type { ConversionPlan } from './conversion-plan';
import type { ShardResult } from './convert-shards';
import { DatasetError, DatasetProblem } from './dataset-errors';
import { labelsFileContent } from './layout';
import { allRejected, assertEveryEntryAccounted, buildManifest, LABELS_FILE, MANIFEST_FILE, serializeManifest, type DatasetManifest } from './manifest';
import { rejectionError } from './rejection-policy';

/**
 * The rejection policy applied to the plan alone: a DatasetError listing the plan's rejected
 * entries when they already exceed `maxRejectedFraction`, before any image data is read.
 */
export function planRejectionError(plan: ConversionPlan): DatasetError | undefined {
  return rejectionError(plan.rejected, plan.entryCount - plan.skipped.length, plan.options.maxRejectedFraction);
}

/**
 * The end of every conversion, whoever converted the shards (one process, or many workers that
 * each ran `convertShards` on a part of the plan): applies the rejection policy to every rejected
 * entry, refuses a dataset without a converted image, checks that every entry is accounted for,
 * then publishes labels.txt and, last, manifest.json (the commit marker). `results` must hold one
 * result per shard of the plan. Throws DatasetError; the caller aborts the sink on failure.
 */
export async function finishConversion(plan: ConversionPlan, results: readonly ShardResult[], sink: ShardSink, startedAt: Date): Promise<DatasetManifest> {
  const considered = plan.entryCount - plan.skipped.length;
  const rejected = allRejected(plan, results);
  const tooMany = rejectionError(rejected, considered, plan.options.maxRejectedFraction);
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
  return manifest;
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
