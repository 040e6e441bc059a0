import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { readDistributedConfig, type DistributedConfig } from '../distributed/config';
import { createDistributedServices } from '../distributed/create-services';
import { planDistributedConversion } from '../distributed/planner';
import type { DistributedServices } from '../distributed/services';

/** The Lambda of the distributed conversion planner: reads the central directory once, checks the whole zip, writes the work items. */
const logger = new Logger();
let config: DistributedConfig | undefined;
let services: DistributedServices | undefined;

export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  config ??= readDistributedConfig(process.env, 'planner');
  services ??= createDistributedServices(config, logger);
  return planDistributedConversion(event, services, config);
};
