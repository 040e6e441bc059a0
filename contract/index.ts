/**
 * The contract between the CDK constructs (`lib/`) and the code they deploy (`lambda/`): environment
 * variable names, event `detail-type`s and detail shapes, the S3 key layout, the launcher's request
 * and response, and the SageMaker channel rules both sides apply.
 *
 * Plain TypeScript with no imports from outside this folder (not even Node built-ins): the jsii
 * build of the library compiles it, the Lambda bundles inline it, and a CLI or an API can use it as is.
 * Lint enforces the boundaries: `lib/` never imports handler code, `lambda/` never imports `lib/`,
 * and both meet here.
 */
export * from './distributed-conversion';
export * from './ingestion-events';
export * from './key-layout';
export * from './launch-request';
export * from './launcher';
export * from './platform-api';
export * from './platform-metrics';
export * from './sagemaker-channel';
export * from './sagemaker-limits';
export * from './training-job-events';
export * from './tenant-directory';
