export * from './file-system-ports';
export { TrainingEndpoint } from './training-endpoint';
export * from './training-network';
