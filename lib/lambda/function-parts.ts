import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { queueEncryption } from '../encryption/encryption-props';
import { acknowledgeFinding, acknowledgeFindings } from '../nag/acknowledge';
import { handlerCode } from './handler-asset';

/** The runtime every library Lambda uses: the newest Node.js that aws-cdk-lib knows. */
export const PLATFORM_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** How a function's log group is kept. */
export interface FunctionLogOptions {
  readonly logRetention?: logs.RetentionDays;
  readonly encryptionKey?: kms.IKey;
  readonly removalPolicy?: RemovalPolicy;
}

/** A function's own log group (`LogGroup`): retention (one year by default), the key if any, retained by default. */
export function functionLogGroup(scope: Construct, options: FunctionLogOptions): logs.LogGroup {
  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    retention: options.logRetention ?? logs.RetentionDays.ONE_YEAR,
    encryptionKey: options.encryptionKey,
    removalPolicy: options.removalPolicy ?? RemovalPolicy.RETAIN,
  });
  if (!options.encryptionKey) {
    acknowledgeFindings(logGroup, ['HIPAA.Security-CloudWatchLogGroupEncrypted', 'NIST.800.53.R5-CloudWatchLogGroupEncrypted', 'PCI.DSS.321-CloudWatchLogGroupEncrypted'],
      'AWS managed encryption was chosen (no encryptionKey): CloudWatch Logs encrypts function logs at rest with a service-owned key.');
  }
  return logGroup;
}

/** A function's own role (`Role`), allowed to write to its log group and nothing else yet. */
export function functionRole(scope: Construct, description: string, logGroup: logs.ILogGroup): iam.Role {
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description,
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
  return role;
}

/** The dead-letter queue (`DeadLetterQueue`) of a function's failed asynchronous invocations: encrypted, SSL only, 14 days. */
export function asyncDeadLetterQueue(scope: Construct, encryptionKey?: kms.IKey): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    ...queueEncryption(encryptionKey),
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeFinding(queue, 'Serverless-SQSRedrivePolicy',
    'This queue is itself the dead-letter queue of the function (failed asynchronous invocations); a dead-letter queue of a dead-letter queue adds nothing.');
  return queue;
}

/**
 * The function properties every library Lambda shares: the prebuilt bundle of
 * `lambda/src/handlers/<handlerName>.ts`, the newest Node.js runtime on arm64, JSON logs to its
 * own log group, source maps, and the partition's DNS suffix for endpoint names.
 */
export function bundledFunctionProps(scope: Construct, handlerName: string, logGroup: logs.ILogGroup, environment: Record<string, string> = {}) {
  return {
    code: handlerCode(handlerName),
    handler: 'index.handler',
    runtime: PLATFORM_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: handlerName,
      AWS_PARTITION_DNS_SUFFIX: Stack.of(scope).urlSuffix,
      ...environment,
    },
  } satisfies Partial<lambda.FunctionProps>;
}
