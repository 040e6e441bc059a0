import { readFileSync } from 'node:fs';
import { DiscardShardSink, FileByteSource } from '../lambda/src/io';
import { convertWorkItem } from '../lambda/src/distributed/worker';
import type { WorkItemDocument } from '../lambda/src/distributed/work-plan';

/**
 * One distributed worker, alone in its process (bundled by bench/distributed-worker.bench.ts):
 * converts the shards of one work item file from a local zip with the worker's own code path
 * (convertWorkItem → convertShards per shard) and prints one JSON line of measurements.
 */
async function main(): Promise<void> {
  const [zip, itemFile] = process.argv.slice(2);
  const document = JSON.parse(readFileSync(itemFile, 'utf8')) as WorkItemDocument;
  const source = await FileByteSource.open(zip);
  const started = process.hrtime.bigint();
  try {
    const results = await convertWorkItem(document, source, new DiscardShardSink());
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(JSON.stringify({
      seconds,
      imageBytes: document.shards.reduce((n, s) => n + s.imageBytes, 0),
      outputBytes: results.reduce((n, r) => n + r.bytes, 0),
      records: results.reduce((n, r) => n + r.records, 0),
      shards: results.length,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    }));
  } finally {
    await source.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
