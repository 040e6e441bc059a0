export * from './network';
export * from './platform';
