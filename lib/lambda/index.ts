export * from './handler-asset';
export * from './platform-function';
