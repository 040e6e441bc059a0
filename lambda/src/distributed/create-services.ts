import type { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { FSxClient } from '@aws-sdk/client-fsx';
import { S3Client } from '@aws-sdk/client-s3';
import { EfsDatasetStore, EventPublisher, LustreImport, S3DatasetStore } from '../aws';
import type { DistributedConfig } from './config';
import type { DistributedServices } from './services';

/** The AWS clients and stores of one distributed-conversion Lambda, as the ingestion function builds its own. */
export function createDistributedServices(config: DistributedConfig, logger: Logger, clients: { s3?: S3Client; eventBridge?: EventBridgeClient } = {}): DistributedServices {
  // More attempts than the default 3: at a thousand workers, S3 answers some requests with 503 SlowDown.
  const s3 = clients.s3 ?? new S3Client({ maxAttempts: 8 });
  return {
    s3,
    datasets: new S3DatasetStore(s3, config.datasetBucket),
    efs: config.efs ? new EfsDatasetStore(config.efs) : undefined,
    visibility: config.lustreFileSystemId ? new LustreImport(new FSxClient({}), { fileSystemId: config.lustreFileSystemId, bucket: config.datasetBucket }) : undefined,
    events: new EventPublisher(clients.eventBridge ?? new EventBridgeClient({}), config.eventBusName, config.eventSource),
    logger,
    now: () => new Date(),
  };
}
