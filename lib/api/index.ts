export * from './api-tenant';
export * from './platform-api';
