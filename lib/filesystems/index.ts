// The public API only: classes, interfaces and enums (jsii has no free functions or constants).
export { DatasetFileSystemType, FileSystemAccessMode, FileSystemChannel } from './dataset-file-system';
export type { FileSystemTrainingChannel, IDatasetFileSystem } from './dataset-file-system';
export * from './data-repository-association';
export * from './dataset-file-systems';
export * from './dataset-storage';
export * from './dataset-storage-type';
export * from './efs-dataset-file-system';
export type { IEfsDatasetFileSystem, LambdaDatasetMount } from './efs-dataset-file-system-base';
export * from './efs-props';
export * from './lustre-dataset-file-system';
export type { ILustreDatasetFileSystem } from './lustre-dataset-file-system-base';
export * from './lustre-props';
export * from './lustre-settings';
