export * from './bucket-event-bridge';
export * from './cloudformation-response';
export * from './s3-prefix-list';
