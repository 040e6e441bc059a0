import type { S3Client } from '@aws-sdk/client-s3';
import { ConversionFailureCode, ConversionProgressUnit, ConversionRoute, TOO_LARGE_REASON, type IngestionConversionSettings } from '../../../contract/ingestion-events';
import { FileSystemImportError, S3ByteSource, S3SourceChangedError, TeeShardSink, type VersionLease } from '../aws';
import { DatasetKeyError, parseUpload, uploadVersion, type DatasetChannelRef, type DatasetKind } from '../catalog';
import { convertUpload, type DatasetManifest } from '../dataset';
import type { ShardSink } from '../io';
import { ZipFormatError, ZipProblem } from '../zip';
import { cleanUpIncomplete, commitVersion, completeOnEfs, incompleteOnEfs, publishFailure, type IngestionLogger, type VersionServices } from './commit-version';
import { conversionOptions } from './config';
import { announceStarted, trackProgress, type ProgressTracker } from './conversion-status';
import { classifyFailure, describe, FAILURE_REASONS, type FailureVerdict } from './failure';
import { assessTimeBudget, type TimeBudgetVerdict } from './time-budget';
import { assessUploadSize } from './upload-limit';
import type { UploadNotice } from './upload-event';

export type { IngestionLogger };

export interface IngestionSettings {
  readonly datasetBucket: string;
  /** The queue's maxReceiveCount: the attempt after which the message goes to the DLQ. */
  readonly maxReceiveCount: number;
  readonly singleFunctionMaxBytes: number;
  /** Larger uploads are refused before any conversion (DatasetConversionFailed, upload-too-large). */
  readonly maxUploadBytes: number;
  readonly estimatedBytesPerSecond: number;
  readonly conversion: IngestionConversionSettings;
}

export interface IngestionServices extends VersionServices {
  readonly s3: S3Client;
  /** What happens to an upload too large for one function; see {@link OversizeStrategy}. */
  readonly oversize?: OversizeStrategy;
  /** How often a conversion checks its progress (default PROGRESS_POLL_MS, 5 s). */
  readonly progressPollMs?: number;
}

/** Per message: which delivery this is and the invocation's clock. */
export interface DeliveryContext {
  /** SQS ApproximateReceiveCount (1 on the first delivery). */
  readonly attempt: number;
  /** Identifies this attempt as a lease owner (request id and message id). */
  readonly owner: string;
  readonly remainingMs: () => number;
  /** Remaining time when the invocation started: what a fresh invocation gets. */
  readonly invocationBudgetMs: number;
}

/** A too-large upload, as handed to the {@link OversizeStrategy}. */
export interface OversizeRequest {
  readonly notice: UploadNotice;
  readonly ref: DatasetChannelRef;
  readonly version: string;
  readonly size: number;
  readonly verdict: Extract<TimeBudgetVerdict, { kind: 'too-large' }>;
  readonly delivery: DeliveryContext;
}

/**
 * The one place that decides what happens to uploads too large for a single function: with a
 * distributed conversion configured, `startDistributedConversion` (lambda/src/distributed/hand-off.ts)
 * starts its state machine and returns `{ kind: 'handed-off' }`; without one, {@link failOversize}
 * (DatasetConversionFailed, reason "too large for single-function conversion").
 */
export type OversizeStrategy = (request: OversizeRequest, services: IngestionServices, settings: IngestionSettings) => Promise<IngestOutcome>;

export type IngestOutcome =
  | { readonly kind: 'converted'; readonly version: string; readonly current: boolean; readonly announced: boolean }
  | { readonly kind: 'already-converted'; readonly version: string; readonly current: boolean; readonly announced: boolean }
  | { readonly kind: 'failed'; readonly version?: string; readonly code: ConversionFailureCode }
  | { readonly kind: 'handed-off'; readonly version: string };

/** Time a lease outlives the invocation that took it (then another delivery may take it over). */
export const LEASE_MARGIN_MS = 60_000;

/**
 * Another delivery of the same upload holds the version's lease (S3, EventBridge and SQS all
 * deliver at least once, so duplicates can run at the same time). The message is returned to the
 * queue; by its next receive the holder has finished and the redelivery finds the manifest.
 */
export class VersionBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VersionBusyError';
  }
}

/** Thrown to return a message to the queue (it fits a fresh invocation, not this one). */
export class RetryLaterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

export const failOversize: OversizeStrategy = async (request, services) => {
  const { ref, version, notice, verdict, delivery } = request;
  await publishFailure(services, {
    ref, version, upload: notice.upload, size: request.size, attempts: delivery.attempt,
    code: ConversionFailureCode.TOO_LARGE, reason: verdict.reason, message: verdict.message,
  });
  return { kind: 'failed', version, code: ConversionFailureCode.TOO_LARGE };
};

/**
 * Converts one upload into `datasets/<id>/<channel>/<version>/`, then moves the pointer(s) and
 * announces it. Idempotent per object version:
 * - the version folder comes from `uploadVersion()`: a redelivery maps to the same folder;
 * - a version whose manifest exists is not converted again;
 * - the pointer moves only forward (`isLaterUpload`), with S3 conditional writes;
 * - `DatasetConverted` is sent once per version (a tag on the manifest records it).
 * Permanent failures (bad key, hostile zip, unacceptable dataset, too large, upload gone) send
 * `DatasetConversionFailed`, leave nothing under the version folder, and consume the message.
 * Anything else throws, so the message is retried; the last attempt also sends the failure event.
 */
export async function ingestUpload(notice: UploadNotice, delivery: DeliveryContext, services: IngestionServices, settings: IngestionSettings): Promise<IngestOutcome> {
  const { upload } = notice;
  const log = services.logger;
  let ref: DatasetChannelRef;
  let kind: DatasetKind;
  try {
    ({ ref, kind } = parseUpload(upload.key));
  } catch (error) {
    if (!(error instanceof DatasetKeyError)) throw error;
    const verdict = classifyFailure(error);
    return reportPermanent(services, notice, delivery, undefined, undefined, verdict);
  }
  const version = uploadVersion(upload);
  const context = { datasetId: ref.datasetId, channel: ref.channel, kind, version, bucket: upload.bucket, key: upload.key, attempt: delivery.attempt };
  // The event's size refuses an oversized upload before anything reads it.
  const oversized = assessUploadSize(notice.size, settings.maxUploadBytes);
  if (oversized) return reportPermanent(services, notice, delivery, ref, version, oversized);

  try {
    let manifest = await services.datasets.readManifest(ref, version);
    let outcomeKind = 'already-converted' as 'converted' | 'already-converted';
    // On EFS a version counts only with every file the manifest names, at its size.
    const efsMissing = services.efs ? !manifest || (await incompleteOnEfs(services.efs, ref, version, manifest)).length > 0 : false;
    if (manifest && !efsMissing) {
      log.info('Version already complete; not converting again', context);
      if (services.efs) await services.efs.syncVersion(ref, version);
    } else {
      // Writing the version folder (S3 and EFS) happens under the version's lease only.
      const outcome = await withLease(ref, version, delivery, services, async (abandoned) => {
        manifest = await services.datasets.readManifest(ref, version);
        if (!manifest && abandoned) return reportCrash(notice, ref, version, delivery, services, abandoned);
        if (!manifest) {
          const converted = await convert(notice, ref, kind, version, delivery, services, settings);
          if ('kind' in converted) return converted;
          manifest = converted.manifest;
          outcomeKind = 'converted';
        }
        if (services.efs) await completeOnEfs(services.efs, services.datasets, ref, version, manifest, log);
        return undefined;
      });
      if (outcome) return outcome;
    }
    const complete = manifest!;

    const { current, efsCurrent, announced } = await commitVersion(ref, version, upload, notice.size, complete, services, settings.datasetBucket, delivery.remainingMs);
    log.info(outcomeKind === 'converted' ? 'Dataset version converted' : 'Dataset version was already converted', {
      ...context, current, efsCurrent, announced, records: complete.records, shards: complete.shards.length,
    });
    return { kind: outcomeKind, version, current, announced };
  } catch (error) {
    if (error instanceof VersionBusyError) {
      log.info('Another delivery of this upload is converting it; returning the message to the queue', { ...context, detail: error.message });
      throw error;
    }
    if (error instanceof FileSystemImportError) {
      // Converted, but not shown visible on Lustre in time: no pointer moved; reported once.
      return reportPermanent(services, notice, delivery, ref, version, classifyFailure(error));
    }
    if (delivery.attempt >= settings.maxReceiveCount) {
      log.error('Conversion failed on the last attempt; the message goes to the dead-letter queue', { ...context, error: describe(error) });
      await withLease(ref, version, delivery, services, () => cleanUpIncomplete(ref, version, services)).catch(() => undefined);
      await publishFailure(services, {
        ref, version, upload, size: notice.size, attempts: delivery.attempt,
        code: ConversionFailureCode.RETRIES_EXHAUSTED,
        reason: FAILURE_REASONS[ConversionFailureCode.RETRIES_EXHAUSTED],
        message: `Attempt ${delivery.attempt} of ${settings.maxReceiveCount} failed: ${describe(error)}. The message is in the dead-letter queue; redrive it once the cause is fixed.`,
      });
    }
    throw error;
  }
}

/** Runs `body` holding the version's lease; throws VersionBusyError when another delivery holds it. */
async function withLease<T>(ref: DatasetChannelRef, version: string, delivery: DeliveryContext, services: IngestionServices, body: (abandoned?: VersionLease) => Promise<T>): Promise<T> {
  const ttlMs = delivery.remainingMs() + LEASE_MARGIN_MS;
  const lease = await services.datasets.acquireLease(ref, version, delivery.owner, ttlMs, services.now());
  if (!lease.acquired) {
    throw new VersionBusyError(`version ${version} is being written by ${lease.holder.owner} until ${lease.holder.expiresAt}`);
  }
  try {
    return await body(lease.abandoned);
  } finally {
    await services.datasets.releaseLease(ref, version, delivery.owner).catch((error: unknown) =>
      services.logger.warn('Could not release the version lease; it expires on its own', { version, error: describe(error) }));
  }
}

/** Runs the conversion, or returns the outcome of a permanent failure / too-large upload. */
async function convert(
  notice: UploadNotice,
  ref: DatasetChannelRef,
  kind: DatasetKind,
  version: string,
  delivery: DeliveryContext,
  services: IngestionServices,
  settings: IngestionSettings,
): Promise<{ manifest: DatasetManifest } | IngestOutcome> {
  const { upload } = notice;
  let source: S3ByteSource;
  try {
    source = await S3ByteSource.open(services.s3, { bucket: upload.bucket, key: upload.key, versionId: upload.versionId, etag: upload.etag });
  } catch (error) {
    if (!(error instanceof S3SourceChangedError)) throw error;
    return reportPermanent(services, notice, delivery, ref, version, classifyFailure(error, { changed: error }));
  }
  try {
    // Events without a size (none of S3's today) are checked against the object itself.
    const oversized = assessUploadSize(source.size, settings.maxUploadBytes);
    if (oversized) return reportPermanent(services, { ...notice, size: source.size }, delivery, ref, version, oversized);
    const budget = assessTimeBudget({
      zipBytes: source.size,
      remainingMs: delivery.remainingMs(),
      invocationBudgetMs: delivery.invocationBudgetMs,
      maxZipBytes: settings.singleFunctionMaxBytes,
      bytesPerSecond: settings.estimatedBytesPerSecond,
    });
    if (budget.kind === 'too-large') {
      services.logger.warn('Upload too large for single-function conversion', { version, kind, size: source.size, estimatedMs: budget.estimatedMs });
      if (kind !== 'images') {
        // The distributed conversion plans images into shards; files and TFRecord files are kept by this function only.
        const verdict = { ...budget, message: `${budget.message} Uploads of kind ${kind} are kept by the single function only (the distributed conversion converts images): split the upload into several channels.` };
        return await failOversize({ notice, ref, version, size: source.size, verdict, delivery }, services, settings);
      }
      const strategy = services.oversize ?? failOversize;
      return await strategy({ notice, ref, version, size: source.size, verdict: budget, delivery }, services, settings);
    }
    if (budget.kind === 'retry-later') throw new RetryLaterError(budget.message);

    // Leftovers of an attempt that crashed before cleaning up (no manifest, so not a dataset).
    const leftovers = await services.datasets.deleteVersion(ref, version);
    if (leftovers > 0) services.logger.warn('Removed leftovers of an earlier incomplete attempt', { version, objects: leftovers });
    const sinks: ShardSink[] = [services.datasets.sink(ref, version)];
    if (services.efs) sinks.push(await services.efs.prepareVersion(ref, version));
    const sink = sinks.length === 1 ? sinks[0] : new TeeShardSink(sinks);

    services.logger.info('Converting upload', { datasetId: ref.datasetId, channel: ref.channel, version, size: source.size, estimatedMs: budget.estimatedMs, sink: sink.description });
    const facts = { ref, version, upload, size: source.size, route: ConversionRoute.SINGLE_FUNCTION };
    await announceStarted(services, facts);
    // Bytes of the zip handed to the converter: it reads the archive front to back, once.
    const zipSize = source.size;
    const progress: ProgressTracker = trackProgress(services, facts, ConversionProgressUnit.BYTES,
      () => ({ completed: Math.min(source.stats.bytesServed, zipSize), total: zipSize }), { pollMs: services.progressPollMs });
    try {
      const { manifest } = await convertUpload(source, sink, conversionOptions(settings.conversion, ref, kind)).finally(() => progress.stop());
      services.logger.info('Conversion finished', { version, durationMs: manifest.timing.durationMs, records: manifest.records, sourceStats: source.stats });
      return { manifest };
    } catch (error) {
      // convertDataset aborted the sink: nothing of this version was published.
      if (error instanceof ZipFormatError && error.problem === ZipProblem.DIRECTORY_TOO_LARGE && services.oversize && kind === 'images') {
        // Too many entries for this function's memory: the distributed planner has more.
        await cleanUpIncomplete(ref, version, services);
        services.logger.warn('Central directory too large for single-function conversion; handing over', { version, size: source.size, detail: error.message });
        const verdict = { kind: 'too-large', estimatedMs: budget.estimatedMs, reason: TOO_LARGE_REASON, message: error.message } as const;
        return await services.oversize({ notice, ref, version, size: source.size, verdict, delivery }, services, settings);
      }
      const verdict = classifyFailure(error, { ioFailure: source.ioFailure, changed: source.changed });
      if (verdict.kind === 'transient') throw error;
      await cleanUpIncomplete(ref, version, services);
      return reportPermanent(services, notice, delivery, ref, version, verdict);
    }
  } finally {
    await source.close();
  }
}

/**
 * An earlier delivery died holding the lease with no manifest written: the function ran out of
 * memory (or time) on this upload. Converting it again would crash the same way on every
 * remaining delivery, so the version is cleaned up and reported once, permanently.
 */
async function reportCrash(notice: UploadNotice, ref: DatasetChannelRef, version: string, delivery: DeliveryContext, services: IngestionServices, abandoned: VersionLease): Promise<IngestOutcome> {
  await cleanUpIncomplete(ref, version, services);
  const code = ConversionFailureCode.CONVERSION_CRASHED;
  return reportPermanent(services, notice, delivery, ref, version, {
    kind: 'permanent',
    code,
    reason: FAILURE_REASONS[code],
    message:
      `An earlier attempt (${abandoned.owner}) stopped while converting this upload without finishing or reporting an error: the ingestion function ran out of memory or time. ` +
      'It is not converted again. Split the upload into smaller zips, or raise the ingestion function\'s memory (DatasetIngestion memorySize) and upload it again.',
    rejected: [],
  });
}

async function reportPermanent(
  services: IngestionServices,
  notice: UploadNotice,
  delivery: DeliveryContext,
  ref: DatasetChannelRef | undefined,
  version: string | undefined,
  verdict: FailureVerdict,
): Promise<IngestOutcome> {
  if (verdict.kind !== 'permanent') throw new Error('internal error: reportPermanent called with a transient verdict');
  services.logger.warn('Upload cannot be converted', {
    datasetId: ref?.datasetId, channel: ref?.channel, version, key: notice.upload.key, code: verdict.code, problem: verdict.problem,
    message: verdict.message, rejected: verdict.rejected.length,
  });
  await publishFailure(services, {
    ref, version, upload: notice.upload, size: notice.size, attempts: delivery.attempt,
    code: verdict.code, reason: verdict.reason, message: verdict.message, problem: verdict.problem, rejected: verdict.rejected,
  });
  return { kind: 'failed', version, code: verdict.code };
}
