import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DISTRIBUTED_SCHEMA_VERSION } from '../contract/distributed-conversion';
import { S3ByteSource } from '../lambda/src/aws/s3-byte-source';
import { planFromSource, shardReadRanges } from '../lambda/src/dataset';
import { WorkLayout } from '../lambda/src/distributed/work-layout';
import { groupShardsIntoItems, planHeader, type WorkItemDocument } from '../lambda/src/distributed/work-plan';
import { convertWorkItem, WORKER_SOURCE_OPTIONS } from '../lambda/src/distributed/worker';
import { DiscardShardSink, FileByteSource, type ByteRange, type ByteSource } from '../lambda/src/io';
import { BENCH_DIR, bundleForBench } from './bench-files';
import { printTable } from './conversion.bench';

const MiB = 1024 ** 2;
const SERVER = join(BENCH_DIR, 'range-server', 'index.js');
const PER_CONNECTION_MB_S = 85;
const FIRST_BYTE_MS = 20;
/** Reads of a stored entry the converter makes: pieces of at most 1 MiB. */
const READ_PIECE = MiB;

interface Measured {
  readonly seconds: number;
  /** CPU seconds of this process (the reader; the server is another process) per GB moved. */
  readonly cpuPerGb: number;
  readonly requests?: number;
}

/**
 * One distributed worker reading its work item from "S3": a local HTTP server in its own process
 * answers HEAD and ranged GETs like S3, each response throttled to 85 MB/s on its connection after
 * 20 ms to the first byte. The work item is the first one the planner makes of the 1 GiB stored
 * zip with the ingestion defaults (16 MiB shuffle runs, 128 MiB shards, 512 MiB items). Same run:
 * - one connection: the item's byte ranges, one GET after another, each body streamed and dropped
 *   (measured first and last; the faster one is the baseline);
 * - the worker's reader alone (shipped options: the item's ranges announced, 8 MiB parts, up to
 *   8 GETs in flight, at most 64 MiB ahead), read in the converter's order in 1 MiB pieces;
 * - the worker converting the item (convertWorkItem, output discarded) from S3, from S3 without
 *   announcing the ranges (reads fetched only as the converter asks), and from the local file (the
 *   conversion's own CPU bound on this machine).
 * Prints MB/s, ratios, CPU seconds per GB and the load average; asserts nothing.
 */
export async function benchS3Reads(options: { itemBytes?: number } = {}): Promise<void> {
  const zip = join(BENCH_DIR, 'images-1gib-stored.zip');
  if (!existsSync(zip)) {
    console.log(`\nS3 reads: ${zip} is missing; the conversion bench generates it.`);
    return;
  }
  await bundleForBench(join(__dirname, 'throttled-range-server.ts'), SERVER);
  const server = spawn(process.execPath, [SERVER, zip, String(PER_CONNECTION_MB_S), String(FIRST_BYTE_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      createInterface({ input: server.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    });
    const s3 = new S3Client({ endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
    const ref = { bucket: 'uploads', key: 'images-1gib-stored.zip', etag: 'bench-etag' };
    const openS3 = () => S3ByteSource.open(s3, ref, WORKER_SOURCE_OPTIONS);

    const document = await firstWorkItem(zip, options.itemBytes ?? 512 * MiB);
    const imageBytes = document.shards.reduce((n, s) => n + s.imageBytes, 0);
    const ranges = merged(shardReadRanges(document.shards));
    const rangeBytes = ranges.reduce((n, r) => n + r.end - r.start, 0);
    const loadBefore = loadavg();

    const oneConnection = () => measure(rangeBytes, async () => {
      for (const r of ranges) {
        const response = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, Range: `bytes=${r.start}-${r.end - 1}` }));
        for await (const chunk of response.Body as AsyncIterable<Uint8Array>) void chunk;
      }
      return ranges.length;
    });
    const firstBaseline = await oneConnection();
    const readerOnly = await measure(rangeBytes, async () => {
      const source = await openS3();
      source.willRead(ranges);
      for (const r of ranges) {
        for (let offset = r.start; offset < r.end; offset += READ_PIECE) await source.read(offset, Math.min(READ_PIECE, r.end - offset));
      }
      await source.close();
      return source.stats.requests;
    });
    const convertFrom = (open: () => Promise<ByteSource & { stats?: { requests: number } }>, announce: boolean) => measure(imageBytes, async () => {
      const source = await open();
      await convertWorkItem(document, announce ? source : withoutAnnouncements(source), new DiscardShardSink());
      await source.close();
      return source.stats?.requests;
    });
    const worker = await convertFrom(openS3, true);
    const onDemand = await convertFrom(openS3, false);
    const local = await convertFrom(() => FileByteSource.open(zip), true);
    const lastBaseline = await oneConnection();
    s3.destroy();

    const mbps = (bytes: number, m: Measured) => bytes / m.seconds / 1e6;
    const baseline = Math.max(mbps(rangeBytes, firstBaseline), mbps(rangeBytes, lastBaseline));
    const row = (name: string, bytes: number, m: Measured) => {
      const rate = mbps(bytes, m);
      return [name, m.seconds.toFixed(2), rate.toFixed(0), m.requests === undefined ? '-' : String(m.requests), (rate / baseline).toFixed(2), m.cpuPerGb.toFixed(2)];
    };
    const loadAfter = loadavg();
    console.log(`\nOne worker reading S3 (local range server in its own process: ${PER_CONNECTION_MB_S} MB/s per connection, ${FIRST_BYTE_MS} ms to first byte); work item 0: ${document.shards.length} shards, ${(imageBytes / MiB).toFixed(0)} MiB of images in ${ranges.length} ranges`);
    printTable([
      ['reader', 'seconds', 'MB/s', 'GETs', 'vs one connection', 'CPU s/GB'],
      row('one connection, ranges in turn (first)', rangeBytes, firstBaseline),
      row('one connection, ranges in turn (last)', rangeBytes, lastBaseline),
      row('worker reader alone (shipped options)', rangeBytes, readerOnly),
      row('worker converting from S3 (shipped)', imageBytes, worker),
      row('worker converting, reads on demand', imageBytes, onDemand),
      row('worker converting from the local file', imageBytes, local),
    ]);
    console.log(`Load average (1 min) ${loadBefore[0].toFixed(2)} before, ${loadAfter[0].toFixed(2)} after, on ${availableParallelism()} CPUs. MB/s = 10^6 bytes per second (range bytes for reads, image bytes for conversions); baseline = the faster one-connection run.`);
    console.log('Target: the worker >= 3.00 × one connection. Reading costs CPU too (CPU s/GB of this process): a worker converting from S3 is bound by the sum of the reader\'s and the conversion\'s CPU, not by the connection.');
  } finally {
    server.kill('SIGTERM');
  }
}

/** Work item 0 of the 1 GiB zip, planned and grouped as the distributed planner does. */
async function firstWorkItem(zip: string, itemBytes: number): Promise<WorkItemDocument> {
  const local = await FileByteSource.open(zip);
  const plan = await planFromSource(local, { shuffleBlockBytes: 16 * MiB });
  await local.close();
  const layout = new WorkLayout({ tenant: 'bench', datasetId: 'bench', channel: 'training' }, 'v20260101T000000Z-000000000000');
  const item = groupShardsIntoItems(plan.shards, itemBytes, layout)[0];
  return { schemaVersion: DISTRIBUTED_SCHEMA_VERSION, item: item.item, header: planHeader(plan), shards: plan.shards.slice(item.firstShard, item.lastShard + 1) };
}

function merged(ranges: readonly ByteRange[]): ByteRange[] {
  const out: ByteRange[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && last.end === r.start) out[out.length - 1] = { start: last.start, end: r.end };
    else out.push(r);
  }
  return out;
}

function withoutAnnouncements(source: ByteSource): ByteSource {
  return { size: source.size, description: source.description, identity: source.identity, read: (o, l) => source.read(o, l), close: () => source.close() };
}

async function measure(bytes: number, work: () => Promise<number | undefined>): Promise<Measured> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const requests = await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuPerGb: (used.user + used.system) / 1e6 / (bytes / 1e9), requests };
}
