import { DATASET_KINDS, DATASET_PREFIX, DatasetKeyError, manifestKey, parsePointer, pointerKey, uploadKey, versionPrefix, type DatasetKind } from '../catalog';
import { SHARED_AREA } from '../../../contract/tenant-directory';
import { DatasetChannelInputMode, DatasetChannelSplit, type LaunchRequestFieldError } from '../../../contract/launch-request';
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
  /** What the version holds (from its manifest; manifests written before kinds existed are images). */
  readonly kind: DatasetKind;
  /** TFRecord records in the version (from its manifest; 0 for files). */
  readonly records: number;
  /** Files kept as uploaded (kinds files and tfrecord; 0 for images). */
  readonly files: number;
  /** Records per part of a version converted with a validation split; null for a version without one. */
  readonly split: Readonly<Record<DatasetChannelSplit, number>> | null;
}

/**
 * The folder a channel reads below its version: the part it names, the training part of a split
 * version when it names none, nothing (the whole version) otherwise.
 */
export function channelPart(resolved: Pick<ResolvedDatasetChannel, 'split'>, requested: DatasetChannelSplit | undefined): DatasetChannelSplit | undefined {
  return requested ?? (resolved.split ? DatasetChannelSplit.TRAINING : undefined);
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
  const facts = manifestFacts(text);
  if (facts === undefined) {
    throw new DatasetResolutionError(`${name}: s3://${bucket}/${key} is not a dataset manifest.`);
  }
  if (facts.kind === 'files' ? facts.files === 0 : facts.records === 0) {
    const what = { images: 'records; upload a dataset with at least one image', tfrecord: 'records; upload TFRecord files with at least one record', files: 'files; upload a zip with at least one file' }[facts.kind];
    throw new DatasetResolutionError(`${name} version ${version} has no ${what}.`);
  }
  const prefix = versionPrefix(ref, version);
  return { ...ref, resolvedVersion: version, prefix, datasetPath: datasetPathOf(prefix), ...facts };
}

/** What the launcher reads of a manifest: its kind and how much it holds; undefined when it is not one. */
function manifestFacts(text: string): Pick<ResolvedDatasetChannel, 'kind' | 'records' | 'files' | 'split'> | undefined {
  let manifest: { manifestVersion?: unknown; kind?: unknown; records?: unknown; files?: unknown; split?: unknown };
  try {
    manifest = JSON.parse(text) as typeof manifest;
  } catch {
    return undefined;
  }
  const kind = manifest.kind ?? 'images';
  if (typeof manifest.manifestVersion !== 'number' || typeof manifest.records !== 'number' || !DATASET_KINDS.includes(kind as DatasetKind)) return undefined;
  return { kind: kind as DatasetKind, records: manifest.records, files: Array.isArray(manifest.files) ? manifest.files.length : 0, split: splitFacts(manifest.split) };
}

/** Records per part of a manifest's `split` (written by the converter: { training: { records }, validation: { records } }). */
function splitFacts(split: unknown): Record<DatasetChannelSplit, number> | null {
  const records = (part: unknown) => (typeof part === 'object' && part !== null && typeof (part as { records?: unknown }).records === 'number' ? (part as { records: number }).records : undefined);
  if (typeof split !== 'object' || split === null) return null;
  const training = records((split as Record<string, unknown>).training);
  const validation = records((split as Record<string, unknown>).validation);
  return training === undefined || validation === undefined ? null : { [DatasetChannelSplit.TRAINING]: training, [DatasetChannelSplit.VALIDATION]: validation };
}

/** Why a channel cannot read the part `split` of its resolved version, or undefined when it can. */
function splitProblem(resolved: ResolvedDatasetChannel, split: DatasetChannelSplit): string | undefined {
  const name = `dataset channel ${JSON.stringify(resolved.channel)} version ${resolved.resolvedVersion}`;
  if (!resolved.split) {
    return `${name} has no ${split} part: it was converted without a validation split (the ingestion's conversion.validationFraction, ` +
      'or convert --validation-fraction); leave out "split" to read the whole version';
  }
  if (resolved.split[split] === 0) {
    return `${name} has no ${split} images: no class had two or more images to split (a class of one image stays in training); upload more images per class`;
  }
  return undefined;
}

/** The resolved channels of a request, keyed by {@link datasetChannelKey}, or the field errors. */
export type DatasetResolution =
  | { readonly ok: true; readonly datasets: ReadonlyMap<string, ResolvedDatasetChannel> }
  | { readonly ok: false; readonly errors: readonly LaunchRequestFieldError[] };

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
  const errors: LaunchRequestFieldError[] = [];
  const channels = jobs.length > 0 ? jobs[0].spec.channels : {};
  for (const [name, channel] of Object.entries(channels)) {
    const problem = problems.get(datasetChannelKey(channelRequestOf(channel)));
    const resolved = datasets.get(datasetChannelKey(channelRequestOf(channel)));
    const partProblem = resolved && channel.split ? splitProblem(resolved, channel.split) : undefined;
    if (problem) {
      errors.push({ path: formatPath(['channels', name]), message: problem });
    } else if (partProblem) {
      errors.push({ path: formatPath(['channels', name, 'split']), message: partProblem });
    } else if (channel.inputMode === DatasetChannelInputMode.PIPE && datasets.get(datasetChannelKey(channelRequestOf(channel)))?.kind === 'files') {
      errors.push({
        path: formatPath(['channels', name, 'inputMode']),
        message: `dataset channel ${JSON.stringify(channel.datasetChannel)} holds files (kind files); Pipe mode streams every file of a channel as one stream, ` +
          'so the files could not be told apart: use File or FastFile',
      });
    }
  }
  return errors.length === 0 ? { ok: true, datasets } : { ok: false, errors };
}
