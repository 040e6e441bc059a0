export * from './distributed';
export * from './filesystems';
export * from './ingestion';
export * from './launcher';
export * from './network';
export * from './platform';
export * from './regions';
export * from './storage';
