import { CfnResource, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';

/**
 * Keeps FSx for Lustre's `FSx` S3 event notification alive.
 *
 * With automatic import, FSx writes a notification named `FSx` (s3:ObjectCreated:* and
 * s3:ObjectRemoved:* to an SNS topic) on the linked bucket; if it is deleted or changed, the data
 * repository association becomes MISCONFIGURED (FSx for Lustre guide, autoimport-data-repo-dra.md).
 * What in a CDK app can break it, all found by reading the synthesized resources:
 *
 * 1. aws-cdk-lib's `Custom::S3BucketNotifications` (what `addEventNotification`,
 *    `eventBridgeEnabled` and `enableEventBridgeNotification()` write), in either mode
 *    (aws-cdk-lib 2.276 custom-resource-handlers/dist/aws-s3/notifications-resource-handler/index.py):
 *    - `Managed: true` (a bucket defined in the app, unless `@aws-cdk/aws-s3:keepNotificationInImportedBucket`
 *      is set in its scope): handle_managed PUTs only the app's configuration on create and update
 *      and `{}` on delete, which deletes FSx's rule.
 *    - `Managed: false`: handle_unmanaged keeps foreign rules on create and delete, but on update its
 *      `get_id` helper sets `Id` to '' on every existing rule it hashes and PUTs them back, so FSx's
 *      rule loses its name `FSx` (test/filesystems/notification-safety.test.ts runs that handler).
 * 2. An ObjectCreated/ObjectRemoved queue, topic or Lambda notification: S3 rejects it ("Configurations
 *    overlap") or, written over FSx's rule, breaks the import.
 * 3. `NotificationConfiguration` on the bucket's `AWS::S3::Bucket`: CloudFormation writes the whole
 *    configuration whenever it changes, without FSx's rule.
 *
 * The safe way is `BucketEventBridgeNotifications` (`SecureBucket.enableEventBridgeNotifications()`),
 * which sets only `EventBridgeConfiguration` and writes every other rule back unchanged.
 */
export const BUCKET_NOTIFICATIONS_RESOURCE_TYPE = 'Custom::S3BucketNotifications';

/** The library's own EventBridge resource (lib/storage/bucket-event-bridge.ts). */
const EVENTBRIDGE_RESOURCE_TYPE = 'Custom::BucketEventBridgeNotifications';

const SAFE_WAY = 'Enable EventBridge with SecureBucket.enableEventBridgeNotifications() (or new BucketEventBridgeNotifications(scope, id, { bucket })), ' +
  'which sets only EventBridgeConfiguration, and route "Object Created" events with an EventBridge rule.';

/**
 * The resources in the app that write `bucket`'s notification configuration: aws-cdk-lib's
 * `Custom::S3BucketNotifications` and the library's `Custom::BucketEventBridgeNotifications`.
 */
export function notificationResourcesOf(bucket: s3.IBucket): CfnResource[] {
  const found: CfnResource[] = [];
  for (const node of bucket.node.root.node.findAll()) {
    if (!CfnResource.isCfnResource(node)) continue;
    if (node.cfnResourceType !== BUCKET_NOTIFICATIONS_RESOURCE_TYPE && node.cfnResourceType !== EVENTBRIDGE_RESOURCE_TYPE) continue;
    // A resource in another account or region writes another region's buckets (and resolving this
    // bucket's name there throws a cross-environment error): not this bucket's.
    if (!sameEnvironment(node, bucket)) continue;
    // aws-cdk-lib creates its resource as <bucket>/Notifications/Resource.
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
    if (resource.cfnResourceType !== BUCKET_NOTIFICATIONS_RESOURCE_TYPE) continue;
    const props = renderProperties(resource);
    if (props.Managed === true || props.Managed === 'true') {
      hazards.push(`${resource.node.path} writes the notification configuration of ${where} with Managed: true: ` +
        "aws-cdk-lib's handler then replaces the bucket's whole configuration on every deployment and clears it on delete, deleting FSx's `FSx` notification " +
        `(the association becomes MISCONFIGURED). ${SAFE_WAY}`);
    } else {
      hazards.push(`${resource.node.path} writes the notification configuration of ${where} in merge mode (Managed: false): ` +
        "on every update aws-cdk-lib's handler blanks the Id of notifications it did not write, renaming FSx's `FSx` notification " +
        `(the association becomes MISCONFIGURED). ${SAFE_WAY}`);
    }
    const config = (props.NotificationConfiguration ?? {}) as Record<string, unknown>;
    for (const kind of ['QueueConfigurations', 'TopicConfigurations', 'LambdaFunctionConfigurations']) {
      for (const rule of (config[kind] as Array<{ Events?: unknown }> | undefined) ?? []) {
        const events = Array.isArray(rule.Events) ? rule.Events.map(String) : [];
        const overlapping = events.filter((event) => /^s3:Object(Created|Removed)(:|$)/.test(event));
        if (overlapping.length > 0) {
          hazards.push(`${resource.node.path} adds a ${kind.replace(/Configurations$/, '')} notification for ${overlapping.join(', ')} on ${where}: ` +
            "it overlaps FSx's `FSx` notification (s3:ObjectCreated:*, s3:ObjectRemoved:*, no filter), so S3 rejects it with \"Configurations overlap\" " +
            `or FSx stops importing. ${SAFE_WAY}`);
        }
      }
    }
  }
  const cfnBucket = bucket.node.defaultChild;
  if (cfnBucket && CfnResource.isCfnResource(cfnBucket)) {
    const config = renderProperties(cfnBucket).NotificationConfiguration;
    if (config !== undefined && !(typeof config === 'object' && config !== null && Object.keys(config).length === 0)) {
      hazards.push(`${cfnBucket.node.path} sets NotificationConfiguration on ${where}: CloudFormation writes the bucket's whole notification configuration ` +
        `whenever it changes, without FSx's \`FSx\` notification. Remove it. ${SAFE_WAY}`);
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

function sameEnvironment(a: IConstruct, b: IConstruct): boolean {
  const sa = Stack.of(a);
  const sb = Stack.of(b);
  return sa === sb || (sa.account === sb.account && sa.region === sb.region);
}

function describeBucket(bucket: s3.IBucket): string {
  return bucket.node.path;
}
