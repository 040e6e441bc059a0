export * from './embedded-metrics';
export * from './platform-metrics';
