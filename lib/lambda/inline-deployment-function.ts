import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';

/**
 * The default runtime of inline deployment handlers: the newest Python the Lambda runtime
 * documentation and cfn-lint 1.51.0's AWS::Lambda::Function schema list. aws-cdk-lib 2.276 also
 * lists python3.15, which neither lists yet (cfn-lint rejects it with E3030), so cdk-nag's
 * AwsSolutions-L1 (newest runtime aws-cdk-lib knows) is acknowledged while that holds.
 */
export const INLINE_HANDLER_RUNTIME = lambda.Runtime.PYTHON_3_14;

/**
 * Python for the inline handlers: `send_response(event, context, status, reason, physical_id, data)`
 * answers CloudFormation's pre-signed response URL, naming the handler's log stream in the reason.
 * Needs `import json` and `import urllib.request` in the handler source.
 */
export const CFN_RESPONSE_PYTHON = `def send_response(event, context, status, reason, physical_id, data=None):
    body = json.dumps({
        'Status': status,
        'Reason': (reason + ' ' if reason else '') + 'Log stream: ' + context.log_stream_name,
        'PhysicalResourceId': physical_id,
        'StackId': event['StackId'],
        'RequestId': event['RequestId'],
        'LogicalResourceId': event['LogicalResourceId'],
        'Data': data or {},
    }).encode('utf-8')
    request = urllib.request.Request(event['ResponseURL'], data=body, method='PUT', headers={'content-type': '', 'content-length': str(len(body))})
    with urllib.request.urlopen(request) as response:
        response.read()
`;

/** The newest Python runtime aws-cdk-lib knows (what AwsSolutions-L1 compares with). */
function newestPythonRuntime(): lambda.Runtime {
  const python = lambda.Runtime.ALL.filter((runtime) => runtime.family === lambda.RuntimeFamily.PYTHON);
  return python.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }))[python.length - 1];
}

/** Properties of an {@link InlineDeploymentFunction}. */
export interface InlineDeploymentFunctionProps {
  /** The Python source (handler `index.handler`). */
  readonly source: string;
  /** What the function does, for the console. */
  readonly description: string;
  /** Who the role belongs to, for the inline-policy acknowledgment (e.g. "EventBridge-notification handler"). */
  readonly purpose: string;
  /** The only API the handler calls, for the LambdaInsideVPC acknowledgment (e.g. "the S3 control API (…)"). */
  readonly calls: string;
  /**
   * The runtime.
   * @default INLINE_HANDLER_RUNTIME
   */
  readonly runtime?: lambda.Runtime;
  /**
   * A customer managed key for the log group.
   * @default - CloudWatch Logs' service-owned key
   */
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * A CloudFormation custom-resource handler with inline Python source: its own role (logs only;
 * callers attach what the handler needs), a log group with retention, and the acknowledgments that
 * are true of a deployment-time handler outside the VPC. It runs outside the training VPC on
 * purpose: it calls one control-plane API and the CloudFormation response URL, neither of which
 * the closed training subnets reach.
 */
export class InlineDeploymentFunction extends Construct {
  /** The function. */
  public readonly fn: lambda.Function;
  /** Its role. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: InlineDeploymentFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (!props.logEncryptionKey) {
      acknowledgeFindings(logGroup, ['HIPAA.Security-CloudWatchLogGroupEncrypted', 'NIST.800.53.R5-CloudWatchLogGroupEncrypted', 'PCI.DSS.321-CloudWatchLogGroupEncrypted'],
        'Deployment-time handler logs (resource names and API errors only), encrypted by CloudWatch Logs with a service-owned key; pass a key to use a customer managed one.');
    }
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }));
    acknowledgeInlinePolicy(this.role, props.purpose);

    const runtime = props.runtime ?? INLINE_HANDLER_RUNTIME;
    this.fn = new lambda.Function(this, 'Function', {
      runtime,
      handler: 'index.handler',
      code: lambda.Code.fromInline(props.source),
      role: this.role,
      logGroup,
      memorySize: 256,
      timeout: Duration.minutes(2),
      description: props.description,
    });
    if (runtime.name !== newestPythonRuntime().name) {
      acknowledgeFindings(this.fn, ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion'],
        `Runs ${runtime.name}: aws-cdk-lib lists ${newestPythonRuntime().name}, which the Lambda runtime documentation and cfn-lint 1.51.0's schema do not list yet (cfn-lint: E3030); ` +
        'the newest runtime that deploys is used. Pass runtime to pin another.');
    }
    acknowledgeFindings(this.fn, ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC'],
      `Deployment-time custom-resource handler that only calls ${props.calls} and the CloudFormation response URL; it needs no VPC resources, and the closed training subnets reach neither.`);
    acknowledgeFindings(this.fn, ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
      'Invoked by CloudFormation once per create, update or delete of the resource; reserving concurrency would only take capacity from the account.');
    acknowledgeFindings(this.fn, ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ'],
      'CloudFormation custom-resource handler: failures are reported to CloudFormation, which fails the deployment; there are no events to park.');
    acknowledgeFindings(this.fn, ['Serverless-LambdaTracing'],
      'Deployment-time custom-resource handler with one API round trip; its CloudWatch log stream is linked from every CloudFormation response.');
  }
}
