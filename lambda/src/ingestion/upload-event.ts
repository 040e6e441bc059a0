import { z } from 'zod';
import type { UploadIdentity } from '../catalog';

/**
 * Pure parsing of what the ingestion queue delivers: the body of one SQS message, which is either
 * - an EventBridge "Object Created" event from S3 (the default route: S3 → EventBridge → rule → SQS),
 * - an S3 event notification `{"Records":[...]}` (the direct S3 → SQS route), or
 * - S3's `s3:TestEvent`, sent once when a notification configuration is saved (ignored).
 * Anything else is a poison message: it cannot name an upload, so it goes to the dead-letter queue.
 */

/** How the notice reached the queue. */
export enum NoticeRoute {
  EVENTBRIDGE = 'eventbridge',
  S3_NOTIFICATION = 's3-notification',
}

/** One created object the converter should look at. */
export interface UploadNotice {
  readonly upload: UploadIdentity;
  /** Object size in bytes, when the event carries it. */
  readonly size?: number;
  readonly route: NoticeRoute;
}

export type QueueMessage =
  | { readonly kind: 'uploads'; readonly notices: readonly UploadNotice[]; readonly ignored: readonly string[] }
  | { readonly kind: 'ignored'; readonly reason: string };

/** The body names no upload and is not a known no-op: a poison message. */
export class UnrecognizedMessageError extends Error {
  constructor(detail: string) {
    super(`Unrecognized ingestion message: ${detail}`);
    this.name = 'UnrecognizedMessageError';
  }
}

const eventBridgeObjectCreated = z.object({
  'detail-type': z.string(),
  source: z.string(),
  time: z.string(),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().nonnegative().optional(),
      // Real S3 sends `etag`; moto 5.2.1 sends `eTag`.
      etag: z.string().optional(),
      eTag: z.string().optional(),
      'version-id': z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

const s3Record = z.object({
  eventSource: z.string().optional(),
  eventName: z.string(),
  eventTime: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().nonnegative().optional(),
      eTag: z.string().optional(),
      versionId: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

const s3Notification = z.object({ Records: z.array(z.unknown()) });
const s3TestEvent = z.object({ Event: z.literal('s3:TestEvent') });

/** Parses one SQS message body. Throws UnrecognizedMessageError for poison messages. */
export function parseQueueMessage(body: string): QueueMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new UnrecognizedMessageError(`the body is not JSON (${(error as Error).message}): ${preview(body)}`);
  }
  if (s3TestEvent.safeParse(value).success) {
    return { kind: 'ignored', reason: 's3:TestEvent (sent by S3 when a notification configuration is saved)' };
  }
  if (isObject(value) && 'detail-type' in value) {
    return parseEventBridge(value);
  }
  const notification = s3Notification.safeParse(value);
  if (notification.success) {
    return parseS3Notification(notification.data.Records);
  }
  throw new UnrecognizedMessageError(`neither an EventBridge event nor an S3 notification: ${preview(body)}`);
}

function parseEventBridge(value: object): QueueMessage {
  const parsed = eventBridgeObjectCreated.safeParse(value);
  if (!parsed.success) {
    throw new UnrecognizedMessageError(`an EventBridge event without the S3 "Object Created" fields: ${z.prettifyError(parsed.error)}`);
  }
  const event = parsed.data;
  if (event.source !== 'aws.s3' || event['detail-type'] !== 'Object Created') {
    return { kind: 'ignored', reason: `EventBridge event ${JSON.stringify(event.source)} / ${JSON.stringify(event['detail-type'])} is not an S3 "Object Created" event` };
  }
  const object = event.detail.object;
  return {
    kind: 'uploads',
    ignored: [],
    notices: [{
      route: NoticeRoute.EVENTBRIDGE,
      size: object.size,
      upload: compact({
        bucket: event.detail.bucket.name,
        // EventBridge keys are not URL-encoded (real S3 and moto alike).
        key: object.key,
        versionId: object['version-id'],
        etag: normalizeEtag(object.etag ?? object.eTag),
        sequencer: object.sequencer,
        eventTime: normalizeTime(event.time),
      }),
    }],
  };
}

function parseS3Notification(records: readonly unknown[]): QueueMessage {
  if (records.length === 0) {
    throw new UnrecognizedMessageError('an S3 notification with no records');
  }
  const notices: UploadNotice[] = [];
  const ignored: string[] = [];
  records.forEach((raw, index) => {
    const parsed = s3Record.safeParse(raw);
    if (!parsed.success) {
      throw new UnrecognizedMessageError(`S3 notification record ${index} is malformed: ${z.prettifyError(parsed.error)}`);
    }
    const record = parsed.data;
    if (record.eventSource !== undefined && record.eventSource !== 'aws:s3') {
      ignored.push(`record ${index}: event source ${JSON.stringify(record.eventSource)} is not aws:s3`);
      return;
    }
    if (!record.eventName.startsWith('ObjectCreated:')) {
      ignored.push(`record ${index}: ${record.eventName} is not an ObjectCreated event`);
      return;
    }
    const object = record.s3.object;
    notices.push({
      route: NoticeRoute.S3_NOTIFICATION,
      size: object.size,
      upload: compact({
        bucket: record.s3.bucket.name,
        key: decodeS3NotificationKey(object.key),
        versionId: object.versionId,
        etag: normalizeEtag(object.eTag),
        sequencer: object.sequencer,
        eventTime: normalizeTime(record.eventTime),
      }),
    });
  });
  return { kind: 'uploads', notices, ignored };
}

/**
 * S3 notification keys are URL-encoded with spaces as `+` ("red flower.jpg" → "red+flower.jpg";
 * moto also encodes `/` as `%2F`). `+` becomes a space first, then percent-decoding; a literal `+`
 * arrives as `%2B`. A key that is not valid percent-encoding is returned as it came, so the upload
 * layout check reports it.
 */
export function decodeS3NotificationKey(key: string): string {
  const spaced = key.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return key;
  }
}

/** ETags without the surrounding quotes S3 sometimes keeps. */
export function normalizeEtag(etag: string | undefined): string | undefined {
  if (etag === undefined) return undefined;
  const bare = etag.replace(/^"(.*)"$/, '$1');
  return bare.length > 0 ? bare : undefined;
}

/**
 * ISO 8601 in UTC with milliseconds. moto's S3 notifications omit the zone designator
 * (`2026-11-22T11:59:28.123456`); S3 means UTC.
 */
export function normalizeTime(time: string): string {
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(time) ? time : `${time}Z`;
  const date = new Date(zoned);
  if (Number.isNaN(date.getTime())) {
    throw new UnrecognizedMessageError(`the event time ${JSON.stringify(time)} is not a date`);
  }
  return date.toISOString();
}

function compact(upload: { -readonly [K in keyof UploadIdentity]: UploadIdentity[K] }): UploadIdentity {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(upload)) {
    if (value !== undefined && value !== '') result[key] = value;
  }
  return result as unknown as UploadIdentity;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function preview(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}
