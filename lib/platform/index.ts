export * from './compliance-checks';
export { DatasetPlatformApp } from './dataset-platform-app';
export type { DatasetPlatformAppProps } from './dataset-platform-app';
export * from './dataset-platform-stack';
