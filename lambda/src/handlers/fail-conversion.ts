import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { readDistributedConfig, type DistributedConfig } from '../distributed/config';
import { createDistributedServices } from '../distributed/create-services';
import { handleDistributedFailure } from '../distributed/failure-handler';
import type { DistributedServices } from '../distributed/services';

/** The Lambda of the distributed conversion failure handler: aborts workers, removes the partial version, sends DatasetConversionFailed. */
const logger = new Logger();
let config: DistributedConfig | undefined;
let services: DistributedServices | undefined;

export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  config ??= readDistributedConfig(process.env, 'failure');
  services ??= createDistributedServices(config, logger);
  return handleDistributedFailure(event, services);
};
