export * from './distributed-conversion';
export {
  WORK_KEY_PREFIX,
  MAP_RESULTS_KEY_PREFIX,
  CONVERSION_REJECTED_ERROR,
  CONVERSION_ABORTED_ERROR,
  LAMBDA_SERVICE_ERRORS,
  DISTRIBUTED_SCHEMA_VERSION,
  type DistributedConversionInput,
} from './contract';
