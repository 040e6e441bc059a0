import { MAP_RESULTS_KEY_PREFIX } from '../../../contract/distributed-conversion';
import { FileSystemImportError } from '../aws';
import { DATASET_SPLITS, DatasetError, finishConversion, LABELS_FILE, MANIFEST_FILE, type DatasetManifest, type ShardResult } from '../dataset';
import { commitVersion, completeOnEfs } from '../ingestion/commit-version';
import { classifyFailure } from '../ingestion/failure';
import type { DistributedConfig } from './config';
import { parseFinalizerInput, uploadIdentityOf } from './run-input';
import { recordVerdict, rejected, workFiles, type DistributedServices } from './services';
import { assemblePlan } from './work-plan';

export interface FinalizerOutput {
  readonly version: string;
  readonly records: number;
  readonly shards: number;
  readonly current: boolean;
  readonly announced: boolean;
}

/**
 * After every work item succeeded: checks the results against the plan and every shard against
 * S3, then ends the conversion exactly as the single function does — `finishConversion` (the
 * rejection policy over every rejected entry, the accounting check, labels.txt, manifest.json
 * last), then the ingestion's own `completeOnEfs` and `commitVersion` (EFS copy, `current.json`
 * compare-and-swap, `DatasetConverted` once). Idempotent: a retry that finds the manifest goes
 * straight to committing, which is itself idempotent.
 *
 * "Checks every shard": each item has a result for exactly its shards; every shard is in the
 * version folder with the byte count its worker reported; anything else in the folder (leftovers
 * of an earlier attempt with other options) is removed before the manifest is written.
 */
export async function finalizeDistributedConversion(event: unknown, services: DistributedServices, config: DistributedConfig, remainingMs?: () => number): Promise<FinalizerOutput> {
  const { run, ref, layout, mapResult } = parseFinalizerInput(event);
  const { input } = run;
  const work = workFiles(services, layout);
  const log = services.logger;
  const context = { datasetId: ref.datasetId, channel: ref.channel, version: input.version };

  let manifest = await services.datasets.readManifest(ref, input.version);
  if (!manifest) {
    const planDocument = await work.readPlan();
    if (!planDocument) throw new Error(`the plan s3://${work.bucket}/${layout.planKey} is missing`);
    const itemNumbers = planDocument.items.map((i) => i.item);
    const plan = assemblePlan(planDocument, await work.readItems(itemNumbers));
    const resultDocuments = await work.readResults(itemNumbers);
    const missing = itemNumbers.filter((_, i) => resultDocuments[i] === undefined);
    if (missing.length > 0) throw new Error(`work items without results: ${missing.join(', ')}`);
    const results: ShardResult[] = [];
    planDocument.items.forEach((item, i) => {
      const got = resultDocuments[i]!.results.map((r) => r.index);
      const expected = Array.from({ length: item.lastShard - item.firstShard + 1 }, (_, k) => item.firstShard + k);
      if (JSON.stringify(got) !== JSON.stringify(expected)) {
        throw new Error(`work item ${item.item} reported shards [${got.join(', ')}], planned [${expected.join(', ')}]`);
      }
      results.push(...resultDocuments[i]!.results);
    });

    await checkVersionFolder(work, services, run.versionPrefix, results, log, context);
    try {
      manifest = await finishConversion(plan, results, services.datasets.sink(ref, input.version), new Date(planDocument.startedAt));
    } catch (error) {
      if (!(error instanceof DatasetError)) throw error;
      const verdict = classifyFailure(error);
      if (verdict.kind !== 'permanent') throw error;
      await recordVerdict(work, 'finalizer', verdict);
      log.warn('The converted dataset is not acceptable', { ...context, code: verdict.code, problem: verdict.problem, rejected: verdict.rejected.length });
      throw rejected(verdict);
    }
    log.info('Manifest written', { ...context, records: manifest.records, shards: manifest.shards.length, durationMs: manifest.timing.durationMs });
  } else {
    log.info('Manifest already written by an earlier attempt; committing', context);
  }

  const complete: DatasetManifest = manifest;
  if (services.efs) await completeOnEfs(services.efs, services.datasets, ref, input.version, complete, log);
  let committed;
  try {
    committed = await commitVersion(ref, input.version, uploadIdentityOf(input), input.upload.size, complete, services, config.datasetBucket, remainingMs);
  } catch (error) {
    if (!(error instanceof FileSystemImportError)) throw error;
    const verdict = classifyFailure(error);
    if (verdict.kind !== 'permanent') throw error;
    await recordVerdict(work, 'finalizer', verdict);
    log.warn('The version is not visible on the file system; no pointer names it', { ...context, code: verdict.code, problem: verdict.problem });
    throw rejected(verdict);
  }
  await work.clear();
  await removeMapResults(work, mapResult?.ResultWriterDetails?.Key);
  log.info('Distributed conversion committed', { ...context, ...committed, records: complete.records, shards: complete.shards.length });
  return { version: input.version, records: complete.records, shards: complete.shards.length, current: committed.current, announced: committed.announced };
}

/** Every shard present with its reported size; strays (not a shard of this plan) removed. */
async function checkVersionFolder(
  work: ReturnType<typeof workFiles>,
  services: DistributedServices,
  versionPrefix: string,
  results: readonly ShardResult[],
  log: DistributedServices['logger'],
  context: object,
): Promise<void> {
  const present = new Map((await work.list(versionPrefix)).map((o) => [o.key, o.size]));
  const problems: string[] = [];
  for (const shard of results) {
    const size = present.get(`${versionPrefix}${shard.name}`);
    if (size === undefined) problems.push(`${shard.name} is missing`);
    else if (size !== shard.bytes) problems.push(`${shard.name} has ${size} bytes, its worker wrote ${shard.bytes}`);
  }
  if (problems.length > 0) throw new Error(`shard check failed: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? ` and ${problems.length - 10} more` : ''}`);
  // labels.txt files of an earlier attempt are rewritten by finishConversion, so any of them may stay.
  const labelsPaths = [LABELS_FILE, ...DATASET_SPLITS.map((split) => `${split}/${LABELS_FILE}`)];
  const expected = new Set([...results.map((r) => `${versionPrefix}${r.name}`), ...labelsPaths.map((p) => `${versionPrefix}${p}`), `${versionPrefix}${MANIFEST_FILE}`]);
  const strays = [...present.keys()].filter((key) => !expected.has(key));
  if (strays.length > 0) {
    log.warn('Removing objects in the version folder that are not part of this conversion', { ...context, count: strays.length, first: strays[0] });
    await services.datasets.deleteKeys(strays);
  }
}

/** The Map Run's ResultWriter folder (`ingestion-work/map-results/<run>/`), once its results are no longer needed. */
async function removeMapResults(work: ReturnType<typeof workFiles>, manifestKey: string | undefined): Promise<void> {
  if (!manifestKey || !manifestKey.startsWith(MAP_RESULTS_KEY_PREFIX)) return;
  const folder = manifestKey.slice(0, manifestKey.lastIndexOf('/') + 1);
  if (folder.length <= MAP_RESULTS_KEY_PREFIX.length) return;
  await work.deletePrefix(folder);
}
