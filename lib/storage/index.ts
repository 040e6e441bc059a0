export * from './secure-bucket';
export { BucketEventBridgeNotifications } from './bucket-event-bridge';
export type { BucketEventBridgeNotificationsProps } from './bucket-event-bridge';
