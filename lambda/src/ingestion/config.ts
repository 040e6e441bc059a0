import { z } from 'zod';
import { DEFAULT_INGESTION_EVENT_SOURCE, DEFAULT_MAX_UPLOAD_BYTES, INGESTION_ENV, type IngestionConversionSettings } from '../../../contract/ingestion-events';
import type { DatasetChannelRef } from '../catalog';
import { isValidationFraction, VALIDATION_FRACTION_RULE, type ConversionOptions, type DatasetKind } from '../dataset';
import { indexBudgetForMemory } from '../zip';
import type { IngestionSettings } from './ingest-upload';

/** Everything the handler reads from its environment, checked once at cold start. */
export interface HandlerConfig extends IngestionSettings {
  readonly eventBusName: string;
  readonly eventSource: string;
  readonly efs?: { readonly mountPath: string; readonly rootDirectory: string };
  /** The distributed conversion's state machine: uploads too large for one function are handed to it. */
  readonly distributedStateMachineArn?: string;
  /** Its backlog queue: hand-offs wait there until the dispatcher starts them (at most N at once). */
  readonly distributedBacklogQueueUrl?: string;
  /** The dispatcher the ingestion function nudges after queueing a conversion. */
  readonly distributedDispatcherFunction?: string;
  /** The FSx for Lustre file system each version is imported onto before it becomes current. */
  readonly lustreFileSystemId?: string;
}

const positiveInt = z.coerce.number().int().positive();

const conversionSettings = z.object({
  targetShardBytes: z.number().int().positive().optional(),
  maxRejectedFraction: z.number().min(0).max(1).optional(),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  shuffleBlockBytes: z.number().int().min(0).optional(),
  maxImagePixels: z.number().int().positive().optional(),
  validationFraction: z.number().refine(isValidationFraction, `validationFraction must be ${VALIDATION_FRACTION_RULE}`).optional(),
}).strict();

const environment = z.object({
  [INGESTION_ENV.DATASET_BUCKET]: z.string().min(3),
  [INGESTION_ENV.EVENT_BUS_NAME]: z.string().min(1).default('default'),
  [INGESTION_ENV.EVENT_SOURCE]: z.string().min(1).default(DEFAULT_INGESTION_EVENT_SOURCE),
  [INGESTION_ENV.MAX_RECEIVE_COUNT]: positiveInt.default(5),
  [INGESTION_ENV.SINGLE_FUNCTION_MAX_BYTES]: positiveInt.default(10 * 1024 ** 3),
  [INGESTION_ENV.ESTIMATED_BYTES_PER_SECOND]: positiveInt.default(32 * 1024 ** 2),
  [INGESTION_ENV.MAX_UPLOAD_BYTES]: positiveInt.default(DEFAULT_MAX_UPLOAD_BYTES),
  [INGESTION_ENV.CONVERSION_OPTIONS]: z.string().default('{}'),
  [INGESTION_ENV.EFS_MOUNT_PATH]: z.string().startsWith('/mnt/').optional(),
  [INGESTION_ENV.EFS_ROOT_DIRECTORY]: z.string().startsWith('/').optional(),
  [INGESTION_ENV.DISTRIBUTED_STATE_MACHINE_ARN]: z.string().startsWith('arn:').optional(),
  [INGESTION_ENV.DISTRIBUTED_BACKLOG_QUEUE_URL]: z.string().startsWith('http').optional(),
  [INGESTION_ENV.DISTRIBUTED_DISPATCHER_FUNCTION]: z.string().min(1).optional(),
  [INGESTION_ENV.LUSTRE_FILE_SYSTEM_ID]: z.string().regex(/^fs-[0-9a-f]{8,}$/).optional(),
});

/** Reads and checks the environment; a misconfigured function fails at cold start with the variable named. */
export function readHandlerConfig(env: NodeJS.ProcessEnv): HandlerConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success) {
    throw new Error(`The ingestion function is misconfigured: ${z.prettifyError(parsed.error)}`);
  }
  const e = parsed.data;
  const conversion = parseConversionSettings(e[INGESTION_ENV.CONVERSION_OPTIONS], 'ingestion');
  const mountPath = e[INGESTION_ENV.EFS_MOUNT_PATH];
  const stateMachineArn = e[INGESTION_ENV.DISTRIBUTED_STATE_MACHINE_ARN];
  return {
    datasetBucket: e[INGESTION_ENV.DATASET_BUCKET],
    eventBusName: e[INGESTION_ENV.EVENT_BUS_NAME],
    eventSource: e[INGESTION_ENV.EVENT_SOURCE],
    maxReceiveCount: e[INGESTION_ENV.MAX_RECEIVE_COUNT],
    singleFunctionMaxBytes: e[INGESTION_ENV.SINGLE_FUNCTION_MAX_BYTES],
    estimatedBytesPerSecond: e[INGESTION_ENV.ESTIMATED_BYTES_PER_SECOND],
    maxUploadBytes: e[INGESTION_ENV.MAX_UPLOAD_BYTES],
    conversion,
    ...(mountPath ? { efs: { mountPath, rootDirectory: e[INGESTION_ENV.EFS_ROOT_DIRECTORY] ?? '/' } } : {}),
    ...(stateMachineArn ? { distributedStateMachineArn: stateMachineArn } : {}),
    ...(e[INGESTION_ENV.DISTRIBUTED_BACKLOG_QUEUE_URL] ? { distributedBacklogQueueUrl: e[INGESTION_ENV.DISTRIBUTED_BACKLOG_QUEUE_URL] } : {}),
    ...(e[INGESTION_ENV.DISTRIBUTED_DISPATCHER_FUNCTION] ? { distributedDispatcherFunction: e[INGESTION_ENV.DISTRIBUTED_DISPATCHER_FUNCTION] } : {}),
    ...(e[INGESTION_ENV.LUSTRE_FILE_SYSTEM_ID] ? { lustreFileSystemId: e[INGESTION_ENV.LUSTRE_FILE_SYSTEM_ID] } : {}),
  };
}

/**
 * The conversion settings in `CONVERSION_OPTIONS` (JSON), checked; the ingestion function and the
 * distributed conversion's planner read the same JSON, so both convert with the same options.
 */
export function parseConversionSettings(json: string, functionName: string): IngestionConversionSettings {
  try {
    return conversionSettings.parse(JSON.parse(json));
  } catch (error) {
    throw new Error(`The ${functionName} function is misconfigured: ${INGESTION_ENV.CONVERSION_OPTIONS} is not valid: ${(error as Error).message}`);
  }
}

/**
 * The converter options for one upload of `kind`: the settings, with the channel from the upload
 * key and, in a Lambda function, the central-directory budget of its memory (a zip whose directory
 * cannot fit is refused before it is parsed instead of crashing the function). The validation
 * split applies to images only: a files or tfrecord upload of the same platform is kept unsplit.
 */
export function conversionOptions(settings: IngestionConversionSettings, ref: DatasetChannelRef, kind: DatasetKind = 'images', env: NodeJS.ProcessEnv = process.env): ConversionOptions {
  const memoryMiB = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  const { validationFraction, ...rest } = settings;
  return {
    ...rest,
    kind,
    channel: ref.channel,
    ...(validationFraction !== undefined && kind === 'images' ? { validationFraction } : {}),
    ...(memoryMiB > 0 ? { limits: { maxIndexBytes: indexBudgetForMemory(memoryMiB) } } : {}),
  };
}
