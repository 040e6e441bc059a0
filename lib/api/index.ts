export * from './platform-api';
