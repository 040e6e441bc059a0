import { DATASET_PREFIX, DatasetKeyError, manifestKey, parsePointer, pointerKey, uploadKey, versionPrefix } from '../catalog';
import { SHARED_AREA } from '../../../contract/tenant-directory';
import type { FieldError } from '../../../contract/launch-request';
import { formatPath } from './field-errors';
import { DatasetChannelRequest, PlannedJob, channelRequestOf, datasetChannelKey, datasetChannelsOf } from './job-plan';

/** Reads small objects; `undefined` when the object does not exist. */
export interface ObjectReader {
  readText(bucket: string, key: string): Promise<string | undefined>;
}

/** A dataset channel pinned to one complete version. */
export interface ResolvedDatasetChannel extends DatasetChannelRequest {
  /** The version the jobs read. */
  readonly resolvedVersion: string;
  /** `datasets/<owner>/<datasetId>/<channel>/<version>/` in the dataset bucket. */
  readonly prefix: string;
  /** The version's directory below the file system's dataset root: `<owner>/<datasetId>/<channel>/<version>`. */
  readonly datasetPath: string;
  /** Records in the version (from its manifest). */
  readonly records: number;
}

/** Why a dataset channel cannot be used. */
export class DatasetResolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetResolutionError';
  }
}

/** The directory of a version below the dataset root, as the file system lays it out. */
export function datasetPathOf(prefix: string): string {
  if (!prefix.startsWith(DATASET_PREFIX)) {
    throw new DatasetKeyError(`${prefix} is not below ${DATASET_PREFIX}`);
  }
  return prefix.slice(DATASET_PREFIX.length).replace(/\/+$/, '');
}

/**
 * Pins one dataset channel: reads `current.json` (unless the request pinned a version) and the
 * version's `manifest.json`, whose presence marks a complete conversion. Throws
 * {@link DatasetResolutionError} with a message for the caller when the channel was never
 * converted, the pinned version does not exist, or the version is empty.
 */
export async function resolveDatasetChannel(reader: ObjectReader, bucket: string, ref: DatasetChannelRequest): Promise<ResolvedDatasetChannel> {
  const name = `dataset ${JSON.stringify(ref.datasetId)}${ref.tenant === SHARED_AREA ? ' (shared)' : ''} channel ${JSON.stringify(ref.channel)}`;
  let version = ref.version;
  if (version === null) {
    const key = pointerKey(ref);
    const text = await reader.readText(bucket, key);
    if (text === undefined) {
      throw new DatasetResolutionError(`${name} has no converted version (no s3://${bucket}/${key}): it was never uploaded, ` +
        `or its conversion failed or has not finished. Upload ${uploadKey(ref)} and wait for the DatasetConverted event ` +
        '(a DatasetConversionFailed event says why a conversion failed).');
    }
    try {
      version = parsePointer(text, `s3://${bucket}/${key}`).version;
    } catch (error) {
      throw new DatasetResolutionError(`${name}: ${(error as Error).message}`);
    }
  }
  const key = manifestKey(ref, version);
  const text = await reader.readText(bucket, key);
  if (text === undefined) {
    throw new DatasetResolutionError(ref.version === null
      ? `${name}: current.json points at version ${version}, but its manifest s3://${bucket}/${key} is missing; the dataset is being replaced or was deleted. Retry shortly, or re-upload it.`
      : `${name} has no complete version ${version} (no s3://${bucket}/${key}); leave out "version" to use the current one.`);
  }
  const records = manifestRecords(text);
  if (records === undefined) {
    throw new DatasetResolutionError(`${name}: s3://${bucket}/${key} is not a dataset manifest.`);
  }
  if (records === 0) {
    throw new DatasetResolutionError(`${name} version ${version} has no records; upload a dataset with at least one image.`);
  }
  const prefix = versionPrefix(ref, version);
  return { ...ref, resolvedVersion: version, prefix, datasetPath: datasetPathOf(prefix), records };
}

function manifestRecords(text: string): number | undefined {
  try {
    const manifest = JSON.parse(text) as { manifestVersion?: unknown; records?: unknown };
    return typeof manifest.manifestVersion === 'number' && typeof manifest.records === 'number' ? manifest.records : undefined;
  } catch {
    return undefined;
  }
}

/** The resolved channels of a request, keyed by {@link datasetChannelKey}, or the field errors. */
export type DatasetResolution =
  | { readonly ok: true; readonly datasets: ReadonlyMap<string, ResolvedDatasetChannel> }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

/**
 * Resolves every dataset channel the jobs read (each once, in parallel). A problem is reported on
 * each request channel that reads the dataset channel (`channels.training`). Errors other than
 * {@link DatasetResolutionError} (S3 unreachable, access denied) propagate.
 */
export async function resolveDatasets(reader: ObjectReader, bucket: string, jobs: readonly PlannedJob[]): Promise<DatasetResolution> {
  const refs = datasetChannelsOf(jobs);
  const outcomes = await Promise.all(refs.map(async (ref) => {
    try {
      return { ref, resolved: await resolveDatasetChannel(reader, bucket, ref) };
    } catch (error) {
      if (error instanceof DatasetResolutionError) {
        return { ref, problem: error.message };
      }
      throw error;
    }
  }));
  const datasets = new Map<string, ResolvedDatasetChannel>();
  const problems = new Map<string, string>();
  for (const outcome of outcomes) {
    if (outcome.resolved) {
      datasets.set(datasetChannelKey(outcome.ref), outcome.resolved);
    } else {
      problems.set(datasetChannelKey(outcome.ref), outcome.problem!);
    }
  }
  if (problems.size === 0) {
    return { ok: true, datasets };
  }
  const errors: FieldError[] = [];
  const channels = jobs.length > 0 ? jobs[0].spec.channels : {};
  for (const [name, channel] of Object.entries(channels)) {
    const problem = problems.get(datasetChannelKey(channelRequestOf(channel)));
    if (problem) {
      errors.push({ path: formatPath(['channels', name]), message: problem });
    }
  }
  return { ok: false, errors };
}
