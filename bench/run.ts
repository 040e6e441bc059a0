import { join } from 'node:path';
import benchCrc32c from './crc32c.bench';
import { BENCH_CLI, benchConversion } from './conversion.bench';
import { benchDistributedWorker } from './distributed-worker.bench';
import { benchImageStructure } from './image-structure.bench';
import { benchS3Reads } from './s3-read.bench';
import { benchPlannerMemory } from './planner-memory.bench';
import { bundleForBench } from './bench-files';

/** `npm run bench` (add `-- --large` for the 4 GiB RSS flatness check). Prints numbers only. */
async function main(): Promise<void> {
  const large = process.argv.includes('--large');
  await benchCrc32c();
  await bundleForBench(join(__dirname, '../lambda/src/cli/main.ts'), BENCH_CLI);
  const conversionWall = await benchConversion({ large });
  benchImageStructure(conversionWall.get('images-1gib-stored.zip'));
  await benchDistributedWorker();
  await benchS3Reads();
  await benchPlannerMemory();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
