export * from './training-job-launcher';
