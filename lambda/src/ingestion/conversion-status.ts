import {
  CONVERSION_STATUS_FILE,
  ConversionState,
  DATASET_CONVERSION_PROGRESS,
  DATASET_CONVERSION_STARTED,
  INGESTION_EVENT_SCHEMA_VERSION,
  type ConversionFailureCode,
  type ConversionProgressUnit,
  type ConversionRoute,
  type ConversionStatusDocument,
  type DatasetConversionProgressDetail,
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
 * and the `DatasetConversionStarted` / `DatasetConversionProgress` events. Both are advisory: a
 * failed status write or progress event is logged, never fails the conversion.
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

/** Writes the status document (compare-and-swap on its ETag); logs instead of throwing. */
export async function recordStatus(services: VersionServices, facts: StatusFacts): Promise<boolean> {
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
      if (!shouldReplaceStatus(current?.value, document)) return false;
      if (await services.datasets.writeJsonIfUnchanged(key, document, current?.etag)) return true;
    }
    services.logger.warn('The conversion status kept changing; not written', { key, state: facts.state });
  } catch (error) {
    services.logger.warn('Could not write the conversion status', { key, state: facts.state, error: describe(error) });
  }
  return false;
}

/** The conversion identity every started / progress event carries. */
export interface ConversionFacts {
  readonly ref: DatasetChannelRef;
  readonly version: string;
  readonly upload: UploadIdentity;
  readonly size?: number;
  readonly route: ConversionRoute;
}

/** The fields every started and progress event shares. */
function conversionHeader(facts: ConversionFacts): DatasetConversionStartedDetail {
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
    ...conversionHeader(facts),
    ...(workItems !== undefined ? { workItems } : {}),
  };
}

export function progressDetail(facts: ConversionFacts, unit: ConversionProgressUnit, completed: number, total: number): DatasetConversionProgressDetail {
  return {
    ...conversionHeader(facts),
    progress: progressFraction(completed, total),
    unit,
    completed,
    total,
  };
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
