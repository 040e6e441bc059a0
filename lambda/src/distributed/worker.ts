import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { WorkerInput, WorkerOutput } from '../../../contract/distributed-conversion';
import { ConversionProgressUnit, ConversionRoute } from '../../../contract/ingestion-events';
import { announceProgress } from '../ingestion/conversion-status';
import { progressStep } from '../ingestion/progress';
import { isNotFound, S3ByteSource, S3SourceChangedError, type S3ByteSourceOptions } from '../aws';
import { convertShards, shardReadRanges, type ShardResult } from '../dataset';
import type { ByteSource, ShardSink } from '../io';
import { classifyFailure } from '../ingestion/failure';
import { ConversionAbortedError } from './errors';
import { parseWorkerInput, uploadIdentityOf } from './run-input';
import { recordVerdict, rejected, workFiles, type DistributedServices } from './services';
import type { WorkFiles } from './work-files';
import { workerPlan, type WorkItemDocument } from './work-plan';

/**
 * How a worker reads the zip. Its shards are runs of neighbouring images (the plan's shuffle
 * units), so a small read that misses the cache (an image's local header) fetches a 4 MiB window
 * that also holds the following images: a few large sequential GETs per unit instead of one or two
 * per image, well inside S3's 5,500 GETs per second per prefix at 1,000 workers. The whole item's
 * ranges are announced up front (`willRead`), so parts of up to 8 MiB stream on up to 8 connections
 * at once, at most 64 MiB ahead of the converter: one connection (85-90 MB/s) no longer bounds a
 * worker; its CPU does (bench/s3-read.bench.ts).
 */
export const WORKER_SOURCE_OPTIONS: S3ByteSourceOptions = {
  windowBytes: 4 * 1024 * 1024,
  maxCachedBytes: 96 * 1024 * 1024,
  maxConcurrentRequests: 8,
  prefetchPartBytes: 8 * 1024 * 1024,
  maxPrefetchBytes: 64 * 1024 * 1024,
};

/**
 * The pure part of a worker: converts every shard of one work item through the converter core,
 * one `convertShards` call per shard (the same function, on the same planned shards, as the
 * single-function path), asking `beforeShard` first so an aborted conversion stops between shards.
 */
export async function convertWorkItem(document: WorkItemDocument, source: ByteSource, sink: ShardSink, beforeShard: () => Promise<void> = async () => undefined): Promise<ShardResult[]> {
  const plan = workerPlan(document);
  // The whole item's ranges are announced once: convertShards would announce only its own shard's,
  // and the prefetch would run dry at every shard boundary (a first-byte wait and a part's transfer).
  source.willRead?.(shardReadRanges(plan.shards));
  const reader = withoutAnnouncements(source);
  const results: ShardResult[] = [];
  for (let position = 0; position < plan.shards.length; position++) {
    await beforeShard();
    results.push(...await convertShards(reader, plan, [position], sink));
  }
  return results;
}

/** The same bytes, without `willRead`: reads keep the ranges announced for the whole item. */
function withoutAnnouncements(source: ByteSource): ByteSource {
  return {
    size: source.size,
    description: source.description,
    identity: source.identity,
    read: (offset, length) => source.read(offset, length),
    close: () => source.close(),
  };
}

/**
 * One Distributed Map item: converts its shards into `datasets/<id>/<channel>/<version>/` and
 * records the shard results in `results/<item>.json`.
 *
 * Idempotent: shard keys are deterministic and a shard is only visible once complete (multipart
 * upload), so a retry rewrites the same bytes; a retry that finds the item's result file with all
 * its shards in place returns it without converting again.
 *
 * A failure aborts the sink (this attempt's shards are removed) and is recorded for the failure
 * handler; permanent ones (the archive turns out hostile, the upload was replaced) become
 * DistributedConversionRejected, which the state machine does not retry.
 *
 * The ABORTED marker (the failure handler writes it before cleaning up) is checked before every
 * shard and once more after the last one: a worker that finished its shards either sees the
 * marker and removes them, or published them before the marker was written, in which case the
 * failure handler's cleanup (which runs after writing the marker) removes them.
 */
export async function runWorker(event: unknown, services: DistributedServices): Promise<WorkerOutput> {
  const { item, itemCount, ref, layout, run } = parseWorkerInput(event);
  const work = workFiles(services, layout);
  const log = services.logger;
  const context = { datasetId: ref.datasetId, channel: ref.channel, version: run.input.version, item: item.item };
  const stopIfAborted = async () => {
    if (await work.isAborted()) throw new ConversionAbortedError(`the conversion of ${run.input.version} was aborted; work item ${item.item} stopped`);
  };
  await stopIfAborted();

  const previous = await reusableResult(work, services, run.versionPrefix, item.item);
  if (previous) {
    log.info('Work item already converted by an earlier attempt', context);
    return summary(item.item, previous, true);
  }

  const document = await work.readItem(item.item);
  let source: S3ByteSource;
  try {
    source = await S3ByteSource.open(services.s3, run.input.upload, WORKER_SOURCE_OPTIONS);
  } catch (error) {
    if (!(error instanceof S3SourceChangedError)) throw error;
    const verdict = classifyFailure(error, { changed: error });
    await recordVerdict(work, item.item, verdict);
    if (verdict.kind === 'permanent') throw rejected(verdict);
    throw error;
  }
  const sink = services.datasets.sink(ref, run.input.version);
  const started = Date.now();
  try {
    const results = await convertWorkItem(document, source, sink, stopIfAborted);
    await stopIfAborted();
    await work.writeResult(item.item, results);
    if (itemCount !== undefined) await reportProgress(work, services, run, itemCount);
    const output = summary(item.item, results, false);
    const seconds = (Date.now() - started) / 1000;
    log.info('Work item converted', { ...context, ...output, seconds, mbPerSecond: Math.round(item.imageBytes / 1e6 / Math.max(seconds, 0.001)), sourceStats: source.stats });
    return output;
  } catch (error) {
    await sink.abort().catch((abortError: unknown) => log.warn('Could not remove the shards of the failed attempt', { ...context, error: String(abortError) }));
    if (error instanceof ConversionAbortedError) {
      log.info('Conversion aborted; this item\'s shards were removed', context);
      throw error;
    }
    const verdict = classifyFailure(error, { ioFailure: source.ioFailure, changed: source.changed });
    await recordVerdict(work, item.item, verdict).catch(() => undefined);
    if (verdict.kind === 'permanent') {
      log.warn('Work item rejected the upload', { ...context, code: verdict.code, problem: verdict.problem, message: verdict.message });
      throw rejected(verdict);
    }
    log.warn('Work item failed; the state machine retries it', { ...context, error: verdict.message });
    throw error;
  } finally {
    await source.close();
  }
}

/**
 * After its result is written, a worker counts the completed items; the one whose count first
 * reaches a new 10 % step (and creates that step's marker) sends `DatasetConversionProgress`.
 * Advisory: an error is logged, never fails the item.
 */
async function reportProgress(work: WorkFiles, services: DistributedServices, run: WorkerInput['run'], itemCount: number): Promise<void> {
  try {
    const completed = (await work.list(work.layout.resultsPrefix)).length;
    const step = progressStep(completed, itemCount);
    if (step === undefined) return;
    if (!(await services.datasets.createMarker(work.layout.progressKey(step), `${completed}/${itemCount}`))) return;
    const facts = { ref: work.layout.ref, version: run.input.version, upload: uploadIdentityOf(run.input), size: run.input.upload.size, route: ConversionRoute.DISTRIBUTED };
    await announceProgress(services, facts, ConversionProgressUnit.WORK_ITEMS, completed, itemCount);
  } catch (error) {
    services.logger.warn('Could not report progress', { version: run.input.version, error: String(error) });
  }
}

/** The item's results from an earlier attempt, if every shard it names is in S3 with its size. */
async function reusableResult(work: WorkFiles, services: DistributedServices, versionPrefix: string, item: number): Promise<readonly ShardResult[] | undefined> {
  const previous = await work.readResult(item);
  if (!previous) return undefined;
  for (const shard of previous.results) {
    try {
      const head = await services.s3.send(new HeadObjectCommand({ Bucket: work.bucket, Key: `${versionPrefix}${shard.name}` }));
      if (head.ContentLength !== shard.bytes) return undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
  return previous.results;
}

function summary(item: number, results: readonly ShardResult[], reused: boolean): WorkerOutput {
  return {
    item,
    shards: results.length,
    records: results.reduce((n, r) => n + r.records, 0),
    bytes: results.reduce((n, r) => n + r.bytes, 0),
    reused,
  };
}
