export * from './training-job-launcher';
export * from './launch-contract';
