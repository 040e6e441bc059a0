export * from './platform-event-bus';
