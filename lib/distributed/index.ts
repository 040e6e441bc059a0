export * from './distributed-conversion';
export * from './distributed-conversion-options';
export type { DistributedConversionInput } from '../../contract/distributed-conversion';
