import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { readDistributedConfig, type DistributedConfig } from '../distributed/config';
import { createDistributedServices } from '../distributed/create-services';
import { runWorker } from '../distributed/worker';
import type { DistributedServices } from '../distributed/services';

/** The Lambda of one Distributed Map work item: converts its shards into the version folder. */
const logger = new Logger();
let config: DistributedConfig | undefined;
let services: DistributedServices | undefined;

export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  config ??= readDistributedConfig(process.env, 'worker');
  services ??= createDistributedServices(config, logger);
  return runWorker(event, services);
};
