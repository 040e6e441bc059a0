export * from './training-job-launcher';
export * from './launch-contract';
export * from './tenant-roles';
export * from './training-image-repository';
