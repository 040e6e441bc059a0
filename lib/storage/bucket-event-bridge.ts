import { CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';

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
    body = json.dumps({
        'Status': status,
        'Reason': (reason + ' ' if reason else '') + 'Log stream: ' + context.log_stream_name,
        'PhysicalResourceId': bucket,
        'StackId': event['StackId'],
        'RequestId': event['RequestId'],
        'LogicalResourceId': event['LogicalResourceId'],
    }).encode('utf-8')
    request = urllib.request.Request(event['ResponseURL'], data=body, method='PUT', headers={'content-type': '', 'content-length': str(len(body))})
    with urllib.request.urlopen(request) as response:
        response.read()
`;

const HANDLER_ID = 'BucketEventBridgeNotificationsHandler';

/**
 * The handler's default runtime: the newest Python the Lambda runtime documentation and cfn-lint
 * 1.51.0's AWS::Lambda::Function schema list. aws-cdk-lib 2.276 also lists python3.15, which
 * neither lists yet (cfn-lint rejects it with E3030), so cdk-nag's AwsSolutions-L1 (newest runtime
 * aws-cdk-lib knows) is acknowledged on this function while that holds.
 */
const DEFAULT_RUNTIME = lambda.Runtime.PYTHON_3_14;

/** The newest Python runtime aws-cdk-lib knows (what AwsSolutions-L1 compares with). */
function newestPythonRuntime(): lambda.Runtime {
  const python = lambda.Runtime.ALL.filter((runtime) => runtime.family === lambda.RuntimeFamily.PYTHON);
  return python.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }))[python.length - 1];
}

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
    const existing = stack.node.tryFindChild(HANDLER_ID) as EventBridgeHandler | undefined;
    this.handler = (existing ?? new EventBridgeHandler(stack, HANDLER_ID, props.runtime)).fn;

    const role = this.handler.role as iam.Role;
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
class EventBridgeHandler extends Construct {
  public readonly fn: lambda.Function;

  constructor(scope: Construct, id: string, runtime?: lambda.Runtime) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeFindings(logGroup, ['HIPAA.Security-CloudWatchLogGroupEncrypted', 'NIST.800.53.R5-CloudWatchLogGroupEncrypted', 'PCI.DSS.321-CloudWatchLogGroupEncrypted'],
      'Deployment-time handler logs (bucket names and S3 errors only), encrypted by CloudWatch Logs with a service-owned key.');
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Sets EventBridgeConfiguration on dataset buckets without touching their other notifications',
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }));
    acknowledgeInlinePolicy(role, 'EventBridge-notification handler');

    const chosen = runtime ?? DEFAULT_RUNTIME;
    this.fn = new lambda.Function(this, 'Function', {
      runtime: chosen,
      handler: 'index.handler',
      code: lambda.Code.fromInline(EVENTBRIDGE_HANDLER_SOURCE),
      role,
      logGroup,
      memorySize: 256,
      timeout: Duration.minutes(2),
      description: 'CloudFormation custom resource: enables EventBridge on an S3 bucket, keeping every other notification (e.g. FSx for Lustre\'s FSx rule)',
    });
    if (chosen.name !== newestPythonRuntime().name) {
      acknowledgeFindings(this.fn, ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion'],
        `Runs ${chosen.name}: aws-cdk-lib lists ${newestPythonRuntime().name}, which the Lambda runtime documentation and cfn-lint 1.51.0's schema do not list yet (cfn-lint: E3030); ` +
        'the newest runtime that deploys is used. Pass runtime to pin another.');
    }
    acknowledgeFindings(this.fn, ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC'],
      'Deployment-time custom-resource handler that only calls the S3 control API (Get/PutBucketNotificationConfiguration); it needs no VPC resources.');
    acknowledgeFindings(this.fn, ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
      'Invoked by CloudFormation once per create, update or delete of the resource; reserving concurrency would only take capacity from the account.');
    acknowledgeFindings(this.fn, ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ'],
      'CloudFormation custom-resource handler: failures are reported to CloudFormation, which fails the deployment; there are no events to park.');
    acknowledgeFindings(this.fn, ['Serverless-LambdaTracing'],
      'Deployment-time custom-resource handler with one S3 round trip; its CloudWatch log stream is linked from every CloudFormation response.');
  }
}
