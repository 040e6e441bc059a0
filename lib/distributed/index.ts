export * from './distributed-conversion';
export type { DistributedConversionInput } from '../../contract/distributed-conversion';
