import { createHash } from 'node:crypto';

/**
 * What identifies one upload of `uploads/<datasetId>/<channel>.zip`: the object version (or ETag
 * on an unversioned bucket), and what orders two uploads of the same key.
 */
export interface UploadIdentity {
  readonly bucket: string;
  readonly key: string;
  /** S3 object version id, when the bucket is versioned. */
  readonly versionId?: string;
  /** The object's ETag, without quotes. */
  readonly etag?: string;
  /** S3's sequencer: orders events for the same key (hex of varying length). */
  readonly sequencer?: string;
  /** When S3 reported the object created (ISO 8601). */
  readonly eventTime: string;
}

/**
 * The version folder name of an upload: its creation time (so folders list in upload order)
 * and a hash of the object's identity (so a redelivered event maps to the same folder).
 */
export function uploadVersion(upload: UploadIdentity): string {
  const time = new Date(upload.eventTime);
  if (Number.isNaN(time.getTime())) {
    throw new Error(`Upload ${upload.bucket}/${upload.key} has an invalid event time ${JSON.stringify(upload.eventTime)}.`);
  }
  const stamp = time.toISOString().replace(/[-:]/g, '').replace(/\.(\d{3})Z$/, '$1Z');
  const identity = [upload.bucket, upload.key, upload.versionId ?? '', upload.etag ?? '', upload.versionId || upload.etag ? '' : upload.eventTime].join('\n');
  return `v${stamp}-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}

/**
 * Whether `candidate` is a later upload of the same key than `current`. S3 sequencers order
 * events of one key; where they are equal or missing (moto sends a fixed one), the event time
 * decides, then the version name, so the order is total and the same on every retry.
 */
export function isLaterUpload(candidate: UploadIdentity, current: UploadIdentity): boolean {
  const bySequencer = compareSequencers(candidate.sequencer, current.sequencer);
  if (bySequencer !== 0) {
    return bySequencer > 0;
  }
  const byTime = Date.parse(candidate.eventTime) - Date.parse(current.eventTime);
  if (byTime !== 0) {
    return byTime > 0;
  }
  return uploadVersion(candidate) > uploadVersion(current);
}

/** S3's rule: right-pad the shorter sequencer with zeros, then compare as strings. */
export function compareSequencers(a: string | undefined, b: string | undefined): number {
  if (!a || !b) {
    return 0;
  }
  const width = Math.max(a.length, b.length);
  const left = a.toUpperCase().padEnd(width, '0');
  const right = b.toUpperCase().padEnd(width, '0');
  return left < right ? -1 : left > right ? 1 : 0;
}
