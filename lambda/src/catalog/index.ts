export * from './dataset-keys';
export * from './dataset-pointer';
export * from './upload-version';
