import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3ByteSource, type S3ByteSourceOptions } from '../lambda/src/aws/s3-byte-source';
import { convertShards, planFromSource, type ConversionPlan, type ShardPlan } from '../lambda/src/dataset';
import { WORKER_SOURCE_OPTIONS } from '../lambda/src/distributed/worker';
import { DiscardShardSink, FileByteSource, type ByteSource } from '../lambda/src/io';
import { BENCH_DIR, bundleForBench } from './bench-files';
import { printTable } from './conversion.bench';

const MiB = 1024 ** 2;
const SERVER = join(BENCH_DIR, 'range-server', 'index.js');
const PER_CONNECTION_MB_S = 85;
const FIRST_BYTE_MS = 20;

/**
 * One distributed worker reading its work item from "S3": a local HTTP server that answers HEAD
 * and ranged GETs like S3, each response throttled to 85 MB/s on its connection after 20 ms to
 * the first byte. Compares, in the same run: the item's byte ranges read over one connection
 * (one GET after another), the worker's conversion with the shipped options (ranges announced,
 * 8 MiB parts, up to 8 GETs in flight), and the same without announcing the ranges (reads fetched
 * only as the converter asks). Prints MB/s of image bytes; asserts nothing.
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
    const ref = { bucket: 'uploads', key: 'images-1gib-stored.zip' };

    const local = await FileByteSource.open(zip);
    const plan = await planFromSource(local, { shuffleBlockBytes: 16 * MiB });
    await local.close();
    const shards = firstShards(plan, options.itemBytes ?? 384 * MiB);
    const imageBytes = shards.reduce((n, s) => n + s.imageBytes, 0);
    const ranges = mergedRanges(shards);
    const rangeBytes = ranges.reduce((n, r) => n + r.end - r.start, 0);

    const oneConnection = await timed(async () => {
      for (const r of ranges) {
        const response = await s3.send(new GetObjectCommand({ ...ref, Bucket: ref.bucket, Key: ref.key, Range: `bytes=${r.start}-${r.end - 1}` }));
        await response.Body!.transformToByteArray();
      }
    });
    const convert = async (sourceOptions: S3ByteSourceOptions, announce: boolean) => {
      const source = await S3ByteSource.open(s3, { ...ref, etag: 'bench-etag' }, sourceOptions);
      const seen: ByteSource = announce ? source : withoutHint(source);
      let requests = 0;
      const seconds = await timed(async () => {
        await convertShards(seen, plan, shards.map((s) => s.index), new DiscardShardSink());
        requests = source.stats.requests;
      });
      await source.close();
      return { seconds, requests };
    };
    const withHint = await convert(WORKER_SOURCE_OPTIONS, true);
    const noHint = await convert(WORKER_SOURCE_OPTIONS, false);

    const mbps = (bytes: number, s: number) => bytes / s / 1e6;
    const base = mbps(rangeBytes, oneConnection);
    console.log(`\nOne worker reading S3 (local range server: ${PER_CONNECTION_MB_S} MB/s per connection, ${FIRST_BYTE_MS} ms to first byte); ${shards.length} shards, ${(imageBytes / MiB).toFixed(0)} MiB of images in ${ranges.length} ranges`);
    printTable([
      ['reader', 'seconds', 'MB/s', 'GETs', 'vs one connection'],
      ['one connection, ranges in turn', oneConnection.toFixed(2), base.toFixed(0), String(ranges.length), '1.00'],
      ['worker, ranges announced (shipped)', withHint.seconds.toFixed(2), mbps(imageBytes, withHint.seconds).toFixed(0), String(withHint.requests), (mbps(imageBytes, withHint.seconds) / base).toFixed(2)],
      ['worker, reads fetched on demand', noHint.seconds.toFixed(2), mbps(imageBytes, noHint.seconds).toFixed(0), String(noHint.requests), (mbps(imageBytes, noHint.seconds) / base).toFixed(2)],
    ]);
    console.log('MB/s = 10^6 bytes per second (image bytes for the worker, range bytes for one connection). Target: shipped >= 3.00 × one connection.');
    s3.destroy();
  } finally {
    server.kill('SIGTERM');
  }
}

function firstShards(plan: ConversionPlan, bytes: number): ShardPlan[] {
  const shards: ShardPlan[] = [];
  let total = 0;
  for (const shard of plan.shards) {
    if (total >= bytes) break;
    shards.push(shard);
    total += shard.imageBytes;
  }
  return shards;
}

function mergedRanges(shards: readonly ShardPlan[]): { start: number; end: number }[] {
  const ranges: { start: number; end: number }[] = [];
  for (const image of shards.flatMap((s) => s.images)) {
    const last = ranges[ranges.length - 1];
    if (last && last.end === image.entry.localHeaderOffset) last.end = image.entry.dataLimit;
    else ranges.push({ start: image.entry.localHeaderOffset, end: image.entry.dataLimit });
  }
  return ranges;
}

function withoutHint(source: ByteSource): ByteSource {
  return { size: source.size, description: source.description, identity: source.identity, read: (o, l) => source.read(o, l), close: () => source.close() };
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}
