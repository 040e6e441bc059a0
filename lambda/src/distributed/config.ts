import { z } from 'zod';
import { DEFAULT_INGESTION_EVENT_SOURCE, type IngestionConversionSettings } from '../../../contract/ingestion-events';
import { DISTRIBUTED_ENV } from '../../../contract/distributed-conversion';
import { parseConversionSettings } from '../ingestion/config';

/** What the distributed conversion's Lambdas read from their environment, checked at cold start. */
export interface DistributedConfig {
  readonly datasetBucket: string;
  readonly eventBusName: string;
  readonly eventSource: string;
  /** The same settings (same JSON) the ingestion function converts with. */
  readonly conversion: IngestionConversionSettings;
  /** Target uncompressed image bytes per work item. */
  readonly workItemBytes: number;
  readonly efs?: { readonly mountPath: string; readonly rootDirectory: string };
  /** The FSx for Lustre file system each version is imported onto before it becomes current. */
  readonly lustreFileSystemId?: string;
}

/** Default work per worker invocation: about 1 GiB of images (about 8 shards of 128 MiB). */
export const DEFAULT_WORK_ITEM_BYTES = 1024 ** 3;

const environment = z.object({
  [DISTRIBUTED_ENV.DATASET_BUCKET]: z.string().min(3),
  [DISTRIBUTED_ENV.EVENT_BUS_NAME]: z.string().min(1).default('default'),
  [DISTRIBUTED_ENV.EVENT_SOURCE]: z.string().min(1).default(DEFAULT_INGESTION_EVENT_SOURCE),
  [DISTRIBUTED_ENV.CONVERSION_OPTIONS]: z.string().default('{}'),
  [DISTRIBUTED_ENV.WORK_ITEM_BYTES]: z.coerce.number().int().positive().default(DEFAULT_WORK_ITEM_BYTES),
  [DISTRIBUTED_ENV.EFS_MOUNT_PATH]: z.string().startsWith('/mnt/').optional(),
  [DISTRIBUTED_ENV.EFS_ROOT_DIRECTORY]: z.string().startsWith('/').optional(),
  [DISTRIBUTED_ENV.LUSTRE_FILE_SYSTEM_ID]: z.string().regex(/^fs-[0-9a-f]{8,}$/).optional(),
});

export function readDistributedConfig(env: NodeJS.ProcessEnv, functionName = 'distributed conversion'): DistributedConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success) throw new Error(`The ${functionName} function is misconfigured: ${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  const mountPath = e[DISTRIBUTED_ENV.EFS_MOUNT_PATH];
  return {
    datasetBucket: e[DISTRIBUTED_ENV.DATASET_BUCKET],
    eventBusName: e[DISTRIBUTED_ENV.EVENT_BUS_NAME],
    eventSource: e[DISTRIBUTED_ENV.EVENT_SOURCE],
    conversion: parseConversionSettings(e[DISTRIBUTED_ENV.CONVERSION_OPTIONS], functionName),
    workItemBytes: e[DISTRIBUTED_ENV.WORK_ITEM_BYTES],
    ...(mountPath ? { efs: { mountPath, rootDirectory: e[DISTRIBUTED_ENV.EFS_ROOT_DIRECTORY] ?? '/' } } : {}),
    ...(e[DISTRIBUTED_ENV.LUSTRE_FILE_SYSTEM_ID] ? { lustreFileSystemId: e[DISTRIBUTED_ENV.LUSTRE_FILE_SYSTEM_ID] } : {}),
  };
}
