import {
  CONVERSION_STATUS_FILE,
  ConversionState,
  DATASET_CONVERSION_PROGRESS,
  DATASET_CONVERSION_QUEUED,
  DATASET_CONVERSION_STARTED,
  INGESTION_EVENT_SCHEMA_VERSION,
  type ConversionFailureCode,
  type ConversionProgressUnit,
  type ConversionRoute,
  type ConversionStatusDocument,
  type DatasetConversionProgressDetail,
  type DatasetConversionQueuedDetail,
  type DatasetConversionStartedDetail,
} from '../../../contract/ingestion-events';
import type { PlatformEventDetails, PlatformEventType } from '../../../contract/platform-events';
import { channelPrefix, isLaterUpload, type DatasetChannelRef, type UploadIdentity } from '../catalog';
import type { VersionServices } from './commit-version';
import { uploadReference } from './events';
import { describe } from './failure';
import { progressFraction, shouldReportProgress, type ReportedProgress } from './progress';

/**
 * The conversion's state for the platform API (`conversion-status.json` next to `current.json`)
 * and the `DatasetConversionQueued` / `DatasetConversionStarted` / `DatasetConversionProgress`
 * events. Both are advisory: a failed status write or event is logged, never fails the conversion.
 */

/** `datasets/<tenant>/<datasetId>/<channel>/conversion-status.json` */
export function conversionStatusKey(ref: DatasetChannelRef): string {
  return `${channelPrefix(ref)}${CONVERSION_STATUS_FILE}`;
}

/** States only move forward within one version: queued → converting → importing → converted or failed. */
const RANK: Record<ConversionState, number> = {
  [ConversionState.QUEUED]: 0,
  [ConversionState.CONVERTING]: 1,
  [ConversionState.IMPORTING]: 2,
  [ConversionState.CONVERTED]: 3,
  [ConversionState.FAILED]: 3,
};

/**
 * Pure: whether `candidate` may replace the status document `current`. A later upload always
 * does; an earlier upload never does; within one version the state only moves forward (a late
 * progress write never turns "failed" back into "converting", nor 60 % into 40 %).
 */
export function shouldReplaceStatus(current: ConversionStatusDocument | undefined, candidate: ConversionStatusDocument): boolean {
  if (!current) return true;
  if (current.version !== candidate.version) return isLaterUpload(candidate.upload, current.upload);
  const byState = RANK[candidate.state] - RANK[current.state];
  if (byState !== 0) return byState > 0;
  if (candidate.state === ConversionState.CONVERTING) return (candidate.progress ?? 0) > (current.progress ?? 0);
  // A version that is committed after all (a later attempt succeeded) is no longer failed.
  return current.state === ConversionState.FAILED && candidate.state === ConversionState.CONVERTED;
}

/** What one status write says besides the version's identity. */
export interface StatusFacts {
  readonly ref: DatasetChannelRef;
  readonly version: string;
  readonly upload: UploadIdentity;
  readonly size?: number;
  readonly state: ConversionState;
  readonly progress?: number;
  readonly code?: ConversionFailureCode;
  readonly reason?: string;
  readonly message?: string;
}

/**
 * What a status write did: `written`; `kept` the document as it was, because it already records a
 * later upload or a later state of this version ({@link shouldReplaceStatus}); or `unknown` (S3
 * failed, or the document kept changing).
 */
export type StatusWrite =
  | { readonly kind: 'written' }
  | { readonly kind: 'kept'; readonly current: ConversionStatusDocument }
  | { readonly kind: 'unknown' };

/** Writes the status document (compare-and-swap on its ETag); logs instead of throwing. */
export async function recordStatus(services: VersionServices, facts: StatusFacts): Promise<StatusWrite> {
  const document: ConversionStatusDocument = {
    schemaVersion: INGESTION_EVENT_SCHEMA_VERSION,
    version: facts.version,
    upload: uploadReference(facts.upload, facts.size),
    state: facts.state,
    ...(facts.progress !== undefined ? { progress: facts.progress } : {}),
    ...(facts.code ? { code: facts.code } : {}),
    ...(facts.reason ? { reason: facts.reason } : {}),
    ...(facts.message ? { message: facts.message.slice(0, 2000) } : {}),
    updatedAt: services.now().toISOString(),
  };
  const key = conversionStatusKey(facts.ref);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await services.datasets.readJson<ConversionStatusDocument>(key);
      if (current?.value && !shouldReplaceStatus(current.value, document)) return { kind: 'kept', current: current.value };
      if (await services.datasets.writeJsonIfUnchanged(key, document, current?.etag)) return { kind: 'written' };
    }
    services.logger.warn('The conversion status kept changing; not written', { key, state: facts.state });
  } catch (error) {
    services.logger.warn('Could not write the conversion status', { key, state: facts.state, error: describe(error) });
  }
  return { kind: 'unknown' };
}

/**
 * Pure: whether a hand-off sends `DatasetConversionQueued`, given what its "queued" status write
 * did. The status document is the record (it only moves forward, by compare-and-swap), so one
 * version is announced once however often its upload event is delivered or its hand-off retried:
 * - `written`: this hand-off is the first to record the version, so it sends the event;
 * - `kept`, the document names this version (queued, or further along): an earlier delivery
 *   recorded it and sent the event, or `DatasetConversionStarted` has gone out, so not again;
 * - `kept` for a later upload of the channel, or `unknown`: nothing tells a duplicate delivery from
 *   the first one, so it sends (a duplicate of an upload that is no longer the newest sends twice).
 * Not covered: the event is lost when PutEvents fails or the function dies between the status
 * write and the put (advisory, like the started and progress events).
 */
export function shouldAnnounceQueued(write: StatusWrite, version: string): boolean {
  return write.kind !== 'kept' || write.current.version !== version;
}

/** The conversion identity every queued / started / progress event carries. */
export interface ConversionFacts {
  readonly ref: DatasetChannelRef;
  readonly version: string;
  readonly upload: UploadIdentity;
  readonly size?: number;
  readonly route: ConversionRoute;
}

/** The {@link DatasetConversionHeader} every queued, started and progress event carries: the whole of a queued event. */
export function queuedDetail(facts: ConversionFacts): DatasetConversionQueuedDetail {
  return {
    schemaVersion: INGESTION_EVENT_SCHEMA_VERSION,
    tenant: facts.ref.tenant,
    datasetId: facts.ref.datasetId,
    channel: facts.ref.channel,
    version: facts.version,
    upload: uploadReference(facts.upload, facts.size),
    route: facts.route,
  };
}

export function startedDetail(facts: ConversionFacts, workItems?: number): DatasetConversionStartedDetail {
  return {
    ...queuedDetail(facts),
    ...(workItems !== undefined ? { workItems } : {}),
  };
}

export function progressDetail(facts: ConversionFacts, unit: ConversionProgressUnit, completed: number, total: number): DatasetConversionProgressDetail {
  return {
    ...queuedDetail(facts),
    progress: progressFraction(completed, total),
    unit,
    completed,
    total,
  };
}

/**
 * Records "queued" and sends `DatasetConversionQueued`, unless an earlier hand-off of this version
 * did ({@link shouldAnnounceQueued}); true when it sent the event.
 */
export async function announceQueued(services: VersionServices, facts: ConversionFacts): Promise<boolean> {
  const write = await recordStatus(services, { ...facts, state: ConversionState.QUEUED, progress: 0 });
  if (!shouldAnnounceQueued(write, facts.version)) {
    services.logger.info('The status already records this version; DatasetConversionQueued is not sent again', { version: facts.version });
    return false;
  }
  await publishQuietly(services, DATASET_CONVERSION_QUEUED, queuedDetail(facts));
  return true;
}

/** Sends `DatasetConversionStarted` and records "converting" at 0. */
export async function announceStarted(services: VersionServices, facts: ConversionFacts, workItems?: number): Promise<void> {
  await recordStatus(services, { ...facts, state: ConversionState.CONVERTING, progress: 0 });
  await publishQuietly(services, DATASET_CONVERSION_STARTED, startedDetail(facts, workItems));
}

/** Sends `DatasetConversionProgress` and records the progress. */
export async function announceProgress(services: VersionServices, facts: ConversionFacts, unit: ConversionProgressUnit, completed: number, total: number): Promise<void> {
  const detail = progressDetail(facts, unit, completed, total);
  await recordStatus(services, { ...facts, state: ConversionState.CONVERTING, progress: detail.progress });
  await publishQuietly(services, DATASET_CONVERSION_PROGRESS, detail);
}

async function publishQuietly<T extends PlatformEventType>(services: VersionServices, detailType: T, detail: PlatformEventDetails[T]): Promise<void> {
  try {
    await services.events.publish(detailType, detail);
  } catch (error) {
    services.logger.warn(`Could not send ${detailType}`, { error: describe(error) });
  }
}

/** A running progress poll; `stop()` ends it and waits for a report in flight. */
export interface ProgressTracker {
  stop(): Promise<void>;
}

/** How often a single-function conversion looks at how much of the zip it has read. */
export const PROGRESS_POLL_MS = 5_000;

/**
 * Polls `read()` every `pollMs` and announces progress when {@link shouldReportProgress} says so
 * (at most one event per 10 % or per minute). The poll never delays the conversion: a report still
 * in flight makes the next tick skip.
 */
export function trackProgress(
  services: VersionServices,
  facts: ConversionFacts,
  unit: ConversionProgressUnit,
  read: () => { completed: number; total: number },
  options: { pollMs?: number; nowMs?: () => number } = {},
): ProgressTracker {
  const nowMs = options.nowMs ?? Date.now;
  let last: ReportedProgress = { fraction: 0, atMs: nowMs() };
  let inFlight: Promise<void> | undefined;
  const tick = () => {
    if (inFlight) return;
    const { completed, total } = read();
    const fraction = progressFraction(completed, total);
    const now = nowMs();
    if (!shouldReportProgress(last, fraction, now)) return;
    last = { fraction, atMs: now };
    inFlight = announceProgress(services, facts, unit, completed, total).finally(() => {
      inFlight = undefined;
    });
  };
  const timer = setInterval(tick, options.pollMs ?? PROGRESS_POLL_MS);
  timer.unref?.();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}
