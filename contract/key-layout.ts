import { SHARED_AREA, TENANT_NAME_PATTERN, TENANT_NAME_RULE } from './tenant-directory';

/**
 * The S3 key layout shared by the upload bucket, the converter and the training-job launcher. The
 * first segment below each prefix is the owner: a tenant's name, or `shared` for the platform's
 * own datasets (read-only to every tenant); file-system paths follow it (`…/datasets/<tenant>/…`).
 *
 *   uploads/<tenant>/<datasetId>/<channel>.zip                 what users upload
 *   datasets/<tenant>/<datasetId>/<channel>/<version>/         one converted upload (shards, labels.txt, manifest.json)
 *   datasets/<tenant>/<datasetId>/<channel>/current.json       the pointer to the newest complete version
 *   jobs/<tenant>/<job name>/                                  a training job's model, output and checkpoints
 */
export const UPLOAD_PREFIX = 'uploads/';
export const UPLOAD_SUFFIX = '.zip';
export const DATASET_PREFIX = 'datasets/';
export const JOBS_PREFIX = 'jobs/';
export const POINTER_FILE = 'current.json';
export const MANIFEST_FILE = 'manifest.json';
export const LABELS_FILE = 'labels.txt';

/** Dataset ids and channel names: a letter or digit, then letters, digits, `-` or `_`; at most 64 characters. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const NAME_RULE = 'a letter or digit followed by up to 63 letters, digits, "-" or "_"';

/** A key or name that breaks the layout. */
export class DatasetKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetKeyError';
  }
}

/** Which dataset channel an upload is for. */
export interface DatasetChannelRef {
  /** The owner: a tenant's name, or `shared` (the platform's datasets). */
  readonly tenant: string;
  readonly datasetId: string;
  readonly channel: string;
}

/** Validates an owner segment: a tenant name or `shared`. */
export function validateOwner(owner: string): string {
  if (owner !== SHARED_AREA && !TENANT_NAME_PATTERN.test(owner)) {
    throw new DatasetKeyError(`Invalid tenant ${JSON.stringify(owner)}: it must be ${TENANT_NAME_RULE}, or "${SHARED_AREA}" for the platform's datasets.`);
  }
  return owner;
}

/** `uploads/<tenant>/`: everything one tenant uploads. */
export function tenantUploadPrefix(owner: string): string {
  return `${UPLOAD_PREFIX}${validateOwner(owner)}/`;
}

/** `datasets/<tenant>/`: every dataset one tenant owns (`datasets/shared/` for the platform's). */
export function tenantDatasetPrefix(owner: string): string {
  return `${DATASET_PREFIX}${validateOwner(owner)}/`;
}

/** `jobs/<tenant>/`: the artifacts of one tenant's training jobs (SageMaker appends `<job name>/`). */
export function tenantJobsPrefix(owner: string): string {
  return `${JOBS_PREFIX}${validateOwner(owner)}/`;
}

export function validateDatasetId(datasetId: string): string {
  return validateName('dataset id', datasetId);
}

export function validateChannelName(channel: string): string {
  return validateName('channel', channel);
}

function validateName(what: string, value: string): string {
  if (!NAME.test(value)) {
    throw new DatasetKeyError(`Invalid ${what} ${JSON.stringify(value)}: it must be ${NAME_RULE}.`);
  }
  return value;
}

const UPLOAD_FORM = `${UPLOAD_PREFIX}<tenant>/<datasetId>/<channel>${UPLOAD_SUFFIX}`;

/** Reads `uploads/<tenant>/<datasetId>/<channel>.zip`; anything else is a DatasetKeyError naming the key. */
export function parseUploadKey(key: string): DatasetChannelRef {
  if (!key.startsWith(UPLOAD_PREFIX) || !key.endsWith(UPLOAD_SUFFIX)) {
    throw new DatasetKeyError(`Upload key ${JSON.stringify(key)} is not of the form ${UPLOAD_FORM}.`);
  }
  const parts = key.slice(UPLOAD_PREFIX.length, -UPLOAD_SUFFIX.length).split('/');
  if (parts.length !== 3) {
    throw new DatasetKeyError(`Upload key ${JSON.stringify(key)} must have exactly two folders (the tenant and the dataset id) under ${UPLOAD_PREFIX}: ` +
      `${UPLOAD_FORM}.`);
  }
  const [tenant, datasetId, channel] = parts;
  try {
    return { tenant: validateOwner(tenant), datasetId: validateDatasetId(datasetId), channel: validateChannelName(channel) };
  } catch (error) {
    throw new DatasetKeyError(`Upload key ${JSON.stringify(key)}: ${(error as Error).message}`);
  }
}

export function uploadKey(ref: DatasetChannelRef): string {
  return `${tenantUploadPrefix(ref.tenant)}${validateDatasetId(ref.datasetId)}/${validateChannelName(ref.channel)}${UPLOAD_SUFFIX}`;
}

/** `datasets/<tenant>/<datasetId>/<channel>/`, the folder of every version of one channel. */
export function channelPrefix(ref: DatasetChannelRef): string {
  return `${tenantDatasetPrefix(ref.tenant)}${validateDatasetId(ref.datasetId)}/${validateChannelName(ref.channel)}/`;
}

/** `datasets/<tenant>/<datasetId>/<channel>/<version>/`. */
export function versionPrefix(ref: DatasetChannelRef, version: string): string {
  return `${channelPrefix(ref)}${validateVersion(version)}/`;
}

export function pointerKey(ref: DatasetChannelRef): string {
  return `${channelPrefix(ref)}${POINTER_FILE}`;
}

export function manifestKey(ref: DatasetChannelRef, version: string): string {
  return `${versionPrefix(ref, version)}${MANIFEST_FILE}`;
}

const VERSION = /^v\d{8}T\d{6}(\d{3})?Z-[0-9a-f]{12}$/;

function validateVersion(version: string): string {
  if (!VERSION.test(version)) {
    throw new DatasetKeyError(`Invalid dataset version ${JSON.stringify(version)}: versions look like v20261122T115526Z-0123456789ab.`);
  }
  return version;
}
