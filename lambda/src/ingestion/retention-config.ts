import { z } from 'zod';
import { INGESTION_ENV } from '../../../contract/ingestion-events';
import { DEFAULT_INCOMPLETE_GRACE_MS, type RetentionPolicy } from './retention';

/** What the retention function reads from its environment, checked at cold start. */
export interface RetentionConfig {
  readonly datasetBucket: string;
  /** Deleting a dataset deletes its uploads in this bucket too. */
  readonly uploadBucket?: string;
  readonly policy: RetentionPolicy;
  readonly efs?: { readonly mountPath: string; readonly rootDirectory: string };
}

const environment = z.object({
  [INGESTION_ENV.DATASET_BUCKET]: z.string().min(3),
  [INGESTION_ENV.UPLOAD_BUCKET]: z.string().min(3).optional(),
  [INGESTION_ENV.RETENTION_KEEP_VERSIONS]: z.coerce.number().int().min(1).default(5),
  [INGESTION_ENV.RETENTION_KEEP_YOUNGER_THAN_SECONDS]: z.coerce.number().int().min(0).default(7 * 24 * 3600),
  [INGESTION_ENV.EFS_MOUNT_PATH]: z.string().startsWith('/mnt/').optional(),
  [INGESTION_ENV.EFS_ROOT_DIRECTORY]: z.string().startsWith('/').optional(),
});

export function readRetentionConfig(env: NodeJS.ProcessEnv): RetentionConfig {
  const parsed = environment.safeParse(env);
  if (!parsed.success) throw new Error(`The dataset retention function is misconfigured: ${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  const mountPath = e[INGESTION_ENV.EFS_MOUNT_PATH];
  return {
    datasetBucket: e[INGESTION_ENV.DATASET_BUCKET],
    ...(e[INGESTION_ENV.UPLOAD_BUCKET] ? { uploadBucket: e[INGESTION_ENV.UPLOAD_BUCKET] } : {}),
    policy: {
      keepVersions: e[INGESTION_ENV.RETENTION_KEEP_VERSIONS],
      keepYoungerThanMs: e[INGESTION_ENV.RETENTION_KEEP_YOUNGER_THAN_SECONDS] * 1000,
      incompleteGraceMs: DEFAULT_INCOMPLETE_GRACE_MS,
    },
    ...(mountPath ? { efs: { mountPath, rootDirectory: e[INGESTION_ENV.EFS_ROOT_DIRECTORY] ?? '/' } } : {}),
  };
}
