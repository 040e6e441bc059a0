import { CONVERSION_STATUS_FILE, ConversionState, type ConversionStatusDocument } from '../../../contract/ingestion-events';
import { DatasetKeyError, MANIFEST_FILE, parseUpload, POINTER_FILE, tenantDatasetPrefix, tenantUploadPrefix } from '../catalog';
import { mapConcurrent } from '../launcher/launch';
import type { ApiConfig } from './config';
import type { ChannelSummary, DatasetSummary, DatasetVersionSummary, ListDatasetsResponse } from '../../../contract/platform-api';
import type { ObjectStore, StoredObject } from './ports';

/** What S3 says about one channel: its newest upload, its versions and its pointer. */
export interface ChannelFacts {
  readonly datasetId: string;
  readonly channel: string;
  readonly upload?: StoredObject;
  /** The version folder names, with whether each has its manifest. */
  readonly versions: { readonly version: string; readonly complete: boolean }[];
  /** The pointer's version and the time of the upload it was converted from. */
  readonly pointer?: { readonly version: string; readonly uploadTime?: string; readonly uploadEtag?: string };
  /** What the converters recorded about the newest conversion (`conversion-status.json`). */
  readonly conversion?: ConversionStatusDocument;
}

/**
 * A channel's status from its facts: `ready` when the pointer names a version converted from the
 * newest upload (or there is no newer upload), `converting` while a newer upload has no version yet,
 * `failed` when the converters recorded that the newest upload failed. What the converters recorded
 * about the newest upload (`conversion-status.json`) adds the progress or the failure's reason.
 */
export function channelSummary(facts: ChannelFacts): ChannelSummary {
  const versions: DatasetVersionSummary[] = facts.versions
    .map((entry) => ({ version: entry.version, complete: entry.complete, current: entry.version === facts.pointer?.version }))
    .sort((a, b) => b.version.localeCompare(a.version));
  const upload = facts.upload;
  const convertedNewest = facts.pointer !== undefined && (upload === undefined || isConvertedFrom(facts.pointer, upload));
  // The recorded conversion counts only when it is about the newest upload (an older one's is stale).
  const conversion = facts.conversion && (upload === undefined || isConvertedFrom({ version: facts.conversion.version, uploadTime: facts.conversion.upload.eventTime, uploadEtag: facts.conversion.upload.etag }, upload))
    ? facts.conversion : undefined;
  const failed = !convertedNewest && conversion?.state === ConversionState.FAILED;
  const converting = !convertedNewest && !failed;
  return {
    channel: facts.channel,
    status: convertedNewest ? 'ready' : failed ? 'failed' : 'converting',
    ...(failed ? { reason: failureReason(conversion) } : {}),
    ...(converting && conversion?.progress !== undefined ? { progress: conversion.progress } : {}),
    ...(converting && conversion?.state === ConversionState.QUEUED ? { reason: 'queued: waiting for a free distributed conversion slot' } : {}),
    ...(converting && conversion?.state === ConversionState.IMPORTING ? { reason: 'importing onto the file system' } : {}),
    ...(facts.pointer ? { currentVersion: facts.pointer.version } : {}),
    versions,
    ...(upload ? { upload: { size: upload.size, uploadedAt: upload.lastModified } } : {}),
  };
}

function failureReason(conversion: ConversionStatusDocument): string {
  const head = [conversion.reason, conversion.code ? `(${conversion.code})` : undefined].filter(Boolean).join(' ');
  return conversion.message ? `${head}: ${conversion.message}` : head || 'the conversion failed';
}

function isConvertedFrom(pointer: NonNullable<ChannelFacts['pointer']>, upload: StoredObject): boolean {
  if (pointer.uploadEtag && upload.etag) {
    return pointer.uploadEtag.replace(/"/g, '') === upload.etag.replace(/"/g, '');
  }
  // No ETag to compare: the pointer's upload is at least as new as the object (S3 times have second precision).
  return pointer.uploadTime !== undefined && Date.parse(pointer.uploadTime) + 1000 >= Date.parse(upload.lastModified);
}

/** Lists a tenant's datasets with their channels, versions and status, from S3 alone. */
export class DatasetOperations {
  constructor(
    private readonly config: ApiConfig,
    private readonly store: ObjectStore,
  ) {}

  async list(tenant: string): Promise<ListDatasetsResponse> {
    const facts = new Map<string, { datasetId: string; channel: string; upload?: StoredObject; channelPrefix?: string }>();
    const entry = (datasetId: string, channel: string) => {
      const id = `${datasetId}/${channel}`;
      if (!facts.has(id)) facts.set(id, { datasetId, channel });
      return facts.get(id)!;
    };

    const uploadRoot = tenantUploadPrefix(tenant);
    const uploadDatasets = (await this.store.listLevel(this.config.uploadBucket, uploadRoot)).prefixes;
    await mapConcurrent(uploadDatasets, 8, async (datasetPrefix) => {
      const datasetId = lastSegment(datasetPrefix);
      for (const object of (await this.store.listLevel(this.config.uploadBucket, datasetPrefix)).objects) {
        const channel = uploadChannelOf(object.key);
        if (channel !== undefined) entry(datasetId, channel).upload = object;
      }
    });

    const datasetRoot = tenantDatasetPrefix(tenant);
    const datasetPrefixes = (await this.store.listLevel(this.config.datasetBucket, datasetRoot)).prefixes;
    await mapConcurrent(datasetPrefixes, 8, async (datasetPrefix) => {
      for (const channelPrefix of (await this.store.listLevel(this.config.datasetBucket, datasetPrefix)).prefixes) {
        entry(lastSegment(datasetPrefix), lastSegment(channelPrefix)).channelPrefix = channelPrefix;
      }
    });

    const channels = await mapConcurrent([...facts.values()], 8, async (channel) => channelSummary({
      datasetId: channel.datasetId,
      channel: channel.channel,
      upload: channel.upload,
      ...(channel.channelPrefix ? await this.versionFacts(channel.channelPrefix) : { versions: [] }),
    }));
    const datasets = new Map<string, DatasetSummary>();
    [...facts.values()].forEach((channel, index) => {
      const dataset = datasets.get(channel.datasetId) ?? { datasetId: channel.datasetId, channels: [] };
      dataset.channels.push(channels[index]);
      datasets.set(channel.datasetId, dataset);
    });
    const sorted = [...datasets.values()].sort((a, b) => a.datasetId.localeCompare(b.datasetId));
    sorted.forEach((dataset) => dataset.channels.sort((a, b) => a.channel.localeCompare(b.channel)));
    return { tenant, datasets: sorted };
  }

  private async versionFacts(channelPrefix: string): Promise<Pick<ChannelFacts, 'versions' | 'pointer' | 'conversion'>> {
    const level = await this.store.listLevel(this.config.datasetBucket, channelPrefix);
    const versions = await mapConcurrent(level.prefixes, 8, async (versionPrefix) => ({
      version: lastSegment(versionPrefix),
      complete: (await this.store.head(this.config.datasetBucket, `${versionPrefix}${MANIFEST_FILE}`)) !== undefined,
    }));
    const pointerText = level.objects.some((object) => object.key === `${channelPrefix}${POINTER_FILE}`)
      ? await this.store.readText(this.config.datasetBucket, `${channelPrefix}${POINTER_FILE}`) : undefined;
    const pointer = pointerText === undefined ? undefined : parsePointerFacts(pointerText);
    const statusText = level.objects.some((object) => object.key === `${channelPrefix}${CONVERSION_STATUS_FILE}`)
      ? await this.store.readText(this.config.datasetBucket, `${channelPrefix}${CONVERSION_STATUS_FILE}`) : undefined;
    const conversion = statusText === undefined ? undefined : parseConversionStatus(statusText);
    return { versions, ...(pointer ? { pointer } : {}), ...(conversion ? { conversion } : {}) };
  }
}

function parsePointerFacts(text: string): ChannelFacts['pointer'] {
  try {
    const value = JSON.parse(text) as { version?: unknown; source?: { eventTime?: unknown; etag?: unknown } };
    if (typeof value.version !== 'string') return undefined;
    return {
      version: value.version,
      ...(typeof value.source?.eventTime === 'string' ? { uploadTime: value.source.eventTime } : {}),
      ...(typeof value.source?.etag === 'string' ? { uploadEtag: value.source.etag } : {}),
    };
  } catch {
    return undefined;
  }
}

function parseConversionStatus(text: string): ConversionStatusDocument | undefined {
  try {
    const value = JSON.parse(text) as Partial<ConversionStatusDocument>;
    const states: string[] = Object.values(ConversionState);
    if (typeof value.version !== 'string' || typeof value.state !== 'string' || !states.includes(value.state)) return undefined;
    if (typeof value.upload !== 'object' || value.upload === null || typeof value.upload.eventTime !== 'string') return undefined;
    return value as ConversionStatusDocument;
  } catch {
    return undefined;
  }
}

/** `datasets/t/ds/` → `ds` */
function lastSegment(prefix: string): string {
  const parts = prefix.replace(/\/$/, '').split('/');
  return parts[parts.length - 1];
}

/** The channel an upload key is for (whatever its kind), or undefined for a key outside the layout. */
function uploadChannelOf(key: string): string | undefined {
  try {
    return parseUpload(key).ref.channel;
  } catch (error) {
    if (error instanceof DatasetKeyError) return undefined;
    throw error;
  }
}
