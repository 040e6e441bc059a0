import { DeleteObjectsCommand, ListObjectVersionsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { CONVERSION_STATUS_FILE } from '../../../contract/ingestion-events';
import type { EfsDatasetStore, S3DatasetStore } from '../aws';
import { DATASET_PREFIX, manifestKey, pointerKey, tenantUploadPrefix, validateDatasetId, validateOwner, versionPrefix, type DatasetChannelRef } from '../catalog';
import type { IngestionLogger } from './commit-version';
import { describe } from './failure';
import { decideRetention, RetentionReason, type RetentionPolicy } from './retention';

/** What the retention job talks to. */
export interface RetentionServices {
  readonly s3: S3Client;
  readonly datasets: S3DatasetStore;
  readonly efs?: EfsDatasetStore;
  /** The upload bucket: deleting a dataset deletes its uploads too (every version). Without it they are kept. */
  readonly uploadBucket?: string;
  readonly logger: IngestionLogger;
  readonly now: () => Date;
  /** Time left in the invocation; the sweep stops early (the next run goes on) below a minute. */
  readonly remainingMs?: () => number;
}

export interface SweepReport {
  readonly channels: number;
  readonly removed: { readonly channel: string; readonly version: string }[];
  /** Channels left alone (a corrupt pointer: nothing is known to be safe to delete). */
  readonly skipped: string[];
  /** The sweep stopped early for lack of time. */
  readonly incomplete: boolean;
}

const STOP_BELOW_MS = 60_000;

/**
 * The scheduled retention sweep: for every channel below `datasets/<tenant>/<datasetId>/<channel>/`,
 * keeps the current version (the S3 pointer's and, on EFS, the file system's), the newest N
 * complete versions and every version younger than the policy's age, and deletes the rest from S3
 * — which FSx for Lustre's association removes from the file system too (auto-import DELETED) —
 * and from EFS. A version goes manifest first, so it stops counting as complete before its shards go.
 */
export async function sweepVersions(services: RetentionServices, policy: RetentionPolicy): Promise<SweepReport> {
  const removed: SweepReport['removed'][number][] = [];
  const skipped: string[] = [];
  let channels = 0;
  for (const ref of await listChannels(services)) {
    if (services.remainingMs && services.remainingMs() < STOP_BELOW_MS) {
      services.logger.warn('Retention sweep stopped for lack of time; the next run goes on', { channels, removed: removed.length });
      return { channels, removed, skipped, incomplete: true };
    }
    channels++;
    const name = `${ref.tenant}/${ref.datasetId}/${ref.channel}`;
    const current = new Set<string>();
    const pointer = await services.datasets.readPointer(ref);
    const efsPointer = services.efs ? await services.efs.readPointer(ref) : { state: 'absent' as const };
    if (pointer.state === 'corrupt' || efsPointer.state === 'corrupt') {
      services.logger.warn('Channel skipped: its pointer is corrupt, so no version is known to be safe to delete', { channel: name });
      skipped.push(name);
      continue;
    }
    if (pointer.state === 'valid') current.add(pointer.pointer.version);
    if (efsPointer.state === 'valid') current.add(efsPointer.pointer.version);

    const versions = await Promise.all((await listLevel(services, channelPrefixOf(ref))).prefixes.map(async (prefix) => {
      const version = lastSegment(prefix);
      return { version, complete: isVersionName(version) && (await services.datasets.exists(manifestKey(ref, version))) };
    }));
    const decision = decideRetention(versions, current, policy, services.now());
    for (const version of decision.remove) {
      await removeVersion(services, ref, version);
      removed.push({ channel: name, version });
    }
    if (decision.remove.length > 0) {
      services.logger.info('Old versions removed', { channel: name, removed: decision.remove, kept: decision.keep.filter((k) => k.reason !== RetentionReason.NEWEST) });
    }
  }
  return { channels, removed, skipped, incomplete: false };
}

/** What deleting a dataset removed. */
export interface DeletedDataset {
  readonly channels: string[];
  readonly versions: number;
  /** Object versions (and delete markers) of its uploads removed; 0 when the job has no upload bucket. */
  readonly uploads: number;
}

/**
 * Deletes a whole dataset: every channel's pointer first (S3, then EFS), so no launch resolves it
 * while its files go; then its uploads, every version of every kind below
 * `uploads/<tenant>/<datasetId>/` (a user who deletes a dataset expects the data they uploaded gone
 * too, and a conversion still reading an upload fails as "upload changed" instead of bringing the
 * dataset back); then every version of every channel (manifest first) and its conversion status.
 * Idempotent: run it again after a failure.
 */
export async function deleteDataset(services: RetentionServices, tenant: string, datasetId: string): Promise<DeletedDataset> {
  const datasetPrefix = `${DATASET_PREFIX}${validateOwner(tenant)}/${validateDatasetId(datasetId)}/`;
  const channels = (await listLevel(services, datasetPrefix)).prefixes.map(lastSegment);
  const refs: DatasetChannelRef[] = channels.map((channel) => ({ tenant, datasetId, channel }));
  for (const ref of refs) {
    await services.datasets.deleteKeys([pointerKey(ref)]);
    await services.efs?.removePointer(ref);
  }
  const uploads = services.uploadBucket ? await deleteAllVersions(services.s3, services.uploadBucket, `${tenantUploadPrefix(tenant)}${datasetId}/`) : 0;
  let versions = 0;
  for (const ref of refs) {
    for (const prefix of (await listLevel(services, channelPrefixOf(ref))).prefixes) {
      const version = lastSegment(prefix);
      if (isVersionName(version)) {
        await removeVersion(services, ref, version);
        versions++;
      }
    }
    await services.datasets.deletePrefix(channelPrefixOf(ref));
    await services.efs?.removeChannel(ref);
    services.logger.info('Dataset channel deleted', { tenant, datasetId, channel: ref.channel });
  }
  services.logger.info('Dataset deleted', { tenant, datasetId, channels, versions, uploads });
  return { channels, versions, uploads };
}

/** Deletes every object version and delete marker below `prefix` (a versioned bucket keeps deleted uploads otherwise). */
async function deleteAllVersions(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  let deleted = 0;
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
    const objects = [...page.Versions ?? [], ...page.DeleteMarkers ?? []].filter((o) => o.Key).map((o) => ({ Key: o.Key!, VersionId: o.VersionId }));
    if (objects.length > 0) {
      const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
      if (result.Errors && result.Errors.length > 0) {
        throw new Error(`could not delete ${result.Errors.length} upload object version(s) in s3://${bucket}/, e.g. ${result.Errors[0].Key}: ${result.Errors[0].Code}`);
      }
      deleted += objects.length;
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker !== undefined);
  return deleted;
}

async function removeVersion(services: RetentionServices, ref: DatasetChannelRef, version: string): Promise<void> {
  await services.datasets.deleteKeys([manifestKey(ref, version)]);
  await services.datasets.deletePrefix(versionPrefix(ref, version));
  try {
    await services.efs?.removeVersion(ref, version);
  } catch (error) {
    services.logger.warn('Could not remove the version from EFS; the next run tries again only if it is still in S3', { version, error: describe(error) });
    throw error;
  }
}

/** Every `datasets/<tenant>/<datasetId>/<channel>/` in the bucket. */
async function listChannels(services: RetentionServices): Promise<DatasetChannelRef[]> {
  const refs: DatasetChannelRef[] = [];
  for (const tenantPrefix of (await listLevel(services, DATASET_PREFIX)).prefixes) {
    for (const datasetPrefix of (await listLevel(services, tenantPrefix)).prefixes) {
      for (const channelPrefix of (await listLevel(services, datasetPrefix)).prefixes) {
        refs.push({ tenant: lastSegment(tenantPrefix), datasetId: lastSegment(datasetPrefix), channel: lastSegment(channelPrefix) });
      }
    }
  }
  return refs;
}

function channelPrefixOf(ref: DatasetChannelRef): string {
  return `${DATASET_PREFIX}${ref.tenant}/${ref.datasetId}/${ref.channel}/`;
}

function isVersionName(name: string): boolean {
  return /^v\d{8}T\d{6}(\d{3})?Z-[0-9a-f]{12}$/.test(name);
}

async function listLevel(services: RetentionServices, prefix: string): Promise<{ prefixes: string[]; keys: string[] }> {
  const prefixes: string[] = [];
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await services.s3.send(new ListObjectsV2Command({ Bucket: services.datasets.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }));
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) prefixes.push(p.Prefix);
    for (const o of page.Contents ?? []) if (o.Key && !o.Key.endsWith(`/${CONVERSION_STATUS_FILE}`)) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { prefixes, keys };
}

function lastSegment(prefix: string): string {
  const parts = prefix.replace(/\/$/, '').split('/');
  return parts[parts.length - 1];
}
