import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { CONVERSION_STATUS_FILE } from '../../../contract/ingestion-events';
import type { EfsDatasetStore, S3DatasetStore } from '../aws';
import { DATASET_PREFIX, manifestKey, pointerKey, validateDatasetId, validateOwner, versionPrefix, type DatasetChannelRef } from '../catalog';
import type { IngestionLogger } from './commit-version';
import { describe } from './failure';
import { decideRetention, RetentionReason, type RetentionPolicy } from './retention';

/** What the retention job talks to. */
export interface RetentionServices {
  readonly s3: S3Client;
  readonly datasets: S3DatasetStore;
  readonly efs?: EfsDatasetStore;
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

/**
 * Deletes a whole dataset: for each channel its pointer first (S3, then EFS), so no launch
 * resolves it while its files go; then every version (manifest first), then its conversion status.
 */
export async function deleteDataset(services: RetentionServices, tenant: string, datasetId: string): Promise<{ channels: string[]; versions: number }> {
  const datasetPrefix = `${DATASET_PREFIX}${validateOwner(tenant)}/${validateDatasetId(datasetId)}/`;
  const channels = (await listLevel(services, datasetPrefix)).prefixes.map(lastSegment);
  let versions = 0;
  for (const channel of channels) {
    const ref: DatasetChannelRef = { tenant, datasetId, channel };
    await services.datasets.deleteKeys([pointerKey(ref)]);
    await services.efs?.removePointer(ref);
    for (const prefix of (await listLevel(services, channelPrefixOf(ref))).prefixes) {
      const version = lastSegment(prefix);
      if (isVersionName(version)) {
        await removeVersion(services, ref, version);
        versions++;
      }
    }
    await services.datasets.deletePrefix(channelPrefixOf(ref));
    await services.efs?.removeChannel(ref);
    services.logger.info('Dataset channel deleted', { tenant, datasetId, channel });
  }
  return { channels, versions };
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
