import { DISTRIBUTED_SCHEMA_VERSION } from '../contract/distributed-conversion';
import { planFromSource } from '../lambda/src/dataset';
import { WorkLayout } from '../lambda/src/distributed/work-layout';
import { groupShardsIntoItems, planHeader, planWithoutShards } from '../lambda/src/distributed/work-plan';
import { FileByteSource } from '../lambda/src/io';

/**
 * The distributed planner's memory, alone in its process (bundled by bench/planner-memory.bench.ts):
 * reads the central directory of a local zip, plans, groups shards into work items and serializes
 * every item document and the plan document as the planner does before writing them. Prints one
 * JSON line with the peak RSS.
 */
async function main(): Promise<void> {
  const [zip, itemBytes, maxIndexBytes] = process.argv.slice(2);
  const source = await FileByteSource.open(zip);
  const started = process.hrtime.bigint();
  try {
    const plan = await planFromSource(source, { targetShardBytes: 64 * 1024, limits: { maxIndexBytes: Number(maxIndexBytes) } });
    const planned = Number(process.hrtime.bigint() - started) / 1e9;
    const layout = new WorkLayout({ tenant: 'bench', datasetId: 'bench', channel: 'training' }, 'v20260101T000000Z-000000000000');
    const items = groupShardsIntoItems(plan.shards, Number(itemBytes), layout);
    const header = planHeader(plan);
    let serialized = 0;
    for (const item of items) {
      serialized += JSON.stringify({ schemaVersion: DISTRIBUTED_SCHEMA_VERSION, item: item.item, header, shards: plan.shards.slice(item.firstShard, item.lastShard + 1) }).length;
    }
    serialized += JSON.stringify({ plan: planWithoutShards(plan), items }).length;
    console.log(JSON.stringify({
      entries: plan.entryCount,
      shards: plan.shards.length,
      items: items.length,
      planSeconds: planned,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      serializedBytes: serialized,
      maxRssMb: (process.resourceUsage().maxRSS * 1024) / 1e6,
    }));
  } finally {
    await source.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
