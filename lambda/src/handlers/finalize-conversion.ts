import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { readDistributedConfig, type DistributedConfig } from '../distributed/config';
import { createDistributedServices } from '../distributed/create-services';
import { finalizeDistributedConversion } from '../distributed/finalizer';
import type { DistributedServices } from '../distributed/services';

/** The Lambda of the distributed conversion finalizer: checks every shard, writes the manifest, moves current.json, sends DatasetConverted. */
const logger = new Logger();
let config: DistributedConfig | undefined;
let services: DistributedServices | undefined;

export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  config ??= readDistributedConfig(process.env, 'finalizer');
  services ??= createDistributedServices(config, logger);
  return finalizeDistributedConversion(event, services, config, () => context.getRemainingTimeInMillis());
};
