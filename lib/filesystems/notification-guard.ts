import { CfnResource, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';

/**
 * Keeps FSx for Lustre's `FSx` S3 event notification alive.
 *
 * With automatic import, FSx writes a notification named `FSx` (s3:ObjectCreated:* and
 * s3:ObjectRemoved:* to an SNS topic) on the linked bucket; if it is deleted or changed, the data
 * repository association becomes MISCONFIGURED (FSx for Lustre guide, autoimport-data-repo-dra.md).
 * Three things in a CDK app can break it, all found by reading the synthesized resources:
 *
 * 1. `Custom::S3BucketNotifications` with `Managed: true`. aws-cdk-lib writes it for a bucket
 *    defined in the app (`bucket instanceof Bucket`) unless `@aws-cdk/aws-s3:keepNotificationInImportedBucket`
 *    is set in the bucket's scope. Its handler then PUTs only the app's configuration on create and
 *    update and `{}` on delete (handle_managed in aws-cdk-lib's notifications-resource-handler/index.py),
 *    which deletes FSx's rule. `bucket.eventBridgeEnabled` and `enableEventBridgeNotification()` go
 *    through the same resource. With `Managed: false` the handler reads the configuration and keeps
 *    every rule it did not write (handle_unmanaged), so FSx's rule survives.
 * 2. An ObjectCreated/ObjectRemoved queue, topic or Lambda notification: S3 rejects it ("Configurations
 *    overlap") or, written over FSx's rule, breaks the import. EventBridge has no event filter and
 *    cannot overlap; route S3 events through EventBridge instead.
 * 3. `NotificationConfiguration` on the bucket's `AWS::S3::Bucket`: CloudFormation writes the whole
 *    configuration whenever it changes, without FSx's rule.
 */
export const BUCKET_NOTIFICATIONS_RESOURCE_TYPE = 'Custom::S3BucketNotifications';

/** The `Custom::S3BucketNotifications` resources in the app that write `bucket`'s configuration. */
export function notificationResourcesOf(bucket: s3.IBucket): CfnResource[] {
  const found: CfnResource[] = [];
  for (const node of bucket.node.root.node.findAll()) {
    if (!CfnResource.isCfnResource(node) || node.cfnResourceType !== BUCKET_NOTIFICATIONS_RESOURCE_TYPE) continue;
    // aws-cdk-lib creates it as <bucket>/Notifications/Resource.
    const owner = node.node.scope?.node.scope;
    if (owner === bucket || sameBucketName(node, bucket, renderProperties(node).BucketName)) {
      found.push(node);
    }
  }
  return found;
}

/**
 * Everything in the app that would delete or overlap FSx's `FSx` notification on `bucket`, as
 * messages that say what to change. Empty when the bucket is safe.
 */
export function findNotificationHazards(bucket: s3.IBucket, association: IConstruct): string[] {
  const hazards: string[] = [];
  const where = `bucket ${describeBucket(bucket)} (linked by the data repository association ${association.node.path} with automatic import)`;
  for (const resource of notificationResourcesOf(bucket)) {
    const props = renderProperties(resource);
    if (props.Managed === true || props.Managed === 'true') {
      hazards.push(`${resource.node.path} writes the notification configuration of ${where} with Managed: true: ` +
        "CDK's handler then replaces the bucket's whole configuration on every deployment and clears it on delete, deleting FSx's `FSx` notification " +
        '(the association becomes MISCONFIGURED). Create the bucket with SecureBucket (which writes notifications in merge mode), or set the context ' +
        "'@aws-cdk/aws-s3:keepNotificationInImportedBucket': true in the bucket's scope before the bucket is created.");
    }
    const config = (props.NotificationConfiguration ?? {}) as Record<string, unknown>;
    for (const kind of ['QueueConfigurations', 'TopicConfigurations', 'LambdaFunctionConfigurations']) {
      for (const rule of (config[kind] as Array<{ Events?: unknown }> | undefined) ?? []) {
        const events = Array.isArray(rule.Events) ? rule.Events.map(String) : [];
        const overlapping = events.filter((event) => /^s3:Object(Created|Removed)(:|$)/.test(event));
        if (overlapping.length > 0) {
          hazards.push(`${resource.node.path} adds a ${kind.replace(/Configurations$/, '')} notification for ${overlapping.join(', ')} on ${where}: ` +
            "it overlaps FSx's `FSx` notification (s3:ObjectCreated:*, s3:ObjectRemoved:*, no filter), so S3 rejects it with \"Configurations overlap\" " +
            'or FSx stops importing. Enable EventBridge instead (SecureBucket.enableEventBridgeNotifications()) and route "Object Created" events with an EventBridge rule.');
        }
      }
    }
  }
  const cfnBucket = bucket.node.defaultChild;
  if (cfnBucket && CfnResource.isCfnResource(cfnBucket)) {
    const config = renderProperties(cfnBucket).NotificationConfiguration;
    if (config !== undefined && !(typeof config === 'object' && config !== null && Object.keys(config).length === 0)) {
      hazards.push(`${cfnBucket.node.path} sets NotificationConfiguration on ${where}: CloudFormation writes the bucket's whole notification configuration ` +
        "whenever it changes, without FSx's `FSx` notification. Remove it and enable EventBridge with SecureBucket.enableEventBridgeNotifications(), which merges.");
    }
  }
  return hazards;
}

/** A resource's CloudFormation properties, overrides included, resolved in its own stack. */
function renderProperties(resource: CfnResource): Record<string, unknown> {
  const rendered = Stack.of(resource).resolve((resource as unknown as { _toCloudFormation(): unknown })._toCloudFormation()) as
    { Resources?: Record<string, { Properties?: Record<string, unknown> }> };
  const entry = Object.values(rendered.Resources ?? {})[0];
  return entry?.Properties ?? {};
}

function sameBucketName(scope: IConstruct, bucket: s3.IBucket, resolvedName: unknown): boolean {
  if (resolvedName === undefined) return false;
  return JSON.stringify(Stack.of(scope).resolve(bucket.bucketName)) === JSON.stringify(resolvedName);
}

function describeBucket(bucket: s3.IBucket): string {
  return bucket.node.path;
}
