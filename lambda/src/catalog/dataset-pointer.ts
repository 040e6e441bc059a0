import { DatasetChannelRef, DatasetKeyError, manifestKey, validateChannelName, validateDatasetId, validateOwner, versionPrefix } from '../../../contract/key-layout';
import { UploadIdentity } from './upload-version';

/**
 * `datasets/<tenant>/<datasetId>/<channel>/current.json`: written only after a version is complete
 * (shards, labels.txt and manifest.json all written), so a reader never sees a mix of uploads.
 */
export interface DatasetPointer extends DatasetChannelRef {
  readonly schemaVersion: 1;
  /** The version folder name. */
  readonly version: string;
  /** `datasets/<tenant>/<datasetId>/<channel>/<version>/` */
  readonly prefix: string;
  /** The version's manifest key. */
  readonly manifestKey: string;
  /** The upload the version was converted from. */
  readonly source: UploadIdentity;
  /** When the pointer was written (ISO 8601). */
  readonly committedAt: string;
}

export function createPointer(ref: DatasetChannelRef, version: string, source: UploadIdentity, committedAt: Date): DatasetPointer {
  return {
    schemaVersion: 1,
    tenant: ref.tenant,
    datasetId: ref.datasetId,
    channel: ref.channel,
    version,
    prefix: versionPrefix(ref, version),
    manifestKey: manifestKey(ref, version),
    source,
    committedAt: committedAt.toISOString(),
  };
}

/** Parses and checks a pointer document; `where` names it in errors (e.g. the S3 URI). */
export function parsePointer(text: string, where: string): DatasetPointer {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DatasetKeyError(`${where} is not JSON: ${(error as Error).message}`);
  }
  const pointer = value as Partial<DatasetPointer>;
  if (typeof value !== 'object' || value === null || pointer.schemaVersion !== 1) {
    throw new DatasetKeyError(`${where} is not a dataset pointer (schemaVersion 1).`);
  }
  const ref = {
    tenant: validateOwner(String(pointer.tenant)),
    datasetId: validateDatasetId(String(pointer.datasetId)),
    channel: validateChannelName(String(pointer.channel)),
  };
  const version = String(pointer.version);
  if (pointer.prefix !== versionPrefix(ref, version) || pointer.manifestKey !== manifestKey(ref, version)) {
    throw new DatasetKeyError(`${where} is inconsistent: prefix ${JSON.stringify(pointer.prefix)} and manifestKey ` +
      `${JSON.stringify(pointer.manifestKey)} do not match version ${JSON.stringify(version)}.`);
  }
  if (typeof pointer.source !== 'object' || pointer.source === null || typeof pointer.source.eventTime !== 'string') {
    throw new DatasetKeyError(`${where} has no source upload.`);
  }
  return pointer as DatasetPointer;
}
