export * from './compliance-checks';
export * from './dataset-platform-app';
export * from './dataset-platform-stack';
