import {
  GetBucketNotificationConfigurationCommand, PutBucketNotificationConfigurationCommand,
  type NotificationConfiguration, type S3Client,
} from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { CustomResourceOutcome } from './cloudformation-response';

/** The notification configuration with EventBridge turned on or off, every other rule (ids included) as it was. */
export function withEventBridge(current: NotificationConfiguration, enabled: boolean): NotificationConfiguration {
  const others: NotificationConfiguration = { ...current };
  delete others.EventBridgeConfiguration;
  return enabled ? { ...others, EventBridgeConfiguration: {} } : others;
}

/** The configuration fields of a GetBucketNotificationConfiguration answer (the rest is response metadata). */
function configurationOf(answer: NotificationConfiguration): NotificationConfiguration {
  const { TopicConfigurations, QueueConfigurations, LambdaFunctionConfigurations, EventBridgeConfiguration } = answer;
  return Object.fromEntries(Object.entries({ TopicConfigurations, QueueConfigurations, LambdaFunctionConfigurations, EventBridgeConfiguration })
    .filter(([, value]) => value !== undefined));
}

/**
 * Reads the bucket's notification configuration and writes it back with only
 * `EventBridgeConfiguration` changed. Destinations are not revalidated: the other rules are not
 * ours (FSx for Lustre's `FSx` rule, for one) and were valid when their owner wrote them.
 */
export async function setEventBridge(s3: S3Client, bucket: string, enabled: boolean): Promise<void> {
  const current = configurationOf(await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket })));
  await s3.send(new PutBucketNotificationConfigurationCommand({
    Bucket: bucket,
    NotificationConfiguration: withEventBridge(current, enabled),
    SkipDestinationValidation: true,
  }));
}

/**
 * `Custom::BucketEventBridgeNotifications`: Create and Update turn EventBridge on for
 * `BucketName`; Delete turns it off again, and a bucket that is already gone is fine. The bucket
 * name is the physical id, so a new name replaces the resource (CloudFormation then deletes the old).
 */
export function bucketEventBridgeWork(s3: S3Client) {
  return async (event: CloudFormationCustomResourceEvent): Promise<CustomResourceOutcome> => {
    const bucket = bucketName(event.ResourceProperties);
    if (event.RequestType === 'Delete') {
      try {
        await setEventBridge(s3, bucket, false);
      } catch (error) {
        if ((error as { name?: string }).name !== 'NoSuchBucket') throw error;
      }
    } else {
      await setEventBridge(s3, bucket, true);
    }
    return { physicalResourceId: bucket };
  };
}

function bucketName(properties: Record<string, unknown>): string {
  const name = properties.BucketName;
  if (typeof name !== 'string' || name === '') {
    throw new Error(`BucketName must be a bucket name, got ${JSON.stringify(name)}.`);
  }
  return name;
}
