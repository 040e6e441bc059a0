import { S3Client } from '@aws-sdk/client-s3';
import { bucketEventBridgeWork, customResourceHandler } from '../custom-resources';

/** `Custom::BucketEventBridgeNotifications` (BucketEventBridgeNotifications construct). */
export const handler = customResourceHandler(bucketEventBridgeWork(new S3Client({})));
