export * from './jwt-authorizer-options';
export * from './platform-api';
