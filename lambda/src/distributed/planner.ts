import { DISTRIBUTED_SCHEMA_VERSION, type PlannerOutput } from '../../../contract/distributed-conversion';
import { S3ByteSource, S3SourceChangedError } from '../aws';
import { finishConversion, planFromSource, planRejectionError, type ConversionPlan } from '../dataset';
import { DiscardShardSink } from '../io';
import { conversionOptions } from '../ingestion/config';
import { classifyFailure } from '../ingestion/failure';
import type { DistributedConfig } from './config';
import { ConversionRoute } from '../../../contract/ingestion-events';
import { announceStarted } from '../ingestion/conversion-status';
import { parseConversionInput, runOf, uploadIdentityOf } from './run-input';
import { recordVerdict, rejected, workFiles, type DistributedServices } from './services';
import { groupShardsIntoItems, planHeader, planWithoutShards, type PlanDocument, type WorkItemDocument } from './work-plan';

/**
 * The planner: reads the upload's central directory once (ranged GETs), runs every whole-zip
 * check of the converter core (entry count and total size caps, overlapping entries, names,
 * encryption, methods, sizes, compression ratios, layout) and the rejection policy on what the
 * plan already rejects, all before any worker starts. It plans exactly as the single function does
 * (`planFromSource` with the same options), groups whole shards into work items and writes the
 * work files: every item file, then `plan.json`, then `items.jsonl` (the Map's input) last.
 *
 * A hostile or unacceptable upload ends here: the verdict goes to `failures/planner.json` and a
 * DistributedConversionRejected error stops the state machine before any worker runs.
 */
export async function planDistributedConversion(event: unknown, services: DistributedServices, config: DistributedConfig): Promise<PlannerOutput> {
  const startedAt = services.now();
  const { input, ref, layout } = parseConversionInput(event);
  const work = workFiles(services, layout);
  const log = services.logger;
  const context = { datasetId: ref.datasetId, channel: ref.channel, version: input.version, key: input.upload.key };

  // Leftovers of an earlier attempt of this step (the state machine retries it on transient errors).
  await work.clear();

  let source: S3ByteSource;
  try {
    source = await S3ByteSource.open(services.s3, input.upload);
  } catch (error) {
    if (!(error instanceof S3SourceChangedError)) throw error;
    const verdict = classifyFailure(error, { changed: error });
    if (verdict.kind !== 'permanent') throw error;
    await recordVerdict(work, 'planner', verdict);
    throw rejected(verdict);
  }
  try {
    let plan: ConversionPlan;
    try {
      plan = await planFromSource(source, conversionOptions(config.conversion, ref));
      const tooMany = planRejectionError(plan);
      if (tooMany) throw tooMany;
      // Nothing to convert: the same verdict the single function reaches after its (empty) conversion.
      if (plan.shards.length === 0) await finishConversion(plan, [], new DiscardShardSink(), startedAt);
    } catch (error) {
      const verdict = classifyFailure(error, { ioFailure: source.ioFailure, changed: source.changed });
      if (verdict.kind === 'permanent') {
        log.warn('The upload is rejected before any worker runs', { ...context, code: verdict.code, problem: verdict.problem, message: verdict.message, rejected: verdict.rejected.length });
        await recordVerdict(work, 'planner', verdict);
        throw rejected(verdict);
      }
      throw error;
    }

    const items = groupShardsIntoItems(plan.shards, config.workItemBytes, layout);
    const header = planHeader(plan);
    const documents: WorkItemDocument[] = items.map((item) => ({
      schemaVersion: DISTRIBUTED_SCHEMA_VERSION,
      item: item.item,
      header,
      shards: plan.shards.slice(item.firstShard, item.lastShard + 1),
    }));
    const run = runOf(input, ref, layout);
    const planDocument: PlanDocument = { schemaVersion: DISTRIBUTED_SCHEMA_VERSION, startedAt: startedAt.toISOString(), run, plan: planWithoutShards(plan), shardCount: plan.shards.length, items };

    await work.writeItems(documents);
    await work.writePlan(planDocument);
    await work.writeItemList(items);
    await announceStarted(services, { ref, version: input.version, upload: uploadIdentityOf(input), size: input.upload.size ?? source.size, route: ConversionRoute.DISTRIBUTED }, items.length);
    log.info('Conversion planned', {
      ...context, size: source.size, entries: plan.entryCount, shards: plan.shards.length, items: items.length,
      skipped: plan.skipped.length, rejected: plan.rejected.length, sourceStats: source.stats,
    });
    return { run, itemsKey: layout.itemsKey, itemCount: items.length, shardCount: plan.shards.length };
  } finally {
    await source.close();
  }
}
