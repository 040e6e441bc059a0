import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';
import { asyncDeadLetterQueue, bundledFunctionProps, functionLogGroup, functionRole } from './function-parts';

/** Properties of a {@link DeploymentFunction}. */
export interface DeploymentFunctionProps {
  /** The bundled handler's name (`lambda/src/handlers/<handlerName>.ts`). */
  readonly handlerName: string;
  /** What the function does, for the console. */
  readonly description: string;
  /** Who the role belongs to, for the inline-policy acknowledgment (e.g. "EventBridge-notification handler"). */
  readonly purpose: string;
  /** The only API the handler calls, for the LambdaInsideVPC acknowledgment (e.g. "the S3 control API (…)"). */
  readonly calls: string;
  /**
   * A customer managed key for the log group and the dead-letter queue.
   * @default - CloudWatch Logs' service-owned key and SQS-managed encryption
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The provider function of a CloudFormation custom resource (its `ServiceToken`): the library's
 * bundled Node.js handler on arm64 and the newest runtime, its own role (logs only; callers attach
 * what the handler needs), a log group with retention, and a dead-letter queue. CloudFormation
 * invokes it asynchronously; the handler answers every request itself (errors and a timeout guard
 * included), so the queue only receives a request whose answer could not be sent after Lambda's
 * retries: the message holds the response URL, with which an operator can still release the stack.
 *
 * It runs outside the training VPC on purpose: it calls one control-plane API and the
 * CloudFormation response URL, and the S3 prefix-list lookup is what opens the training subnets'
 * path to S3 in the first place.
 */
export class DeploymentFunction extends Construct {
  /**
   * The stack's one function with this id, created on first use: every resource of a kind shares
   * one handler, and each attaches its own policy to the role.
   */
  public static ofStack(scope: Construct, id: string, props: DeploymentFunctionProps): DeploymentFunction {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(id);
    if (existing && !(existing instanceof DeploymentFunction)) {
      throw new Error(`${stack.node.path}: the id '${id}' is taken by another construct; the library keeps its custom-resource handler there.`);
    }
    return existing ?? new DeploymentFunction(stack, id, props);
  }

  /** The function. */
  public readonly fn: lambda.Function;
  /** Its role. */
  public readonly role: iam.Role;
  /** The dead-letter queue of requests whose answer could not be sent. */
  public readonly deadLetterQueue: sqs.IQueue;

  constructor(scope: Construct, id: string, props: DeploymentFunctionProps) {
    super(scope, id);
    const logGroup = functionLogGroup(this, { encryptionKey: props.encryptionKey });
    this.role = functionRole(this, props.description, logGroup);
    acknowledgeInlinePolicy(this.role, props.purpose);
    this.deadLetterQueue = asyncDeadLetterQueue(this, props.encryptionKey);

    this.fn = new lambda.Function(this, 'Function', {
      ...bundledFunctionProps(this, props.handlerName, logGroup),
      description: props.description,
      role: this.role,
      memorySize: 256,
      timeout: Duration.minutes(2),
      deadLetterQueue: this.deadLetterQueue,
    });
    acknowledgeFindings(this.fn, ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC'],
      `Deployment-time custom-resource handler that only calls ${props.calls} and CloudFormation's pre-signed response URL (an AWS-owned S3 bucket); ` +
      'it reads no VPC resource, and from the training subnets the response bucket is unreachable (the S3 gateway endpoint\'s policy admits only the platform\'s buckets).');
    acknowledgeFindings(this.fn, ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
      'Invoked by CloudFormation once per create, update or delete of a resource of this stack; reserving concurrency would only take capacity from the account.');
    acknowledgeFindings(this.fn, ['Serverless-LambdaTracing'],
      'Deployment-time custom-resource handler with one API round trip; every CloudFormation response names its CloudWatch log stream.');
  }
}
