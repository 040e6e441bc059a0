import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DISTRIBUTED_SCHEMA_VERSION } from '../contract/distributed-conversion';
import { planFromSource } from '../lambda/src/dataset';
import { FileByteSource } from '../lambda/src/io';
import { WorkLayout } from '../lambda/src/distributed/work-layout';
import { groupShardsIntoItems, planHeader, type WorkItemDocument } from '../lambda/src/distributed/work-plan';
import { WORKER_SOURCE_OPTIONS } from '../lambda/src/distributed/worker';
import { BENCH_DIR, bundleForBench, writeZipFile } from './bench-files';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
/** Where the conversion bench keeps its generated zips (it runs first in `npm run bench`). */
const CHILD = join(BENCH_DIR, 'worker', 'index.js');

/**
 * Per-worker throughput of the distributed conversion: plans the 1 GiB stored zip (class by
 * class) that the conversion bench generated with the ingestion defaults (16 MiB shuffle runs, 128 MiB shards), groups
 * the shards into work items, and runs one worker on one item in a child process (the worker's own
 * code: convertWorkItem → convertShards per shard; local file in, discard sink out). Prints the
 * worker's CPU-side MB/s and peak RSS, the planner's time, and how many sequential S3 ranges (and
 * 4 MiB-window GETs) the item needs — the inputs of the README's scale model. Asserts nothing.
 */
export async function benchDistributedWorker(options: { itemBytes?: number; plannerEntries?: number } = {}): Promise<void> {
  await bundleForBench(join(__dirname, 'distributed-worker-child.ts'), CHILD);
  for (const name of ['images-1gib-stored.zip', 'images-1gib-deflated.zip']) {
    await benchOne(join(BENCH_DIR, name), options.itemBytes ?? 512 * MiB);
  }
  console.log('  (local file in, discard sink out: the CPU side of one worker; in Lambda the network bounds it, see the README scale model)');
  await benchPlannerScaling(options.plannerEntries ?? 250_000);
}

async function benchOne(zip: string, itemBytes: number): Promise<void> {
  if (!existsSync(zip)) {
    console.log(`\nDistributed worker: ${zip} is missing; the conversion bench generates it (run \`npm run bench\`).`);
    return;
  }
  mkdirSync(join(BENCH_DIR, 'worker'), { recursive: true });
  const source = await FileByteSource.open(zip);
  const planStarted = process.hrtime.bigint();
  const plan = await planFromSource(source, { shuffleBlockBytes: 16 * MiB });
  const planSeconds = Number(process.hrtime.bigint() - planStarted) / 1e9;
  await source.close();
  const layout = new WorkLayout({ tenant: 'bench', datasetId: 'bench', channel: 'training' }, 'v20260101T000000Z-000000000000');
  const items = groupShardsIntoItems(plan.shards, itemBytes, layout);
  const item = items[0];
  const document: WorkItemDocument = { schemaVersion: DISTRIBUTED_SCHEMA_VERSION, item: item.item, header: planHeader(plan), shards: plan.shards.slice(item.firstShard, item.lastShard + 1) };
  const itemFile = join(BENCH_DIR, 'worker', 'item-0.json');
  writeFileSync(itemFile, JSON.stringify(document));

  // Sequential ranges the worker reads: runs of images that lie back to back in the zip.
  let runs = 0;
  let gets = 0;
  for (const shard of document.shards) {
    let runStart = -1;
    let runEnd = -1;
    const close = () => {
      if (runStart >= 0) {
        runs++;
        gets += Math.ceil((runEnd - runStart) / WORKER_SOURCE_OPTIONS.windowBytes!);
      }
    };
    for (const image of shard.images) {
      if (image.entry.localHeaderOffset !== runEnd) {
        close();
        runStart = image.entry.localHeaderOffset;
      }
      runEnd = image.entry.dataLimit;
    }
    close();
  }

  const time = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const argv = time ? [time, '-f', 'BENCH_TIME %e %M', process.execPath, CHILD, zip, itemFile] : [process.execPath, CHILD, zip, itemFile];
  const run = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 64 * MiB });
  if (run.status !== 0) {
    console.log(`distributed worker bench failed (exit ${run.status}): ${run.stderr.slice(0, 1000)}`);
    return;
  }
  const m = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { seconds: number; imageBytes: number; records: number; shards: number; maxRssMb: number };
  const timed = /BENCH_TIME ([\d.]+) (\d+)/.exec(run.stderr ?? '');
  const rssMb = timed ? (Number(timed[2]) * 1024) / 1e6 : m.maxRssMb * 1.048576;
  console.log(`\nDistributed worker on ${basename(zip)} (one work item of ${items.length}; ${plan.entryCount} entries, ${plan.shards.length} shards of 128 MiB, 16 MiB shuffle runs):`);
  console.log(`  planner: central directory read + plan in ${planSeconds.toFixed(2)} s (${Math.round(plan.entryCount / planSeconds)} entries/s)`);
  console.log(`  item 0: ${m.shards} shards, ${m.records} records, ${(m.imageBytes / MiB).toFixed(0)} MiB of images in ${m.seconds.toFixed(2)} s = ${(m.imageBytes / m.seconds / 1e6).toFixed(0)} MB/s, peak RSS ${rssMb.toFixed(0)} MB`);
  console.log(`  reads: ${runs} sequential ranges (${((m.imageBytes / MiB) / runs).toFixed(1)} MiB each on average), about ${gets} ranged GETs with 4 MiB windows = ${Math.round(gets / (m.imageBytes / GiB))} GETs per GiB`);
}

/**
 * The planner's cost grows with the entry count, not the zip size: a zip of `entries` tiny images
 * (the central directory of a 1 TB dataset of 500 KB images has 2 million) planned from a local file.
 */
async function benchPlannerScaling(entries: number): Promise<void> {
  const file = join(BENCH_DIR, `entries-${entries}.zip`);
  if (!existsSync(file)) {
    const data = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    writeZipFile(file, (writer) => {
      for (let i = 0; i < entries; i++) writer.add({ name: `dataset/class${String(i % 100).padStart(3, '0')}/${String(i).padStart(8, '0')}.jpg`, data });
    });
  }
  const source = await FileByteSource.open(file);
  const heapBefore = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  const plan = await planFromSource(source, { shuffleBlockBytes: 16 * MiB, targetShardBytes: 64 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  const itemsJson = JSON.stringify(plan.shards).length;
  await source.close();
  console.log(`\nPlanner on ${entries} entries: ${seconds.toFixed(2)} s (${Math.round(entries / seconds)} entries/s), plan heap ≈ ${heapMb.toFixed(0)} MB, item files ≈ ${(itemsJson / entries).toFixed(0)} bytes per entry`);
}
