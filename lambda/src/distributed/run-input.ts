import { z } from 'zod';
import {
  DISTRIBUTED_SCHEMA_VERSION,
  type DistributedConversionInput,
  type DistributedRun,
  type FailureHandlerInput,
  type FinalizerInput,
  type WorkerInput,
} from '../../../contract/distributed-conversion';
import { parseUpload, uploadVersion, versionPrefix, type DatasetChannelRef, type UploadIdentity } from '../catalog';
import { WorkLayout } from './work-layout';

/**
 * Checks what reaches the Lambdas from the state machine. A malformed input is a bug in the
 * wiring, never the upload's fault: it fails loudly with the field named.
 */
const upload = z.object({
  bucket: z.string().min(1),
  key: z.string().min(1),
  versionId: z.string().optional(),
  etag: z.string().optional(),
  sequencer: z.string().optional(),
  eventTime: z.string().min(1),
  size: z.number().int().nonnegative().optional(),
});

const conversionInput = z.object({
  schemaVersion: z.literal(DISTRIBUTED_SCHEMA_VERSION),
  tenant: z.string().min(1).optional(),
  datasetId: z.string().min(1),
  channel: z.string().min(1),
  version: z.string().min(1),
  upload,
  attempt: z.number().int().positive(),
});

const run = z.object({ input: conversionInput, workPrefix: z.string().min(1), versionPrefix: z.string().min(1) });

const itemReference = z.object({
  item: z.number().int().nonnegative(),
  key: z.string().min(1),
  firstShard: z.number().int().nonnegative(),
  lastShard: z.number().int().nonnegative(),
  imageBytes: z.number().nonnegative(),
});

export class InvalidRunInputError extends Error {
  constructor(what: string, detail: string) {
    super(`Invalid ${what} input: ${detail}`);
    this.name = 'InvalidRunInputError';
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidRunInputError(what, z.prettifyError(parsed.error));
  return parsed.data;
}

/** The execution input, checked against the upload it names: the version is that upload's. */
export function parseConversionInput(value: unknown): { input: DistributedConversionInput; ref: DatasetChannelRef; layout: WorkLayout } {
  const input = parse(conversionInput, value, 'execution') as DistributedConversionInput;
  const { ref, kind } = parseUpload(input.upload.key);
  if (kind !== 'images') {
    throw new InvalidRunInputError('execution', `the upload ${input.upload.key} is of kind ${kind}; the distributed conversion converts images only (files and TFRecord uploads are kept by the single function)`);
  }
  if (ref.datasetId !== input.datasetId || ref.channel !== input.channel || (input.tenant !== undefined && ref.tenant !== input.tenant)) {
    throw new InvalidRunInputError('execution', `datasetId/channel ${input.datasetId}/${input.channel} do not match the upload key ${input.upload.key}`);
  }
  const expected = uploadVersion(input.upload);
  if (input.version !== expected) throw new InvalidRunInputError('execution', `version ${input.version} is not the upload's version ${expected}`);
  return { input, ref, layout: new WorkLayout(ref, input.version) };
}

/** The upload as the single function names it in pointers and events (its size travels separately). */
export function uploadIdentityOf(input: DistributedConversionInput): UploadIdentity {
  const u = input.upload;
  return {
    bucket: u.bucket,
    key: u.key,
    ...(u.versionId !== undefined ? { versionId: u.versionId } : {}),
    ...(u.etag !== undefined ? { etag: u.etag } : {}),
    ...(u.sequencer !== undefined ? { sequencer: u.sequencer } : {}),
    eventTime: u.eventTime,
  };
}

export function runOf(input: DistributedConversionInput, ref: DatasetChannelRef, layout: WorkLayout): DistributedRun {
  return { input, workPrefix: layout.prefix, versionPrefix: versionPrefix(ref, input.version) };
}

/** A run as passed between the steps; its prefixes must be the ones its input implies. */
function checkedRun(value: unknown, what: string): { run: DistributedRun; ref: DatasetChannelRef; layout: WorkLayout } {
  const parsedRun = parse(run, value, what) as DistributedRun;
  const { ref, layout } = parseConversionInput(parsedRun.input);
  const expected = runOf(parsedRun.input, ref, layout);
  if (parsedRun.workPrefix !== expected.workPrefix || parsedRun.versionPrefix !== expected.versionPrefix) {
    throw new InvalidRunInputError(what, `the run's prefixes ${parsedRun.workPrefix} / ${parsedRun.versionPrefix} do not match its input`);
  }
  return { run: expected, ref, layout };
}

export function parseWorkerInput(value: unknown): WorkerInput & { ref: DatasetChannelRef; layout: WorkLayout } {
  const raw = parse(z.object({ run: z.unknown(), item: itemReference, itemCount: z.number().int().positive().optional() }), value, 'worker');
  const { run: checked, ref, layout } = checkedRun(raw.run, 'worker');
  if (raw.item.key !== layout.itemKey(raw.item.item) || raw.item.lastShard < raw.item.firstShard) {
    throw new InvalidRunInputError('worker', `item ${raw.item.item} names ${raw.item.key} and shards ${raw.item.firstShard}..${raw.item.lastShard}`);
  }
  return { run: checked, item: raw.item, ...(raw.itemCount !== undefined ? { itemCount: raw.itemCount } : {}), ref, layout };
}

export function parseFinalizerInput(value: unknown): FinalizerInput & { ref: DatasetChannelRef; layout: WorkLayout } {
  const raw = parse(z.object({ run: z.unknown(), mapResult: z.object({ MapRunArn: z.string().optional(), ResultWriterDetails: z.object({ Bucket: z.string().optional(), Key: z.string().optional() }).optional() }).passthrough().optional() }), value, 'finalizer');
  const { run: checked, ref, layout } = checkedRun(raw.run, 'finalizer');
  return { run: checked, ...(raw.mapResult ? { mapResult: raw.mapResult } : {}), ref, layout };
}

export function parseFailureInput(value: unknown): FailureHandlerInput & { ref: DatasetChannelRef; layout: WorkLayout } {
  const raw = parse(z.object({ input: z.unknown(), error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional() }), value, 'failure handler');
  const { input, ref, layout } = parseConversionInput(raw.input);
  return { input, ...(raw.error ? { error: raw.error } : {}), ref, layout };
}
