export * from './file-system-ports';
export * from './training-endpoint';
export * from './training-network';
