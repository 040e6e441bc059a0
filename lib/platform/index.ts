export * from './compliance-checks';
export * from './dataset-platform-stack';
export * from './regions';
export * from './platform-app';
