import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { LEASE_KEY_PREFIX } from '../../../contract/ingestion-events';
import { DATASET_PREFIX, manifestKey, parsePointer, pointerKey, versionPrefix, type DatasetChannelRef, type DatasetPointer } from '../catalog';
import type { DatasetManifest } from '../dataset';
import type { CurrentPointer, PointerDecision } from '../ingestion/pointer-decision';
import { isConditionalConflict, isNotFound } from './s3-errors';
import { S3ShardSink, type S3ShardSinkOptions } from './s3-shard-sink';

/** A version's lease: who converts it and until when. */
export interface VersionLease {
  readonly owner: string;
  readonly expiresAt: string;
}

/**
 * `abandoned` is the expired lease of another owner that this one replaced: that attempt stopped
 * without releasing it, which a thrown error never does (the lease is released in a finally), so
 * the function died under it: out of memory or out of time.
 */
export type LeaseResult = { readonly acquired: true; readonly abandoned?: VersionLease } | { readonly acquired: false; readonly holder: VersionLease };

/** The manifest tag that records that `DatasetConverted` was sent for the version. */
export const ANNOUNCED_TAG = 'cdk-sagemaker-datasets:announced';

/**
 * The dataset bucket as the converter sees it: versions under `datasets/<id>/<channel>/<version>/`,
 * their manifests (the commit marker) and `current.json` (moved with S3 conditional writes).
 */
export class S3DatasetStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    private readonly sinkOptions: S3ShardSinkOptions = {},
  ) {}

  /** The complete version's manifest, or undefined when the version is not complete. */
  async readManifest(ref: DatasetChannelRef, version: string): Promise<DatasetManifest | undefined> {
    const text = await this.getText(manifestKey(ref, version));
    return text === undefined ? undefined : (JSON.parse(text.body) as DatasetManifest);
  }

  /** A sink writing into the version folder. */
  sink(ref: DatasetChannelRef, version: string): S3ShardSink {
    return new S3ShardSink(this.client, this.bucket, versionPrefix(ref, version), this.sinkOptions);
  }

  /**
   * Deletes every object under the version folder. Only for versions without a manifest: the
   * leftovers of an attempt that crashed before it could clean up.
   */
  async deleteVersion(ref: DatasetChannelRef, version: string): Promise<number> {
    return this.deletePrefix(versionPrefix(ref, version));
  }

  /** Deletes every object below `prefix` (all pages); with `keep`, only the keys it rejects stay. */
  async deletePrefix(prefix: string, keep?: (key: string) => boolean): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      const keys = (page.Contents ?? []).map((o) => o.Key!).filter((key) => key && (!keep || keep(key)));
      deleted += await this.deleteKeys(keys);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  /** Deletes the given keys (in batches of 1,000); any per-key error is thrown. */
  async deleteKeys(keys: readonly string[]): Promise<number> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const result = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      if (result.Errors && result.Errors.length > 0) {
        throw new Error(`could not delete ${result.Errors.length} object(s) in s3://${this.bucket}/, e.g. ${result.Errors[0].Key}: ${result.Errors[0].Code}`);
      }
    }
    return keys.length;
  }

  async readPointer(ref: DatasetChannelRef): Promise<CurrentPointer> {
    const key = pointerKey(ref);
    const text = await this.getText(key);
    if (text === undefined) return { state: 'absent' };
    try {
      return { state: 'valid', pointer: parsePointer(text.body, `s3://${this.bucket}/${key}`), etag: text.etag };
    } catch (error) {
      return { state: 'corrupt', etag: text.etag, problem: (error as Error).message };
    }
  }

  /**
   * Writes the pointer as `decision` says, conditionally: `If-None-Match: *` to create, `If-Match`
   * on the read ETag to replace. Returns false when another writer got there first (412/409).
   */
  async writePointer(ref: DatasetChannelRef, pointer: DatasetPointer, decision: Exclude<PointerDecision, { action: 'keep' }>): Promise<boolean> {
    try {
      await this.client.send(new PutObjectCommand({
        Bucket: this.bucket,
        Key: pointerKey(ref),
        Body: `${JSON.stringify(pointer, null, 2)}\n`,
        ContentType: 'application/json',
        CacheControl: 'no-cache',
        ...(decision.action === 'create' ? { IfNoneMatch: '*' } : { IfMatch: decision.ifMatch }),
      }));
      return true;
    } catch (error) {
      if (isConditionalConflict(error)) return false;
      throw error;
    }
  }

  /**
   * Takes the version's lease (S3 conditional writes: `If-None-Match: *` for a new one, `If-Match`
   * to take over an expired one). Two deliveries of one upload then never write, or abort, the same
   * version folder at the same time.
   */
  async acquireLease(ref: DatasetChannelRef, version: string, owner: string, ttlMs: number, now: Date): Promise<LeaseResult> {
    const key = leaseKey(ref, version);
    const lease: VersionLease = { owner, expiresAt: new Date(now.getTime() + ttlMs).toISOString() };
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.getText(key);
      let condition: { IfNoneMatch: string } | { IfMatch: string } = { IfNoneMatch: '*' };
      let abandoned: VersionLease | undefined;
      if (current) {
        const holder = parseLease(current.body);
        if (holder && holder.owner !== owner && Date.parse(holder.expiresAt) > now.getTime()) {
          return { acquired: false, holder };
        }
        if (holder && holder.owner !== owner) abandoned = holder;
        condition = { IfMatch: current.etag };
      }
      try {
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: JSON.stringify(lease), ContentType: 'application/json', ...condition }));
        return abandoned ? { acquired: true, abandoned } : { acquired: true };
      } catch (error) {
        if (!isConditionalConflict(error)) throw error;
      }
    }
    throw new Error(`the lease s3://${this.bucket}/${key} kept changing under 5 conditional writes`);
  }

  /** Gives the lease back if this owner still holds it. */
  async releaseLease(ref: DatasetChannelRef, version: string, owner: string): Promise<void> {
    const key = leaseKey(ref, version);
    const current = await this.getText(key);
    if (current && parseLease(current.body)?.owner === owner) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    }
  }

  /** Whether DatasetConverted was already sent for this version (a tag on its manifest). */
  async isAnnounced(ref: DatasetChannelRef, version: string): Promise<boolean> {
    const tags = await this.client.send(new GetObjectTaggingCommand({ Bucket: this.bucket, Key: manifestKey(ref, version) }));
    return (tags.TagSet ?? []).some((tag) => tag.Key === ANNOUNCED_TAG);
  }

  async markAnnounced(ref: DatasetChannelRef, version: string): Promise<void> {
    const key = manifestKey(ref, version);
    const tags = await this.client.send(new GetObjectTaggingCommand({ Bucket: this.bucket, Key: key }));
    const others = (tags.TagSet ?? []).filter((tag) => tag.Key !== ANNOUNCED_TAG);
    await this.client.send(new PutObjectTaggingCommand({
      Bucket: this.bucket,
      Key: key,
      Tagging: { TagSet: [...others, { Key: ANNOUNCED_TAG, Value: 'true' }] },
    }));
  }

  /** The object's bytes as a stream (for copying a complete version to EFS). */
  async openObject(key: string): Promise<Readable> {
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return response.Body as Readable;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** A small JSON document with its ETag; undefined when absent or not JSON (a replaceable document). */
  async readJson<T>(key: string): Promise<{ value?: T; etag: string } | undefined> {
    const text = await this.getText(key);
    if (text === undefined) return undefined;
    try {
      return { value: JSON.parse(text.body) as T, etag: text.etag };
    } catch {
      return { etag: text.etag };
    }
  }

  /**
   * Writes a small JSON document if it is still as read: `If-Match: etag`, or `If-None-Match: *`
   * when it was absent. False when another writer got there first.
   */
  async writeJsonIfUnchanged(key: string, value: unknown, etag: string | undefined): Promise<boolean> {
    try {
      await this.client.send(new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: `${JSON.stringify(value, null, 2)}\n`,
        ContentType: 'application/json',
        CacheControl: 'no-cache',
        ...(etag === undefined ? { IfNoneMatch: '*' } : { IfMatch: etag }),
      }));
      return true;
    } catch (error) {
      if (isConditionalConflict(error)) return false;
      throw error;
    }
  }

  /** Creates `key` unless it exists (`If-None-Match: *`); false when it did. */
  async createMarker(key: string, body: string): Promise<boolean> {
    return this.writeJsonIfUnchanged(key, body, undefined);
  }

  private async getText(key: string): Promise<{ body: string; etag: string } | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { body: await response.Body!.transformToString('utf8'), etag: response.ETag ?? '' };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

/** `ingestion-leases/<id>/<channel>/<version>.json` */
export function leaseKey(ref: DatasetChannelRef, version: string): string {
  return `${LEASE_KEY_PREFIX}${versionPrefix(ref, version).slice(DATASET_PREFIX.length).replace(/\/$/, '')}.json`;
}

function parseLease(text: string): VersionLease | undefined {
  try {
    const value = JSON.parse(text) as Partial<VersionLease>;
    return typeof value.owner === 'string' && typeof value.expiresAt === 'string' ? (value as VersionLease) : undefined;
  } catch {
    return undefined;
  }
}
