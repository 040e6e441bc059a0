import {
  ConversionFailureCode,
  INGESTION_EVENT_SCHEMA_VERSION,
  type DatasetConversionFailedDetail,
  type DatasetConvertedDetail,
  type FailedWorkItemReference,
  type RejectedEntryReference,
  type UploadReference,
} from '../../../contract/ingestion-events';
import { DATASET_PREFIX, manifestKey, pointerKey, versionPrefix, type DatasetChannelRef, type UploadIdentity } from '../catalog';
import type { DatasetManifest, RejectedEntry } from '../dataset';

/** Pure builders of the event details; they keep every event well under EventBridge's 256 KB. */

/** Rejected entries listed in one failure event; the count covers the rest. */
export const MAX_LISTED_REJECTIONS = 50;
const MAX_TEXT = 1_000;

export function uploadReference(upload: UploadIdentity, size?: number): UploadReference {
  return { ...upload, ...(size !== undefined ? { size } : {}) };
}

export interface ConvertedFacts {
  readonly ref: DatasetChannelRef;
  readonly version: string;
  readonly upload: UploadIdentity;
  readonly size?: number;
  readonly datasetBucket: string;
  readonly manifest: DatasetManifest;
  readonly current: boolean;
  readonly efsDirectoryPath?: string;
}

export function convertedDetail(facts: ConvertedFacts): DatasetConvertedDetail {
  const { ref, version, manifest } = facts;
  return {
    schemaVersion: INGESTION_EVENT_SCHEMA_VERSION,
    tenant: ref.tenant,
    datasetId: ref.datasetId,
    channel: ref.channel,
    kind: manifest.kind ?? 'images',
    version,
    upload: uploadReference(facts.upload, facts.size ?? manifest.source.size),
    datasetBucket: facts.datasetBucket,
    prefix: versionPrefix(ref, version),
    manifestUri: `s3://${facts.datasetBucket}/${manifestKey(ref, version)}`,
    pointerUri: `s3://${facts.datasetBucket}/${pointerKey(ref)}`,
    current: facts.current,
    datasetPath: datasetPath(ref, version),
    ...(facts.efsDirectoryPath ? { efsDirectoryPath: facts.efsDirectoryPath } : {}),
    counts: {
      records: manifest.records,
      shards: manifest.shards.length,
      ...(manifest.files?.length ? { files: manifest.files.length } : {}),
      classes: manifest.classNames.length,
      entries: manifest.entries.total,
      skipped: manifest.entries.skipped,
      rejected: manifest.entries.rejected,
    },
    durationMs: manifest.timing.durationMs,
  };
}

/** `<tenant>/<datasetId>/<channel>/<version>`: the version below a file system's dataset root (S3: below `datasets/`). */
export function datasetPath(ref: DatasetChannelRef, version: string): string {
  return versionPrefix(ref, version).slice(DATASET_PREFIX.length).replace(/\/$/, '');
}

export interface FailedFacts {
  readonly ref?: DatasetChannelRef;
  readonly version?: string;
  readonly upload: UploadIdentity;
  readonly size?: number;
  readonly code: ConversionFailureCode;
  readonly reason: string;
  readonly message: string;
  readonly problem?: string;
  readonly rejected?: readonly RejectedEntry[];
  readonly attempts: number;
  /** Failed work items of a distributed conversion (the caller bounds the list). */
  readonly failedItems?: readonly FailedWorkItemReference[];
}

export function failedDetail(facts: FailedFacts): DatasetConversionFailedDetail {
  const rejected = facts.rejected ?? [];
  return {
    schemaVersion: INGESTION_EVENT_SCHEMA_VERSION,
    ...(facts.ref ? { tenant: facts.ref.tenant, datasetId: facts.ref.datasetId, channel: facts.ref.channel } : {}),
    ...(facts.version ? { version: facts.version } : {}),
    upload: uploadReference(facts.upload, facts.size),
    code: facts.code,
    reason: facts.reason,
    message: clip(facts.message),
    ...(facts.problem ? { problem: facts.problem } : {}),
    rejected: rejected.slice(0, MAX_LISTED_REJECTIONS).map((entry): RejectedEntryReference => ({
      name: clip(entry.name, 300),
      reason: entry.reason,
      detail: clip(entry.detail, 300),
    })),
    rejectedCount: rejected.length,
    attempts: facts.attempts,
    ...(facts.failedItems ? { failedItems: facts.failedItems.map((i) => ({ ...i, lastError: clip(i.lastError, 300) })) } : {}),
  };
}

export { ConversionFailureCode };

function clip(text: string, max = MAX_TEXT): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
