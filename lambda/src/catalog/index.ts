export * from '../../../contract/key-layout';
export * from './dataset-pointer';
export * from './upload-version';
