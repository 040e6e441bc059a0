import { SHARED_AREA, TENANT_NAME_PATTERN, TENANT_NAME_RULE } from './tenant-directory';

/**
 * The S3 key layout shared by the upload bucket, the converter and the training-job launcher. The
 * first segment below each prefix is the owner: a tenant's name, or `shared` for the platform's
 * own datasets (read-only to every tenant); file-system paths follow it (`…/datasets/<tenant>/…`).
 *
 *   uploads/<tenant>/<datasetId>/<channel>.zip                 what users upload: a zip of images (kind `images`)
 *   uploads/<tenant>/<datasetId>/<channel>.files.zip           a zip of files kept as they are (kind `files`)
 *   uploads/<tenant>/<datasetId>/<channel>.tfrecord            TFRecord data kept byte for byte (kind `tfrecord`):
 *                                                              one TFRecord file or a zip of them (told apart by content)
 *   uploads/<tenant>/<datasetId>/<channel>.tfrecord.zip        the same, named as the zip it is
 *   datasets/<tenant>/<datasetId>/<channel>/<version>/         one converted upload (shards, labels.txt, manifest.json)
 *   datasets/<tenant>/<datasetId>/<channel>/<version>/training/     with a validation split (images, `validationFraction`):
 *   datasets/<tenant>/<datasetId>/<channel>/<version>/validation/   the two parts' shards and labels.txt, one manifest.json above
 *   datasets/<tenant>/<datasetId>/<channel>/current.json       the pointer to the newest complete version
 *   jobs/<tenant>/<job name>/                                  a training job's model, output and checkpoints
 */
export const UPLOAD_PREFIX = 'uploads/';

/**
 * The parts of a version converted with a validation split: each a folder below the version
 * (`<version>/training/`, `<version>/validation/`) holding its shards and labels.txt. A version
 * without a split keeps its shards at its top level.
 */
export type DatasetSplit = 'training' | 'validation';
export const DATASET_SPLITS: readonly DatasetSplit[] = ['training', 'validation'];
/** The suffix of an `images` upload, and the last suffix of every zip upload. */
export const UPLOAD_SUFFIX = '.zip';

/**
 * What a channel holds, named by the upload key's suffix (channel names have no `.`, so the
 * suffix after the channel is unambiguous):
 * - `images`: a zip of images, converted to TFRecord shards of tf.train.Example records;
 * - `files`: a zip extracted as it is (checkpoints, configs, pretrained weights), each file at its zip path;
 * - `tfrecord`: TFRecord files, every record's CRCs verified, kept byte for byte.
 */
export type DatasetKind = 'images' | 'files' | 'tfrecord';
export const DATASET_KINDS: readonly DatasetKind[] = ['images', 'files', 'tfrecord'];
export const DEFAULT_DATASET_KIND: DatasetKind = 'images';

/** The suffix `uploadKey` gives each kind. */
const KIND_SUFFIX: Readonly<Record<DatasetKind, string>> = { images: '.zip', files: '.files.zip', tfrecord: '.tfrecord' };

/** Every suffix an upload key may end with, longest first (parse order), with its kind. */
const UPLOAD_FORMS: readonly (readonly [string, DatasetKind])[] = [
  ['.tfrecord.zip', 'tfrecord'],
  ['.files.zip', 'files'],
  ['.tfrecord', 'tfrecord'],
  ['.zip', 'images'],
];

/** Every last suffix an upload key may end with (what S3 notifications and EventBridge rules match). */
export const UPLOAD_KEY_SUFFIXES: readonly string[] = ['.zip', '.tfrecord'];
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

const UPLOAD_FORM = `${UPLOAD_PREFIX}<tenant>/<datasetId>/<channel>{.zip | .files.zip | .tfrecord | .tfrecord.zip}`;

/** An upload key read: the dataset channel it is for and the kind its suffix names. */
export interface ParsedUploadKey {
  readonly ref: DatasetChannelRef;
  readonly kind: DatasetKind;
}

/** Throws unless `kind` is one of {@link DATASET_KINDS}. */
export function validateDatasetKind(kind: string): DatasetKind {
  if (!(DATASET_KINDS as readonly string[]).includes(kind)) {
    throw new DatasetKeyError(`Invalid kind ${JSON.stringify(kind)}: it must be one of ${DATASET_KINDS.join(', ')}.`);
  }
  return kind as DatasetKind;
}

/** Reads an upload key (see the layout above); anything else is a DatasetKeyError naming the key. */
export function parseUpload(key: string): ParsedUploadKey {
  const form = key.startsWith(UPLOAD_PREFIX) ? UPLOAD_FORMS.find(([suffix]) => key.endsWith(suffix)) : undefined;
  if (!form) {
    throw new DatasetKeyError(`Upload key ${JSON.stringify(key)} is not of the form ${UPLOAD_FORM}.`);
  }
  const [suffix, kind] = form;
  const parts = key.slice(UPLOAD_PREFIX.length, -suffix.length).split('/');
  if (parts.length !== 3) {
    throw new DatasetKeyError(`Upload key ${JSON.stringify(key)} must have exactly two folders (the tenant and the dataset id) under ${UPLOAD_PREFIX}: ` +
      `${UPLOAD_FORM}.`);
  }
  const [tenant, datasetId, channel] = parts;
  try {
    return { ref: { tenant: validateOwner(tenant), datasetId: validateDatasetId(datasetId), channel: validateChannelName(channel) }, kind };
  } catch (error) {
    throw new DatasetKeyError(`Upload key ${JSON.stringify(key)}: ${(error as Error).message}`);
  }
}

/** The dataset channel of an upload key (see {@link parseUpload} for its kind too). */
export function parseUploadKey(key: string): DatasetChannelRef {
  return parseUpload(key).ref;
}

/** The key an upload of `kind` (default `images`) is put at: `uploads/<tenant>/<datasetId>/<channel><kind suffix>`. */
export function uploadKey(ref: DatasetChannelRef, kind: DatasetKind = DEFAULT_DATASET_KIND): string {
  return `${tenantUploadPrefix(ref.tenant)}${validateDatasetId(ref.datasetId)}/${validateChannelName(ref.channel)}${KIND_SUFFIX[validateDatasetKind(kind)]}`;
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
