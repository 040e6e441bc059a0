import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeFinding, acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';
import { ITrainingNetwork } from '../network';
import { asyncDeadLetterQueue, bundledFunctionProps, functionLogGroup, functionRole } from './function-parts';

export { PLATFORM_RUNTIME } from './function-parts';

/**
 * How a platform function is invoked, which decides what catches its failures. Only asynchronous
 * invocations ever reach a function's dead-letter queue, so only they get one.
 */
export enum PlatformFunctionInvocation {
  /** Asynchronous (EventBridge, S3): events that still fail after Lambda's retries go to a dead-letter queue. */
  ASYNCHRONOUS = 'ASYNCHRONOUS',
  /** Synchronous (RequestResponse): the caller receives every error. */
  SYNCHRONOUS = 'SYNCHRONOUS',
  /** An SQS event source: failed messages return to the queue and end in its own dead-letter queue (redrive policy). */
  SQS_QUEUE = 'SQS_QUEUE',
  /** A Step Functions task: the state machine's Retry and Catch handle failures. */
  STATE_MACHINE = 'STATE_MACHINE',
}

/** Why a function invoked this way has no dead-letter queue of its own (the acknowledgment's reason). */
const NO_DLQ_REASON: Record<PlatformFunctionInvocation, string> = {
  [PlatformFunctionInvocation.ASYNCHRONOUS]: '',
  [PlatformFunctionInvocation.SYNCHRONOUS]: 'Invoked synchronously only: every error returns to the caller, and an asynchronous-invocation dead-letter queue would never receive anything.',
  [PlatformFunctionInvocation.SQS_QUEUE]: 'Invoked by an SQS event source mapping only: failed messages return to the queue and move to its dead-letter queue (redrive policy); a function dead-letter queue would never receive anything.',
  [PlatformFunctionInvocation.STATE_MACHINE]: 'Invoked by Step Functions tasks only: the state machine retries and catches failures; a function dead-letter queue would never receive anything.',
};

/** Properties of a {@link PlatformFunction}. */
export interface PlatformFunctionProps {
  /** The bundled handler's name (`assets/handlers/<handlerName>`). */
  readonly handlerName: string;
  /** What the function does, for the console. */
  readonly description: string;
  /** The network whose training subnets the function runs in. */
  readonly network: ITrainingNetwork;
  /** Memory in MiB. */
  readonly memorySize: number;
  /** Timeout. */
  readonly timeout: Duration;
  /**
   * Reserved concurrency: the most instances that run at once.
   * @default - no reservation (the account's unreserved pool)
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Environment variables.
   * @default - none besides the logging settings
   */
  readonly environment?: Record<string, string>;
  /**
   * How the function is invoked: only ASYNCHRONOUS functions get a dead-letter queue.
   * @default PlatformFunctionInvocation.ASYNCHRONOUS
   */
  readonly invocation?: PlatformFunctionInvocation;
  /**
   * The queue that receives failed asynchronous invocations (ASYNCHRONOUS only).
   * @default - a new encrypted, SSL-only queue
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * A file system to mount (EFS through an access point).
   * @default - none
   */
  readonly filesystem?: lambda.FileSystem;
  /**
   * How long logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * A customer managed key for the log group and the dead-letter queue it creates.
   * @default - CloudWatch Logs' service-owned key and SQS-managed encryption
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A platform Lambda with the library's defaults: the prebuilt handler bundle, arm64, the newest
 * Node.js runtime, its own role with inline least-privilege policies (no AWS managed policies),
 * its own security group in the training subnets (egress only to the
 * interface endpoints, S3's prefix list and file systems that admit it), a log group with retention, JSON logs, X-Ray
 * tracing and a dead-letter queue for asynchronous invocations.
 */
export class PlatformFunction extends Construct implements ec2.IConnectable, iam.IGrantable {
  /** The function. */
  public readonly function: lambda.Function;
  /** Its execution role. */
  public readonly role: iam.Role;
  /** Its security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;
  /** The dead-letter queue of asynchronous invocations (undefined unless the function is invoked asynchronously). */
  public readonly deadLetterQueue?: sqs.IQueue;
  /** The function's network connections. */
  public readonly connections: ec2.Connections;
  /** The principal to grant permissions to. */
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    super(scope, id);
    this.logGroup = functionLogGroup(this, props);
    this.role = functionRole(this, props.description, this.logGroup);
    this.grantPrincipal = this.role;
    // ENI management for VPC functions. Lambda calls these on the account's behalf; the EC2 API
    // offers no resource-level scoping for Describe/Create on ENIs at function creation time.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      resources: ['*'],
    }));

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.network.vpc,
      description: `${props.description} (Lambda)`,
      // Closed: HTTPS to the endpoints and S3 (below); file-system ports where a file system allows this function.
      allowAllOutbound: false,
    });
    this.connections = this.securityGroup.connections;
    props.network.allowEndpointAccessFrom(this.securityGroup);

    const invocation = props.invocation ?? PlatformFunctionInvocation.ASYNCHRONOUS;
    if (invocation !== PlatformFunctionInvocation.ASYNCHRONOUS) {
      if (props.deadLetterQueue) {
        throw new Error(`${this.node.path}: deadLetterQueue is set, but the function is invoked ${invocation}; only asynchronous invocations reach a dead-letter queue.`);
      }
    } else if (props.deadLetterQueue) {
      this.deadLetterQueue = props.deadLetterQueue;
    } else {
      this.deadLetterQueue = asyncDeadLetterQueue(this, props.encryptionKey);
    }

    this.function = new lambda.Function(this, 'Function', {
      ...bundledFunctionProps(this, props.handlerName, this.logGroup, props.environment),
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      vpc: props.network.vpc,
      vpcSubnets: props.network.trainingSubnets,
      securityGroups: [this.securityGroup],
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      deadLetterQueue: this.deadLetterQueue,
      filesystem: props.filesystem,
    });

    if (!this.deadLetterQueue) {
      acknowledgeFindings(this.function, ['Serverless-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ'], NO_DLQ_REASON[invocation]);
    }
    acknowledgeInlinePolicy(this.role, props.description);
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledgeFinding(policy, 'AwsSolutions-IAM5[Resource::*]',
        'Lambda VPC networking (ec2:CreateNetworkInterface and friends) and X-Ray (xray:PutTraceSegments) accept no resource scoping.');
    }
    if (props.reservedConcurrentExecutions === undefined) {
      acknowledgeFindings(this.function, ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
        'No reserved concurrency on purpose: the function scales with its event source and reserving capacity for it would take it from the ' +
        'account\'s unreserved pool (which must stay at 100 or more); set reservedConcurrentExecutions to cap it.');
    }
  }
}

