import type { ShardSink } from '../io/shard-sink';
import type { ConversionPlan } from './conversion-plan';
import type { RejectedEntry } from './entry-outcome';
import type { ShardResult } from './convert-shards';
import { DatasetError, DatasetProblem } from './dataset-errors';
import { labelsFileContent } from './layout';
import { allRejected, assertEveryEntryAccounted, buildManifest, labelsFiles, MANIFEST_FILE, serializeManifest, type DatasetManifest } from './manifest';
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
 * then publishes labels.txt (one per part of a split version too) and, last, manifest.json (the
 * commit marker): one manifest for both parts of a split version. `results` must hold one
 * result per shard of the plan. Throws DatasetError; the caller aborts the sink on failure.
 */
export async function finishConversion(plan: ConversionPlan, results: readonly ShardResult[], sink: ShardSink, startedAt: Date): Promise<DatasetManifest> {
  const considered = plan.entryCount - plan.skipped.length;
  const rejected = allRejected(plan, results);
  const tooMany = rejectionError(rejected, considered, plan.options.maxRejectedFraction);
  if (tooMany) throw tooMany;
  if (results.every((r) => r.records === 0)) throw nothingUsable(rejected, considered);
  assertEveryEntryAccounted(plan, results);

  const finishedAt = new Date();
  const manifest = buildManifest(plan, results, {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
  });
  for (const path of labelsFiles(manifest)) await writeWhole(sink, path, labelsFileContent(plan.classNames));
  await writeWhole(sink, MANIFEST_FILE, serializeManifest(manifest));
  return manifest;
}

/**
 * The verdict when no entry can become a record: every considered entry was rejected (each one
 * listed with its reason), or the zip has nothing but folders and OS metadata.
 */
export function nothingUsable(rejected: readonly RejectedEntry[], considered: number): DatasetError {
  if (considered === 0 || rejected.length === 0) {
    return new DatasetError(DatasetProblem.EMPTY_ZIP, 'the zip contains no files (only folders or OS metadata such as __MACOSX/ and .DS_Store); zip the folder of images itself');
  }
  const counts = new Map<string, number>();
  for (const r of rejected) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  const summary = [...counts].map(([reason, n]) => `${n} ${reason}`).join(', ');
  const first = rejected[0];
  return new DatasetError(
    DatasetProblem.ALL_ENTRIES_REJECTED,
    `every one of the ${rejected.length} files in the zip was rejected (${summary}), so nothing can be converted. First: ${JSON.stringify(first.name)}: ${first.detail}`,
    rejected,
  );
}

export async function writeWhole(sink: ShardSink, name: string, text: string): Promise<void> {
  const writer = await sink.open(name);
  try {
    await writer.write(Buffer.from(text, 'utf8'));
    await writer.finish();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
