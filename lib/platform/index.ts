export * from './compliance-checks';
export { DatasetPlatformApp } from './dataset-platform-app';
export type { DatasetPlatformAppProps } from './dataset-platform-app';
export * from './dataset-platform-stack';
export { DatasetPlatformHandles } from './platform-handles';
export type { DatasetPlatformImportProps } from './platform-handles';
export { PlatformParameter } from './platform-parameter-layout';
export { DatasetPlatformParameters } from './platform-parameters';
export type { DatasetPlatformParametersProps } from './platform-parameters';
