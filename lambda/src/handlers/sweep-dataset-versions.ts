import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { EfsDatasetStore, S3DatasetStore } from '../aws';
import { readRetentionConfig, type RetentionConfig } from '../ingestion/retention-config';
import { deleteDataset, sweepVersions, type RetentionServices } from '../ingestion/version-retention';

/**
 * The dataset retention Lambda: on its schedule, removes old dataset versions (never the current
 * one); invoked with `{"deleteDataset":{"tenant":…,"datasetId":…}}`, deletes one whole dataset,
 * pointers first, and its uploads.
 */
const logger = new Logger();
let config: RetentionConfig | undefined;
let base: Omit<RetentionServices, 'remainingMs'> | undefined;

export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  config ??= readRetentionConfig(process.env);
  if (!base) {
    const s3 = new S3Client({ maxAttempts: 6 });
    base = { s3, datasets: new S3DatasetStore(s3, config.datasetBucket), efs: config.efs ? new EfsDatasetStore(config.efs) : undefined, uploadBucket: config.uploadBucket, logger, now: () => new Date() };
  }
  const services: RetentionServices = { ...base, remainingMs: () => context.getRemainingTimeInMillis() };
  const request = (event as { deleteDataset?: { tenant?: unknown; datasetId?: unknown } } | null)?.deleteDataset;
  if (request) {
    if (typeof request.tenant !== 'string' || typeof request.datasetId !== 'string') {
      throw new Error('deleteDataset needs {"tenant": "<tenant>", "datasetId": "<datasetId>"}');
    }
    return deleteDataset(services, request.tenant, request.datasetId);
  }
  const report = await sweepVersions(services, config.policy);
  logger.info('Retention sweep done', { channels: report.channels, removed: report.removed.length, skipped: report.skipped, incomplete: report.incomplete });
  return report;
};
