import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CFN_RESPONSE_PYTHON, InlineDeploymentFunction, INLINE_HANDLER_RUNTIME } from '../lambda/inline-deployment-function';
import { acknowledgeFindings } from '../nag/acknowledge';

/** Properties of {@link BucketEventBridgeNotifications}. */
export interface BucketEventBridgeNotificationsProps {
  /** The bucket whose events go to EventBridge. */
  readonly bucket: s3.IBucket;

  /**
   * The handler's runtime (inline Python source). Only the first resource of a stack decides: the
   * handler is shared.
   * @default lambda.Runtime.PYTHON_3_14 (the newest Python runtime the Lambda documentation and
   * cfn-lint 1.51.0 list)
   */
  readonly runtime?: lambda.Runtime;

  /**
   * A customer managed key for the handler's log group. Only the first resource of a stack decides.
   * @default - CloudWatch Logs' service-owned key
   */
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * The handler: reads the bucket's notification configuration, sets or removes only
 * `EventBridgeConfiguration`, and writes everything else back unchanged, ids included. Kept as
 * inline source (no asset, no bundling); test/storage runs it against a stub S3 client.
 */
export const EVENTBRIDGE_HANDLER_SOURCE = `import json
import urllib.request
import boto3

s3 = boto3.client('s3')


def merged_configuration(bucket, enable):
    config = s3.get_bucket_notification_configuration(Bucket=bucket)
    config.pop('ResponseMetadata', None)
    if enable:
        config['EventBridgeConfiguration'] = {}
    else:
        config.pop('EventBridgeConfiguration', None)
    return config


def apply(bucket, enable):
    config = merged_configuration(bucket, enable)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config, SkipDestinationValidation=True)


def handler(event, context):
    status, reason = 'SUCCESS', ''
    bucket = event['ResourceProperties']['BucketName']
    try:
        if event['RequestType'] == 'Delete':
            try:
                apply(bucket, False)
            except s3.exceptions.NoSuchBucket:
                pass
        else:
            apply(bucket, True)
    except Exception as error:  # report every failure to CloudFormation
        status, reason = 'FAILED', str(error)
    send_response(event, context, status, reason, bucket)


${CFN_RESPONSE_PYTHON}`;

const HANDLER_ID = 'BucketEventBridgeNotificationsHandler';

/** The handler's default runtime (see INLINE_HANDLER_RUNTIME). */
const DEFAULT_RUNTIME = INLINE_HANDLER_RUNTIME;

/**
 * Sends a bucket's events to EventBridge without touching any other notification on the bucket.
 *
 * Use it on buckets that FSx for Lustre links with automatic import. FSx keeps an S3 event
 * notification named `FSx` there; aws-cdk-lib's `Custom::S3BucketNotifications` either replaces the
 * whole configuration (`Managed: true`) or, in merge mode, writes the notifications it did not
 * create back with an empty `Id` whenever it updates, which renames FSx's rule. This resource only sets (create, update) or removes (delete)
 * `EventBridgeConfiguration` and writes every other rule back byte for byte.
 *
 * Route events with EventBridge rules on `aws.s3` / `Object Created` (the key is not URL-encoded
 * there). EventBridge takes about five minutes to start delivering after it is enabled.
 *
 * @resource Custom::BucketEventBridgeNotifications
 */
export class BucketEventBridgeNotifications extends Construct {
  /** The CloudFormation type of the resource. */
  public static readonly RESOURCE_TYPE = 'Custom::BucketEventBridgeNotifications';

  /** The custom resource. */
  public readonly resource: CfnResource;

  /** The handler (one per stack, shared by every bucket of the stack). */
  public readonly handler: lambda.Function;

  constructor(scope: Construct, id: string, props: BucketEventBridgeNotificationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const existing = stack.node.tryFindChild(HANDLER_ID) as InlineDeploymentFunction | undefined;
    const handler = existing ?? eventBridgeHandler(stack, HANDLER_ID, props.runtime, props.logEncryptionKey);
    this.handler = handler.fn;

    const role = handler.role;
    const policy = new iam.Policy(this, 'HandlerPolicy', {
      statements: [new iam.PolicyStatement({
        actions: ['s3:GetBucketNotification', 's3:PutBucketNotification'],
        resources: [props.bucket.bucketArn],
      })],
    });
    role.attachInlinePolicy(policy);
    acknowledgeFindings(policy, ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'],
      'Inline policy of the EventBridge-notification handler role, scoped to one bucket and deleted with the resource that needs it.');

    this.resource = new CfnResource(this, 'Resource', {
      type: BucketEventBridgeNotifications.RESOURCE_TYPE,
      properties: {
        ServiceToken: this.handler.functionArn,
        BucketName: props.bucket.bucketName,
      },
    });
    this.resource.node.addDependency(policy);
  }
}

/** The stack's one handler function, with its own role and log group. */
function eventBridgeHandler(scope: Construct, id: string, runtime?: lambda.Runtime, logEncryptionKey?: kms.IKey): InlineDeploymentFunction {
  return new InlineDeploymentFunction(scope, id, {
    source: EVENTBRIDGE_HANDLER_SOURCE,
    runtime: runtime ?? DEFAULT_RUNTIME,
    logEncryptionKey,
    purpose: 'EventBridge-notification handler',
    calls: 'the S3 control API (Get/PutBucketNotificationConfiguration)',
    description: 'CloudFormation custom resource: enables EventBridge on an S3 bucket, keeping every other notification (e.g. FSx for Lustre\'s FSx rule)',
  });
}
