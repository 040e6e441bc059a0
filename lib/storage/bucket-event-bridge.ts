import { CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DeploymentFunction } from '../lambda/deployment-function';
import { acknowledgeFindings } from '../nag/acknowledge';

/** Properties of {@link BucketEventBridgeNotifications}. */
export interface BucketEventBridgeNotificationsProps {
  /** The bucket whose events go to EventBridge. */
  readonly bucket: s3.IBucket;

  /**
   * A customer managed key for the handler's log group and dead-letter queue. Only the first
   * resource of a stack decides: the handler is shared.
   * @default - CloudWatch Logs' service-owned key and SQS-managed encryption
   */
  readonly logEncryptionKey?: kms.IKey;
}

const HANDLER_ID = 'BucketEventBridgeNotificationsHandler';

/**
 * Sends a bucket's events to EventBridge without touching any other notification on the bucket.
 *
 * Use it on buckets that FSx for Lustre links with automatic import. FSx keeps an S3 event
 * notification named `FSx` there; aws-cdk-lib's `Custom::S3BucketNotifications` either replaces the
 * whole configuration (`Managed: true`) or, in merge mode, writes the notifications it did not
 * create back with an empty `Id` whenever it updates, which renames FSx's rule. This resource only sets (create, update) or removes (delete)
 * `EventBridgeConfiguration` and writes every other rule back byte for byte.
 *
 * The handler is the library's bundled Node.js function (arm64, newest runtime), one per stack
 * and outside the VPC; it answers CloudFormation itself and names its log stream in every answer.
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
    const handler = DeploymentFunction.ofStack(this, HANDLER_ID, {
      handlerName: 'bucket-event-bridge-notifications',
      encryptionKey: props.logEncryptionKey,
      purpose: 'EventBridge-notification handler',
      calls: 'the S3 control API (Get/PutBucketNotificationConfiguration)',
      description: 'CloudFormation custom resource: enables EventBridge on an S3 bucket, keeping every other notification (e.g. FSx for Lustre\'s FSx rule)',
    });
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
