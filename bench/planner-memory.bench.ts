import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { indexBudgetForMemory } from '../lambda/src/zip/zip-limits';
import { BENCH_DIR, bundleForBench, writeZipFile } from './bench-files';

const CHILD = join(BENCH_DIR, 'planner', 'index.js');
/** The distributed planner function's memory (lib/distributed), in MB. */
const PLANNER_MEMORY_MB = 3008;

/**
 * Peak RSS of planning the largest zip the defaults accept by entry count: 2 million entries with
 * 200-byte names (each name a 160-byte class folder and a 40-byte file name), planned and
 * serialized into work items in a child process. Prints the peak against the planner function's
 * memory; asserts nothing.
 */
export async function benchPlannerMemory(options: { entries?: number; nameBytes?: number } = {}): Promise<void> {
  const entries = options.entries ?? 2_000_000;
  const nameBytes = options.nameBytes ?? 200;
  mkdirSync(join(BENCH_DIR, 'planner'), { recursive: true });
  await bundleForBench(join(__dirname, 'planner-memory-child.ts'), CHILD);
  const file = join(BENCH_DIR, `entries-${entries}-names-${nameBytes}.zip`);
  if (!existsSync(file)) {
    const started = Date.now();
    const data = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    writeZipFile(file, (writer) => {
      for (let i = 0; i < entries; i++) writer.add({ name: benchEntryName(i, nameBytes), data });
    });
    console.log(`generated ${file} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const run = spawnSync(process.execPath, [CHILD, file, String(1024 ** 3), String(indexBudgetForMemory(PLANNER_MEMORY_MB))], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) {
    console.log(`\nPlanner memory bench failed (exit ${run.status}, signal ${run.signal}): ${run.stderr.slice(0, 1000)}`);
    return;
  }
  const m = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { entries: number; shards: number; items: number; planSeconds: number; seconds: number; serializedBytes: number; maxRssMb: number };
  console.log(`\nPlanner memory: ${m.entries} entries with ${nameBytes}-byte names (zip ${(statSync(file).size / 1e9).toFixed(2)} GB, central directory ≈ ${((m.entries * (46 + nameBytes)) / 1e6).toFixed(0)} MB)`);
  console.log(`  plan ${m.planSeconds.toFixed(1)} s, plan + ${m.items} item documents serialized (${(m.serializedBytes / 1e6).toFixed(0)} MB of JSON) ${m.seconds.toFixed(1)} s`);
  console.log(`  peak RSS ${m.maxRssMb.toFixed(0)} MB = ${((100 * m.maxRssMb) / PLANNER_MEMORY_MB).toFixed(0)} % of the planner function's ${PLANNER_MEMORY_MB} MB (${((m.maxRssMb * 1e6) / m.entries).toFixed(0)} bytes per entry)`);
}

/** `dataset/<class folder padded to fill>/<file>.jpg`, exactly `bytes` long, 100 classes. */
function benchEntryName(i: number, bytes: number): string {
  const file = `/${String(i).padStart(10, '0')}.jpg`;
  const folder = `dataset/class${String(i % 100).padStart(3, '0')}-`;
  return folder + 'x'.repeat(bytes - folder.length - file.length) + file;
}
