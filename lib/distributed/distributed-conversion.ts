import { Annotations, ArnFormat, Duration, Names, RemovalPolicy, Size, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct, IConstruct } from 'constructs';
import type { LambdaDatasetMount } from '../filesystems';
import { grantLustreImport } from '../filesystems/lustre-import-grant';
import { PlatformFunction, PlatformFunctionInvocation } from '../lambda';
import { acknowledgeFinding, acknowledgeFindings, acknowledgeInlinePolicy, acknowledgePolicyWildcards, acknowledgeWildcardResource } from '../nag/acknowledge';
import { ITrainingNetwork, TrainingEndpoint } from '../network';
import { queueEncryption } from '../encryption/encryption-props';
import { allowEventBridgeToEncrypt } from '../events/dead-lettered-target';
import { CONVERSION_STATUS_FILE, DATASET_KEY_PREFIX, DEFAULT_INGESTION_EVENT_SOURCE, UPLOAD_KEY_PREFIX } from '../../contract/ingestion-events';
import { PlatformEventBus } from '../events/platform-event-bus';
import { resolveConversionSettings } from '../ingestion/conversion-settings';
import type { DatasetIngestionConversionOptions } from '../ingestion/dataset-ingestion';
import {
  CONVERSION_ABORTED_ERROR,
  LAMBDA_CRASH_ERROR,
  BACKLOG_VISIBILITY_SECONDS,
  CONVERSION_REJECTED_ERROR,
  DISPATCH_ENV,
  DISPATCH_LEDGER_KEY,
  DISTRIBUTED_ENV,
  LAMBDA_SERVICE_ERRORS,
  MAP_RESULTS_KEY_PREFIX,
  WORK_KEY_PREFIX,
} from '../../contract/distributed-conversion';
import { failProp, integerIn, lambdaMemoryMiB, lambdaTimeout, numberText, type PropContext } from '../validation';
import { DistributedConversionOptions } from './distributed-conversion-options';

/** Properties of a {@link DistributedConversion}. */
export interface DistributedConversionProps extends DistributedConversionOptions {
  /** The training network: the functions run in its training subnets. */
  readonly network: ITrainingNetwork;
  /** The bucket uploads are read from (`uploads/*` only). */
  readonly uploadBucket: s3.IBucket;
  /** The bucket versions (`datasets/*`) and the conversion's work files (`ingestion-work/*`) go to. */
  readonly datasetBucket: s3.IBucket;

  /**
   * The bus `DatasetConverted` and `DatasetConversionFailed` go to. A {@link PlatformEventBus} lets
   * only the platform's publishers put events on it.
   * @default - a new PlatformEventBus
   */
  readonly eventBus?: events.IEventBus;

  /**
   * The `source` of the events.
   * @default 'cdk-sagemaker-datasets'
   */
  readonly eventSource?: string;

  /**
   * Conversion options; they must be the single function's, so both write the same bytes.
   * @default - the ingestion defaults (16 MiB shuffle runs, 128 MiB shards)
   */
  readonly conversion?: DatasetIngestionConversionOptions;

  /**
   * EFS: the finalizer copies each version to EFS through this mount before moving the EFS
   * pointer, as the single function does.
   * @default - S3 only
   */
  readonly efsMount?: LambdaDatasetMount;

  /**
   * FSx for Lustre: the finalizer imports each version onto this file system (a data repository
   * task on the version's prefix) and moves the pointer only once it succeeded, as the single function does.
   * @default - no file system import
   */
  readonly lustreFileSystemId?: string;

  /**
   * How long the functions' and the state machine's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * A customer managed key for the state machine (its definition and execution data) and every log
   * group of this construct. Its key policy must let the services use it (see `PlatformKey`).
   * @default - AWS owned keys (Step Functions, CloudWatch Logs)
   */
  readonly encryptionKey?: kms.IKey;
}

/** The defaults the props documentation names. */
const DISTRIBUTED_CONVERSION_DEFAULTS = {
  maxConcurrency: 100,
  maxConcurrentConversions: 2,
  workItemSize: Size.gibibytes(1),
  workerMemorySize: 2048,
  workerTimeout: Duration.minutes(15),
  workerRetries: 2,
  plannerMemorySize: 3008,
  finalizerMemorySize: 3008,
  failureHandlerMemorySize: 1024,
  timeout: Duration.hours(6),
  stepTimeout: Duration.minutes(15),
  dispatcherSchedule: Duration.minutes(5),
  backlogMaxReceiveCount: 5,
} as const;

/** The statuses of an execution that has ended: each frees a slot. */
const ENDED_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

/** Backoff of the Lambda service-error retries (throttling at high concurrency lands here). */
const SERVICE_ERROR_RETRY: sfn.RetryProps = {
  errors: [...LAMBDA_SERVICE_ERRORS],
  interval: Duration.seconds(2),
  maxAttempts: 8,
  backoffRate: 2,
  maxDelay: Duration.seconds(60),
  jitterStrategy: sfn.JitterType.FULL,
};

/**
 * Distributed conversion of zips too large for one Lambda: a Step Functions state machine that
 * runs a planner, a Distributed Map of shard workers over the plan's work items, and a finalizer —
 * the converter core split at its seams (`planFromSource`, `convertShards`, `finishConversion`),
 * so the shards, manifest, pointer and events are byte for byte those of the single function.
 *
 * ```
 * Plan ──► ConvertShards (Distributed Map, ItemReader: items.jsonl, MaxConcurrency, ToleratedFailureCount 0,
 *  │         │              ResultWriter → ingestion-work/map-results/)
 *  │         └─ ConvertWorkItem (worker Lambda; retries Lambda service errors with backoff)
 *  │       ──► Finalize ──► Succeeded
 *  └─(any error, caught)──► HandleFailure (abort workers, remove the partial version, DatasetConversionFailed) ──► Failed
 * ```
 *
 * `DatasetIngestion` creates one and hands it every upload above `singleFunctionMaxZipSize`.
 */
export class DistributedConversion extends Construct {
  /** The state machine (STANDARD; logs ALL to {@link logGroup}; X-Ray tracing). */
  public readonly stateMachine: sfn.StateMachine;
  /** The state machine's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The Distributed Map state. */
  public readonly distributedMap: sfn.DistributedMap;
  /** Reads the central directory, checks the zip, writes the work items. */
  public readonly planner: lambda.IFunction;
  /** Converts the shards of one work item. */
  public readonly worker: lambda.IFunction;
  /** Checks every shard, writes labels.txt and the manifest, moves the pointer, sends DatasetConverted. */
  public readonly finalizer: lambda.IFunction;
  /** Aborts workers, removes the partial version, sends DatasetConversionFailed. */
  public readonly failureHandler: lambda.IFunction;
  /** The most workers that run at once per conversion. */
  public readonly maxConcurrency: number;
  /** The most conversions that run at once; the rest wait in {@link backlogQueue}. */
  public readonly maxConcurrentConversions: number;
  /** The longest one conversion may run before the state machine stops it. */
  public readonly timeout: Duration;
  /** Conversions waiting for a slot (FIFO: per tenant in upload order; the body is the execution input). */
  public readonly backlogQueue: sqs.Queue;
  /** Where a backlog message goes after it could not be started 5 times (alarmed like every dead-letter queue). */
  public readonly backlogDeadLetterQueue: sqs.Queue;
  /** Starts queued conversions while fewer than `maxConcurrentConversions` run (reserved concurrency 1). */
  public readonly dispatcher: lambda.IFunction;
  /** Runs the dispatcher when an execution of the state machine ends. */
  public readonly executionEndedRule: events.Rule;
  /** Runs the dispatcher every 5 minutes, so a lost nudge only delays a start. */
  public readonly dispatchSchedule: events.Rule;
  private readonly steps: { readonly planner: PlatformFunction; readonly worker: PlatformFunction; readonly finalizer: PlatformFunction; readonly failureHandler: PlatformFunction };

  constructor(scope: Construct, id: string, props: DistributedConversionProps) {
    super(scope, id);
    // ResultWriterV2 (Parameters with Bucket and Prefix) needs this flag; set it here, not app-wide.
    this.node.setContext('@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2', true);
    const settings = validateProps(this, props);
    this.maxConcurrency = settings.maxConcurrency;
    this.maxConcurrentConversions = settings.maxConcurrentConversions;
    this.timeout = settings.timeout;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const eventBus = props.eventBus ?? new PlatformEventBus(this, 'EventBus');
    const eventSource = props.eventSource ?? DEFAULT_INGESTION_EVENT_SOURCE;
    const D = DISTRIBUTED_CONVERSION_DEFAULTS;

    props.network.allowS3Bucket(props.uploadBucket);
    props.network.allowS3Bucket(props.datasetBucket);
    const common = { network: props.network, logRetention: props.logRetention, removalPolicy, invocation: PlatformFunctionInvocation.STATE_MACHINE, encryptionKey: props.encryptionKey };
    const baseEnvironment = {
      [DISTRIBUTED_ENV.DATASET_BUCKET]: props.datasetBucket.bucketName,
      [DISTRIBUTED_ENV.EVENT_BUS_NAME]: eventBus.eventBusName,
      [DISTRIBUTED_ENV.EVENT_SOURCE]: eventSource,
    };
    const efsEnvironment: Record<string, string> = props.efsMount
      ? { [DISTRIBUTED_ENV.EFS_MOUNT_PATH]: props.efsMount.localMountPath, [DISTRIBUTED_ENV.EFS_ROOT_DIRECTORY]: props.efsMount.datasetRootDirectory }
      : {};
    const planner = new PlatformFunction(this, 'Planner', {
      ...common,
      handlerName: 'plan-conversion',
      description: 'Distributed dataset conversion: reads the central directory, checks the zip, plans shards and work items',
      memorySize: settings.plannerMemorySize,
      timeout: D.stepTimeout,
      // One plan per running conversion.
      reservedConcurrentExecutions: settings.maxConcurrentConversions,
      environment: {
        ...baseEnvironment,
        [DISTRIBUTED_ENV.CONVERSION_OPTIONS]: Stack.of(this).toJsonString(settings.conversion),
        [DISTRIBUTED_ENV.WORK_ITEM_BYTES]: numberText(settings.workItemBytes),
      },
    });
    const worker = new PlatformFunction(this, 'Worker', {
      ...common,
      handlerName: 'convert-shards',
      description: 'Distributed dataset conversion: converts the shards of one work item',
      memorySize: settings.workerMemorySize,
      timeout: settings.workerTimeout,
      reservedConcurrentExecutions: settings.workerReservedConcurrency,
      environment: baseEnvironment,
    });
    const finalizer = new PlatformFunction(this, 'Finalizer', {
      ...common,
      handlerName: 'finalize-conversion',
      description: 'Distributed dataset conversion: checks every shard, writes the manifest, moves the pointer, sends DatasetConverted',
      memorySize: settings.finalizerMemorySize,
      timeout: D.stepTimeout,
      reservedConcurrentExecutions: settings.maxConcurrentConversions,
      filesystem: props.efsMount?.fileSystem,
      environment: {
        ...baseEnvironment,
        ...efsEnvironment,
        ...(props.lustreFileSystemId ? { [DISTRIBUTED_ENV.LUSTRE_FILE_SYSTEM_ID]: props.lustreFileSystemId } : {}),
      },
    });
    if (props.lustreFileSystemId) grantLustreImport(finalizer.role, Stack.of(this), props.lustreFileSystemId);
    const failureHandler = new PlatformFunction(this, 'FailureHandler', {
      ...common,
      handlerName: 'fail-conversion',
      description: 'Distributed dataset conversion: aborts workers, removes the partial version, sends DatasetConversionFailed',
      memorySize: D.failureHandlerMemorySize,
      timeout: D.stepTimeout,
      reservedConcurrentExecutions: settings.maxConcurrentConversions,
      filesystem: props.efsMount?.fileSystem,
      environment: { ...baseEnvironment, ...efsEnvironment },
    });
    this.steps = { planner, worker, finalizer, failureHandler };
    this.planner = planner.function;
    this.worker = worker.function;
    this.finalizer = finalizer.function;
    this.failureHandler = failureHandler.function;
    this.grantFunctions(props, eventBus);

    // The state machine.
    const handleFailure = this.lambdaStep('HandleFailure', this.steps.failureHandler, {
      comment: 'Aborts running workers, removes the partial version (never one with a manifest), sends DatasetConversionFailed',
      payload: sfn.TaskInput.fromObject({ input: sfn.JsonPath.objectAt('$$.Execution.Input'), error: sfn.JsonPath.objectAt('$.error') }),
      resultPath: '$.failure',
    }, settings.workerRetries);
    const failed = new sfn.Fail(this, 'ConversionFailed', { errorPath: '$.error.Error', causePath: '$.error.Cause', comment: 'DatasetConversionFailed was sent' });
    const onFailure = handleFailure.next(failed);

    const plan = this.lambdaStep('Plan', this.steps.planner, {
      comment: 'Reads the central directory once, checks the whole zip, writes items.jsonl',
      resultSelector: {
        run: sfn.JsonPath.objectAt('$.Payload.run'),
        itemsKey: sfn.JsonPath.stringAt('$.Payload.itemsKey'),
        itemCount: sfn.JsonPath.numberAt('$.Payload.itemCount'),
        shardCount: sfn.JsonPath.numberAt('$.Payload.shardCount'),
      },
      resultPath: '$.plan',
    }, settings.workerRetries);
    plan.addCatch(onFailure, { errors: ['States.ALL'], resultPath: '$.error' });

    const convertItem = this.lambdaStep('ConvertWorkItem', this.steps.worker, {
      comment: 'Converts the shards of one work item',
      payload: sfn.TaskInput.fromObject({ run: sfn.JsonPath.objectAt('$.run'), item: sfn.JsonPath.objectAt('$.item'), itemCount: sfn.JsonPath.numberAt('$.itemCount') }),
      outputPath: '$.Payload',
    }, settings.workerRetries);

    this.distributedMap = new StrictDistributedMap(this, 'ConvertShards', {
      comment: 'One worker per work item; any item that fails after its retries fails the map',
      label: 'ConvertShards',
      itemReader: new WorkItemReader({ bucket: props.datasetBucket, key: sfn.JsonPath.stringAt('$.plan.itemsKey') }),
      itemSelector: { item: sfn.JsonPath.objectAt('$$.Map.Item.Value'), run: sfn.JsonPath.objectAt('$.plan.run'), itemCount: sfn.JsonPath.numberAt('$.plan.itemCount') },
      maxConcurrency: settings.maxConcurrency,
      resultWriterV2: new MapResultWriter({ bucket: props.datasetBucket, prefix: MAP_RESULTS_KEY_PREFIX }),
      resultPath: '$.map',
    });
    this.distributedMap.itemProcessor(convertItem);
    this.distributedMap.addCatch(onFailure, { errors: ['States.ALL'], resultPath: '$.error' });

    const finalize = this.lambdaStep('Finalize', this.steps.finalizer, {
      comment: 'Checks every shard, writes labels.txt and manifest.json, moves current.json, sends DatasetConverted',
      payload: sfn.TaskInput.fromObject({ run: sfn.JsonPath.objectAt('$.plan.run'), mapResult: sfn.JsonPath.objectAt('$.map') }),
      resultPath: '$.result',
    }, settings.workerRetries);
    finalize.addCatch(onFailure, { errors: ['States.ALL'], resultPath: '$.error' });

    this.logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      // Step Functions' vended logs: the /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy small.
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.encryptionKey,
      removalPolicy,
    });
    if (!props.encryptionKey) {
      acknowledgeFindings(this.logGroup, ['HIPAA.Security-CloudWatchLogGroupEncrypted', 'NIST.800.53.R5-CloudWatchLogGroupEncrypted', 'PCI.DSS.321-CloudWatchLogGroupEncrypted'],
        'AWS managed encryption was chosen (no encryptionKey): CloudWatch Logs encrypts the state machine logs at rest with a service-owned key.');
    }

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Distributed dataset conversion: plan, convert shards (Distributed Map), finalize',
      definitionBody: sfn.DefinitionBody.fromChainable(plan.next(this.distributedMap).next(finalize).next(new sfn.Succeed(this, 'Converted'))),
      stateMachineType: sfn.StateMachineType.STANDARD,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      timeout: settings.timeout,
      encryptionConfiguration: props.encryptionKey ? new sfn.CustomerManagedEncryptionConfiguration(props.encryptionKey) : undefined,
    });
    this.grantStateMachine(props);

    ({ queue: this.backlogQueue, deadLetterQueue: this.backlogDeadLetterQueue } = this.createBacklog(props));
    ({ dispatcher: this.dispatcher, executionEnded: this.executionEndedRule, schedule: this.dispatchSchedule } = this.createDispatcher(props, common));
  }

  /**
   * Lets `grantee` queue conversions (sqs:SendMessage on the backlog queue) and nudge the
   * dispatcher (lambda:InvokeFunction): the ingestion function's hand-off.
   */
  public grantQueueConversion(grantee: iam.IGrantable): iam.Grant {
    // Narrower than grantSendMessages / grantInvoke: no kms:ReEncrypt* or GenerateDataKey*, and the function itself, not `<arn>:*`.
    const send = iam.Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: [this.backlogQueue.queueArn] });
    this.backlogQueue.encryptionMasterKey?.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
    return send.combine(iam.Grant.addToPrincipal({ grantee, actions: ['lambda:InvokeFunction'], resourceArns: [this.dispatcher.functionArn] }));
  }

  /** Conversions waiting for a slot (ApproximateNumberOfMessagesVisible of the backlog queue, Maximum per 5 minutes). */
  public metricQueuedConversions(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.backlogQueue.metricApproximateNumberOfMessagesVisible({ label: 'Queued distributed conversions', statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /**
   * How long the oldest queued conversion has waited for a slot (ApproximateAgeOfOldestMessage of
   * the backlog queue, in seconds, Maximum per 5 minutes).
   */
  public metricOldestQueuedConversionAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.backlogQueue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /** The FIFO backlog queue and its dead-letter queue. */
  private createBacklog(props: DistributedConversionProps): { queue: sqs.Queue; deadLetterQueue: sqs.Queue } {
    const common = { ...queueEncryption(props.encryptionKey), enforceSSL: true, fifo: true, retentionPeriod: Duration.days(14) };
    const deadLetterQueue = new sqs.Queue(this, 'BacklogDeadLetterQueue', common);
    acknowledgeFinding(deadLetterQueue, 'Serverless-SQSRedrivePolicy',
      'This queue is the dead-letter queue of the distributed conversion backlog; a dead-letter queue of a dead-letter queue adds nothing. PlatformMonitoring alarms on it.');
    const queue = new sqs.Queue(this, 'Backlog', {
      ...common,
      // Longer than one dispatcher run: a message taken by a run that dies reappears after it.
      visibilityTimeout: Duration.seconds(BACKLOG_VISIBILITY_SECONDS),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: DISTRIBUTED_CONVERSION_DEFAULTS.backlogMaxReceiveCount },
    });
    return { queue, deadLetterQueue };
  }

  /** The dispatcher, its grants and the two rules that run it besides the ingestion function's nudge. */
  private createDispatcher(props: DistributedConversionProps, common: { network: ITrainingNetwork; logRetention?: logs.RetentionDays; removalPolicy: RemovalPolicy; encryptionKey?: kms.IKey }) {
    const fn = new PlatformFunction(this, 'Dispatcher', {
      ...common,
      invocation: PlatformFunctionInvocation.ASYNCHRONOUS,
      handlerName: 'dispatch-conversions',
      description: 'Distributed dataset conversion: starts queued conversions while fewer than maxConcurrentConversions run',
      memorySize: 256,
      timeout: Duration.minutes(1),
      // One dispatcher at a time: two could both see a free slot and start one each.
      reservedConcurrentExecutions: 1,
      environment: {
        [DISPATCH_ENV.DATASET_BUCKET]: props.datasetBucket.bucketName,
        [DISPATCH_ENV.STATE_MACHINE_ARN]: this.stateMachine.stateMachineArn,
        [DISPATCH_ENV.BACKLOG_QUEUE_URL]: this.backlogQueue.queueUrl,
        [DISPATCH_ENV.MAX_CONCURRENT_CONVERSIONS]: Tokenization.stringifyNumber(this.maxConcurrentConversions),
      },
    });
    const stack = Stack.of(this);
    const executions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stack.splitArn(this.stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const ledger = props.datasetBucket.arnForObjects(DISPATCH_LEDGER_KEY);
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'CountAndStartConversions', actions: ['states:ListExecutions', 'states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }));
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'DescribeConversions', actions: ['states:DescribeExecution'], resources: [executions] }));
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'TakeQueuedConversions', actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], resources: [this.backlogQueue.queueArn] }));
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'DispatchLedger', actions: ['s3:GetObject', 's3:PutObject'], resources: [ledger] }));
    // Without ListBucket, S3 answers 403 instead of 404 for the ledger before its first write.
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ListDatasetBucket', actions: ['s3:ListBucket'], resources: [props.datasetBucket.bucketArn] }));
    props.encryptionKey?.grant(fn.role, 'kms:Decrypt');
    props.datasetBucket.encryptionKey?.grant(fn.role, 'kms:Decrypt', 'kms:GenerateDataKey');
    acknowledgeInlinePolicy(fn.role, 'distributed conversion dispatcher');
    const policy = fn.role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledgeWildcardResource(policy, executions,
        'Reads the status of the conversions it started (executions of this state machine only; their names are the versions, known at run time).');
    }
    props.network.warnIfEndpointMissing(this, TrainingEndpoint.STEP_FUNCTIONS, 'the dispatcher cannot start queued distributed conversions');
    props.network.warnIfEndpointMissing(this, TrainingEndpoint.SQS, 'the dispatcher cannot read the distributed conversion backlog');

    const target = new targets.LambdaFunction(fn.function, { deadLetterQueue: fn.deadLetterQueue, retryAttempts: 2 });
    const executionEnded = new events.Rule(this, 'ExecutionEnded', {
      description: `Runs the dispatcher of ${this.node.path} when one of its conversions ends (a slot is free)`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [this.stateMachine.stateMachineArn], status: ENDED_STATUSES },
      },
      targets: [target],
    });
    const schedule = new events.Rule(this, 'DispatchSchedule', {
      description: `Runs the dispatcher of ${this.node.path} regularly, so a lost nudge only delays a start`,
      schedule: events.Schedule.rate(DISTRIBUTED_CONVERSION_DEFAULTS.dispatcherSchedule),
      targets: [target],
    });
    // EventBridge writes undeliverable events to the dispatcher's dead-letter queue itself.
    if (props.encryptionKey) allowEventBridgeToEncrypt(props.encryptionKey);
    return { dispatcher: fn.function, executionEnded, schedule };
  }

  /** Conversions that failed, timed out or were aborted (executions of the state machine), Sum per 5 minutes. */
  public metricExecutionsFailed(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      label: 'Distributed conversions failed',
      ...props,
      expression: 'failed + timedOut + aborted',
      usingMetrics: {
        failed: this.stateMachine.metricFailed({ period: props?.period }),
        timedOut: this.stateMachine.metricTimedOut({ period: props?.period }),
        aborted: this.stateMachine.metricAborted({ period: props?.period }),
      },
    });
  }

  /** Lets `grantee` start conversions (the ingestion function's hand-off). */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** A Lambda task that retries Lambda service errors with backoff, never permanent failures or crashes (out of memory or time), and other errors `retries` times. */
  private lambdaStep(id: string, fn: PlatformFunction, props: Omit<tasks.LambdaInvokeProps, 'lambdaFunction'>, retries: number): tasks.LambdaInvoke {
    const step = new tasks.LambdaInvoke(this, id, { ...props, lambdaFunction: fn.function, retryOnServiceExceptions: false });
    step.addRetry(SERVICE_ERROR_RETRY);
    step.addRetry({ errors: [CONVERSION_REJECTED_ERROR, CONVERSION_ABORTED_ERROR, LAMBDA_CRASH_ERROR], maxAttempts: 0 });
    if (Token.isUnresolved(retries) || retries > 0) {
      step.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(5), maxAttempts: retries, backoffRate: 3, jitterStrategy: sfn.JitterType.FULL });
    }
    return step;
  }

  /** Least privilege per function; every wildcard is a key prefix and acknowledged with its reason. */
  private grantFunctions(props: DistributedConversionProps, eventBus: events.IEventBus): void {
    const uploads = props.uploadBucket.arnForObjects(`${UPLOAD_KEY_PREFIX}*`);
    const datasets = props.datasetBucket.arnForObjects(`${DATASET_KEY_PREFIX}*`);
    const work = props.datasetBucket.arnForObjects(`${WORK_KEY_PREFIX}*`);
    const workFile = (file: string) => props.datasetBucket.arnForObjects(`${WORK_KEY_PREFIX}*/${file}`);
    // datasets/<tenant>/<datasetId>/<channel>/conversion-status.json: what the platform API shows.
    const status = props.datasetBucket.arnForObjects(`${DATASET_KEY_PREFIX}*/${CONVERSION_STATUS_FILE}`);
    const statusReason = 'Records the conversion\'s state (queued, converting with progress, failed with reason) in conversion-status.json next to each channel\'s current.json, for the platform API.';
    const readUploads = new iam.PolicyStatement({ sid: 'ReadUploads', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [uploads] });
    // Without ListBucket, S3 answers 403 instead of 404 for a missing key.
    const list = new iam.PolicyStatement({ sid: 'ListUploadAndDatasetBuckets', actions: ['s3:ListBucket'], resources: [...new Set([props.uploadBucket.bucketArn, props.datasetBucket.bucketArn])] });

    const grant = (fn: PlatformFunction, statements: iam.PolicyStatement[], wildcards: Array<[string, string]>, purpose: string, putEvents = false) => {
      for (const statement of statements) fn.role.addToPrincipalPolicy(statement);
      if (putEvents) eventBus.grantPutEventsTo(fn.role);
      acknowledgeInlinePolicy(fn.role, purpose);
      const policy = fn.role.node.tryFindChild('DefaultPolicy');
      if (policy) for (const [resource, reason] of wildcards) acknowledgeWildcardResource(policy, resource, reason);
    };
    const uploadsReason = 'Reads the upload being converted (the execution input names which, pinned to its version); nothing else in the upload bucket.';

    grant(this.steps.planner, [
      readUploads,
      new iam.PolicyStatement({ sid: 'WriteWorkFiles', actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [work] }),
      new iam.PolicyStatement({ sid: 'RecordStatus', actions: ['s3:GetObject', 's3:PutObject'], resources: [status] }),
      list,
    ], [
      [uploads, uploadsReason],
      [work, 'Writes the plan and work items of the version it plans below ingestion-work/<id>/<channel>/<version>/ (outside datasets/).'],
      [status, statusReason],
    ], 'distributed conversion planner', true);

    grant(this.steps.worker, [
      readUploads,
      new iam.PolicyStatement({ sid: 'ReadWorkItems', actions: ['s3:GetObject'], resources: [workFile('items/*'), workFile('results/*'), workFile('ABORTED')] }),
      new iam.PolicyStatement({ sid: 'RecordResults', actions: ['s3:PutObject'], resources: [workFile('results/*'), workFile('failures/*'), workFile('progress/*')] }),
      new iam.PolicyStatement({ sid: 'WriteShards', actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], resources: [datasets] }),
      list,
    ], [
      [uploads, uploadsReason],
      [workFile('items/*'), 'Reads the plan of its own work item (the Map item names which).'],
      [workFile('results/*'), 'Reads and writes the shard results of its work item, for the finalizer and for idempotent retries.'],
      [workFile('failures/*'), 'Records why its work item failed, for the failure event.'],
      [workFile('ABORTED'), 'Checks whether the conversion was aborted, to remove its own shards.'],
      [workFile('progress/*'), 'Creates the marker of the 10 % progress step its completion reached (If-None-Match), so one worker reports each step.'],
      [datasets, 'Writes the shards of the version being converted below datasets/<id>/<channel>/<version>/ (deterministic names; a retry overwrites them) and the channel\'s conversion-status.json (progress).'],
    ], 'distributed conversion worker', true);

    grant(this.steps.finalizer, [
      new iam.PolicyStatement({ sid: 'ReadAndRemoveWorkFiles', actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [work] }),
      new iam.PolicyStatement({
        sid: 'CommitVersions',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:GetObjectTagging', 's3:PutObjectTagging'],
        resources: [datasets],
      }),
      new iam.PolicyStatement({ sid: 'ListDatasetBucket', actions: ['s3:ListBucket'], resources: [props.datasetBucket.bucketArn] }),
    ], [
      [work, 'Reads the plan and shard results of the version it finalizes and removes them (and the Map Run results) afterwards.'],
      [datasets, 'Writes labels.txt, manifest.json and current.json of the version it finalizes (compare-and-swap), tags the manifest once DatasetConverted was sent.'],
    ], 'distributed conversion finalizer', true);

    grant(this.steps.failureHandler, [
      new iam.PolicyStatement({ sid: 'AbortAndRemoveWorkFiles', actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [work] }),
      new iam.PolicyStatement({ sid: 'RemovePartialVersions', actions: ['s3:GetObject', 's3:DeleteObject'], resources: [datasets] }),
      new iam.PolicyStatement({ sid: 'RecordStatus', actions: ['s3:GetObject', 's3:PutObject'], resources: [status] }),
      new iam.PolicyStatement({ sid: 'ListDatasetBucket', actions: ['s3:ListBucket'], resources: [props.datasetBucket.bucketArn] }),
    ], [
      [work, 'Writes the ABORTED marker, reads the failure records and removes the work files of the failed version.'],
      [datasets, 'Removes the shards of a failed version (never one whose manifest exists).'],
      [status, statusReason],
    ], 'distributed conversion failure handler', true);

    props.uploadBucket.encryptionKey?.grant(this.steps.planner.role, 'kms:Decrypt');
    props.uploadBucket.encryptionKey?.grant(this.steps.worker.role, 'kms:Decrypt');
    for (const fn of [this.steps.planner, this.steps.worker, this.steps.finalizer, this.steps.failureHandler]) props.datasetBucket.encryptionKey?.grant(fn.role, 'kms:Decrypt', 'kms:GenerateDataKey');
  }

  /** The state machine reads items.jsonl and writes the Map Run results; acknowledgments for what CDK grants it. */
  private grantStateMachine(props: DistributedConversionProps): void {
    props.datasetBucket.encryptionKey?.grant(this.stateMachine.role, 'kms:Decrypt', 'kms:GenerateDataKey');
    acknowledgeInlinePolicy(this.stateMachine.role, 'distributed conversion state machine');
    const findingsOn = (policy: IConstruct | undefined, resources: Array<[string, string]>) => {
      if (!policy) return;
      for (const [resource, reason] of resources) acknowledgeWildcardResource(policy, resource, reason);
    };
    const functionVersions = (fn: PlatformFunction) => `${fn.function.functionArn}:*`;
    const defaultPolicy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    findingsOn(defaultPolicy, [
      ...[this.steps.planner, this.steps.worker, this.steps.finalizer, this.steps.failureHandler].map((fn): [string, string] =>
        [functionVersions(fn), 'aws-cdk-lib grants lambda:InvokeFunction on the function and its versions/aliases (<arn>:*); only the conversion\'s own four functions.']),
      [props.datasetBucket.arnForObjects(`${WORK_KEY_PREFIX}*`), 'The Distributed Map\'s ItemReader reads items.jsonl of the version being converted (the planner names it).'],
      [props.datasetBucket.arnForObjects(`${MAP_RESULTS_KEY_PREFIX}*`), 'The Distributed Map\'s ResultWriter exports the child executions\' results below ingestion-work/map-results/.'],
    ]);
    if (defaultPolicy) {
      acknowledgeFinding(defaultPolicy, 'AwsSolutions-IAM5[Resource::*]',
        'Step Functions log delivery (logs:CreateLogDelivery and friends) and X-Ray (xray:PutTraceSegments) accept no resource scoping.');
    }
    const mapPolicy = this.stateMachine.node.tryFindChild('DistributedMapPolicy');
    if (mapPolicy instanceof iam.Policy) {
      acknowledgePolicyWildcards(mapPolicy,
        'aws-cdk-lib\'s Distributed Map policy: describe, stop and redrive this state machine\'s own executions (their names are only known at run time).');
      acknowledgeFindings(mapPolicy, ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'],
        'aws-cdk-lib\'s Distributed Map policy of this state machine only (start, describe, stop and redrive its own child executions).');
    }
  }
}

/** The Distributed Map with ToleratedFailureCount and ToleratedFailurePercentage rendered as 0 (aws-cdk-lib drops falsy values). */
class StrictDistributedMap extends sfn.DistributedMap {
  public toStateJson(queryLanguage?: sfn.QueryLanguage): object {
    return { ...super.toStateJson(queryLanguage), ToleratedFailureCount: 0, ToleratedFailurePercentage: 0 };
  }
}

/** items.jsonl (InputType JSONL), readable by the state machine only below `ingestion-work/`. */
class WorkItemReader extends sfn.S3JsonLItemReader {
  public providePolicyStatements(): iam.PolicyStatement[] {
    return [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${WORK_KEY_PREFIX}*`)] })];
  }
}

/** The Map Run results, writable by the state machine only below `ingestion-work/map-results/`. */
class MapResultWriter extends sfn.ResultWriterV2 {
  public providePolicyStatements(): iam.PolicyStatement[] {
    return [new iam.PolicyStatement({
      actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
      resources: [this.bucket!.arnForObjects(`${MAP_RESULTS_KEY_PREFIX}*`)],
    })];
  }
}

interface DistributedSettings {
  readonly maxConcurrency: number;
  readonly maxConcurrentConversions: number;
  readonly workerReservedConcurrency?: number;
  readonly workItemBytes: number;
  readonly workerMemorySize: number;
  readonly workerTimeout: Duration;
  readonly workerRetries: number;
  readonly plannerMemorySize: number;
  readonly finalizerMemorySize: number;
  readonly timeout: Duration;
  readonly conversion: ReturnType<typeof resolveConversionSettings>;
}

/** Checks every prop; each message names the prop, the bad value, the rule and the fix. */
function validateProps(scope: IConstruct, props: DistributedConversionProps): DistributedSettings {
  const ctx = { scope, construct: 'DistributedConversion' };
  const fail = (prop: string, value: string, rule: string, fix: string): never => failProp(ctx, prop, value, rule, fix);
  const D = DISTRIBUTED_CONVERSION_DEFAULTS;
  const memory = (prop: string, value: number | undefined, fallback: number) => lambdaMemoryMiB(ctx, prop, value ?? fallback);
  const maxConcurrency = integerIn(ctx, 'maxConcurrency', props.maxConcurrency ?? D.maxConcurrency, 1, 10_000,
    'Distributed Map runs at most 10000 child executions at once; keep it within your Lambda concurrency quota (1,000 by default per region).');
  const maxConcurrentConversions = integerIn(ctx, 'maxConcurrentConversions', props.maxConcurrentConversions ?? D.maxConcurrentConversions, 1, 100,
    'Use e.g. 2; uploads beyond it wait in the backlog queue (queued, not failed) until a running conversion ends.');
  const workerReservedConcurrency = workerReservation(ctx, props.workerReservedConcurrency, maxConcurrency, maxConcurrentConversions);
  const workItemSize = props.workItemSize ?? D.workItemSize;
  if (workItemSize.isUnresolved()) fail('workItemSize', 'a token', 'it must be known at synth', 'Use e.g. Size.gibibytes(1).');
  const workItemBytes = workItemSize.toBytes();
  if (!Number.isSafeInteger(workItemBytes) || workItemBytes < 1024 * 1024) {
    fail('workItemSize', `${workItemBytes} bytes`, 'it must be at least 1048576 bytes (1 MiB)', 'Use e.g. Size.gibibytes(1): about 20 s of work per worker at 60 MB/s.');
  }
  const workerTimeout = props.workerTimeout ?? D.workerTimeout;
  lambdaTimeout(ctx, 'workerTimeout', workerTimeout, 'Use e.g. Duration.minutes(15), and a smaller workItemSize if items take longer.');
  const workerRetries = integerIn(ctx, 'workerRetries', props.workerRetries ?? D.workerRetries, 0, 10, 'Use 0–10; 2 absorbs S3 throttling and rare network errors.');
  const timeout = props.timeout ?? D.timeout;
  if (!timeout.isUnresolved() && (timeout.toSeconds() < 60 || timeout.toSeconds() > 365 * 24 * 3600)) {
    fail('timeout', timeout.toHumanString(), 'it must be from 1 minute to 1 year (a STANDARD execution\'s limit)', 'Use e.g. Duration.hours(6).');
  }
  const conversion = resolveConversionSettings(props.conversion, ctx);
  return {
    maxConcurrency,
    maxConcurrentConversions,
    workerReservedConcurrency,
    workItemBytes,
    workerMemorySize: memory('workerMemorySize', props.workerMemorySize, D.workerMemorySize),
    workerTimeout,
    workerRetries,
    plannerMemorySize: memory('plannerMemorySize', props.plannerMemorySize, D.plannerMemorySize),
    finalizerMemorySize: memory('finalizerMemorySize', props.finalizerMemorySize, D.finalizerMemorySize),
    timeout,
    conversion,
  };
}

/**
 * The workers' reserved concurrency: given, or enough for every running conversion at full width.
 * Fewer than one conversion's `maxConcurrency` would throttle every conversion, so it is refused;
 * fewer than all of them at full width is allowed with a warning (workers wait and retry).
 */
function workerReservation(ctx: PropContext, value: number | undefined, maxConcurrency: number, maxConcurrentConversions: number): number | undefined {
  const tokens = Token.isUnresolved(maxConcurrency) || Token.isUnresolved(maxConcurrentConversions);
  if (value === undefined) {
    if (tokens) {
      // CloudFormation cannot multiply: the Map's MaxConcurrency and the dispatcher still bound the workers.
      if (ctx.scope) {
        Annotations.of(ctx.scope).addWarningV2('cdk-sagemaker-datasets:workersNotReserved',
          'maxConcurrency or maxConcurrentConversions is a token, so the workers\' default reservation (their product) cannot be computed at synth: ' +
          'the workers reserve no concurrency and are bounded by maxConcurrency × maxConcurrentConversions only. Set workerReservedConcurrency to reserve and cap them.');
      }
      return undefined;
    }
    return maxConcurrency * maxConcurrentConversions;
  }
  integerIn(ctx, 'workerReservedConcurrency', value, 1, 10_000,
    `Use at least maxConcurrency (${maxConcurrency}); the default reserves maxConcurrency × maxConcurrentConversions. The account keeps 100 unreserved.`);
  if (tokens || Token.isUnresolved(value)) return value;
  if (value < maxConcurrency) {
    failProp(ctx, 'workerReservedConcurrency', String(value), `it must be at least maxConcurrency (${maxConcurrency}), or every conversion's workers are throttled`,
      `Raise workerReservedConcurrency to ${maxConcurrency} or more, or lower maxConcurrency to ${value}.`);
  }
  const full = maxConcurrency * maxConcurrentConversions;
  if (value < full && ctx.scope) {
    Annotations.of(ctx.scope).addWarningV2('cdk-sagemaker-datasets:workersThrottled',
      `workerReservedConcurrency is ${value}, below maxConcurrency × maxConcurrentConversions (${maxConcurrency} × ${maxConcurrentConversions} = ${full}): ` +
      'when several conversions run, their workers are throttled and retried with backoff, and a conversion can fail if throttling lasts. ' +
      `Raise workerReservedConcurrency to ${full}, or lower maxConcurrency or maxConcurrentConversions.`);
  }
  return value;
}
