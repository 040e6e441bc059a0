import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DATASET_PREFIX } from '../../contract/key-layout';
import { JOBS_PREFIX, LAUNCHER_ENV } from '../../contract/launcher';
import { JOB_NAME_PREFIX_RULE, MAX_JOBS_CEILING, jobNamePrefixProblem } from '../../contract/launcher';
import { INSTANCE_TYPE_PATTERN, MAX_RUNTIME_CEILING_SECONDS } from '../../contract/sagemaker-limits';
import { isReservedName } from '../../contract/reserved-names';
import {
  SAGEMAKER_EVENT_SOURCE, SAGEMAKER_TRAINING_JOB_STATE_CHANGE, STATE_CHANGE_ENV, TRAINING_JOB_STATE_CHANGED,
} from '../../contract/training-job-events';
import { withDeadLetterQueue } from '../events/dead-lettered-target';
import { FileSystemAccessMode, IDatasetFileSystem, S3InputMode } from '../filesystems';
import { DEFAULT_INGESTION_EVENT_SOURCE } from '../../contract/ingestion-events';
import { PlatformFunction, PlatformFunctionInvocation } from '../lambda';
import { acknowledgeGrantFindings } from '../nag/grant-findings';
import { acknowledgeFinding, acknowledgeInlinePolicy, acknowledgeWildcardResource, nagResourceText } from '../nag/acknowledge';
import { TrainingEndpoint, TrainingNetwork } from '../network';
import { SecureBucket, SecureBucketEncryption } from '../storage';

/** The instance types a launcher allows when `allowedInstanceTypes` is not set: small CPU and single-GPU types. */
const DEFAULT_ALLOWED_INSTANCE_TYPES: readonly string[] = [
  'ml.m5.xlarge', 'ml.m5.2xlarge', 'ml.c5.xlarge', 'ml.c5.2xlarge', 'ml.g4dn.xlarge', 'ml.g4dn.2xlarge', 'ml.g5.xlarge', 'ml.g5.2xlarge',
];

/** The IAM condition keys of a `FileSystemDataSource` channel in CreateTrainingJob. */
const FILE_SYSTEM_CONDITION_KEYS = ['sagemaker:FileSystemId', 'sagemaker:FileSystemType', 'sagemaker:FileSystemDirectoryPath', 'sagemaker:FileSystemAccessMode'];

/** The log group SageMaker writes training-job logs to (one per account and region, created by SageMaker). */
const TRAINING_JOB_LOG_GROUP = '/aws/sagemaker/TrainingJobs';

/** The CloudWatch namespace of training-job metrics. */
const TRAINING_JOB_METRIC_NAMESPACE = '/aws/sagemaker/TrainingJobs';

/** Properties of a {@link TrainingJobLauncher}. */
export interface TrainingJobLauncherProps {
  /** The training network: jobs run in its training subnets with its training security group. */
  readonly network: TrainingNetwork;

  /**
   * The bucket with the converted datasets (`datasets/<datasetId>/<channel>/current.json` and the
   * version folders). Jobs with S3 channels read it; the launcher reads pointers and manifests.
   */
  readonly datasetBucket: s3.IBucket;

  /**
   * The dataset file system. File-system channels (the default source when it is set) read the
   * pinned version directory on it, read-only; jobs reading it get only its subnets.
   * @default - none: channels read S3 only (the S3 tier of `DatasetStorage`)
   */
  readonly fileSystem?: IDatasetFileSystem;

  /**
   * How S3 channels read the pinned dataset version when a request names no `inputMode`: every
   * channel without a file system, and channels with `source: "s3"` otherwise. A request may still
   * ask for `File`, `FastFile` or `Pipe` per channel.
   * @default S3InputMode.FAST_FILE
   */
  readonly s3InputMode?: S3InputMode;

  /**
   * The ECR repositories training images may come from. Requests name `<repository URI>:<tag>` or
   * `@sha256:<digest>`; the execution role pulls from these repositories only.
   */
  readonly trainingImageRepositories: ecr.IRepository[];

  /**
   * The instance types requests may use (`ml.*`). The IAM policy allows only these.
   * @default TrainingJobLauncher.DEFAULT_ALLOWED_INSTANCE_TYPES
   */
  readonly allowedInstanceTypes?: string[];

  /**
   * The cap on a job's MaxRuntimeInSeconds; at most 28 days (SageMaker's limit). Requests that name
   * no runtime get the smaller of one day and this cap.
   * @default Duration.days(1)
   */
  readonly maxRuntime?: Duration;

  /**
   * The most jobs one request may launch (the size of a sweep), 1–1000.
   * @default 50
   */
  readonly maxJobsPerRequest?: number;

  /**
   * The most instances one job may use, 1–1000.
   * @default 4
   */
  readonly maxInstanceCount?: number;

  /**
   * The largest training volume (`VolumeSizeInGB`) a job may ask for, 1–16384. Requests that name
   * none get 50 GB (or this cap when it is smaller).
   * @default 512
   */
  readonly maxVolumeSizeInGB?: number;

  /**
   * The most instances one request may start: its jobs times their `instanceCount`.
   * @default 50
   */
  readonly maxInstancesPerRequest?: number;

  /**
   * Reserved concurrency of the launcher function: at most this many requests are served at once
   * (the rest are throttled with a 429 the caller retries), and the function always has this much
   * of the account's concurrency. The account must keep at least 100 unreserved.
   * @default 5
   */
  readonly reservedConcurrency?: number;

  /**
   * The bucket that receives `jobs/<job name>/` (model.tar.gz, output.tar.gz, checkpoints).
   * @default - a new SecureBucket (SSE-KMS with `outputEncryptionKey` when set, SSE-S3 otherwise)
   */
  readonly artifactsBucket?: s3.IBucket;

  /**
   * KMS key for training volumes (`VolumeKmsKeyId`). Not passed for instance types with local NVMe
   * storage (g4dn, g5, p3dn, p4d, *d types…), which SageMaker encrypts in hardware and for which it
   * refuses a volume key.
   * @default - volumes use SageMaker's default encryption
   */
  readonly volumeEncryptionKey?: kms.IKey;

  /**
   * KMS key for model artifacts and output (`OutputDataConfig.KmsKeyId`).
   * @default - the artifacts bucket's default encryption
   */
  readonly outputEncryptionKey?: kms.IKey;

  /**
   * Whether traffic between the instances of a distributed job is encrypted (slower; multi-instance jobs only).
   * @default true
   */
  readonly interContainerTrafficEncryption?: boolean;

  /**
   * The job-name prefix of this platform: every job is `<prefix>-<client token>-<index>-<hash>`,
   * and IAM, the state-change rule and the events scope to it. Lowercase letters and digits in
   * groups joined by single hyphens, at most 24 characters. Two platforms in one account and region
   * need prefixes where neither is the start of the other.
   * @default 'dsp'
   */
  readonly jobNamePrefix?: string;

  /**
   * The bus `TrainingJobStateChanged` events go to (the ingestion's bus, to keep one platform bus).
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;

  /**
   * The `source` of `TrainingJobStateChanged` events (the ingestion's, to keep one platform source).
   * @default 'cdk-sagemaker-datasets'
   */
  readonly eventSource?: string;

  /**
   * How many CreateTrainingJob calls run at once, 1–16. SageMaker's management APIs have low,
   * non-adjustable rate limits; throttled calls are retried with backoff either way.
   * @default 2
   */
  readonly launchConcurrency?: number;

  /**
   * Reserved names requests may set anyway: `sagemaker_*` hyperparameters (e.g. `sagemaker_program`
   * and `sagemaker_submit_directory` for SageMaker's framework containers in script mode) and
   * environment variables (`SAGEMAKER_*`, `SM_*`, `AWS_*`, `LD_PRELOAD`, `PYTHONPATH`, proxies…).
   * Requests that set any other reserved name are rejected.
   * @default - none
   */
  readonly allowedReservedNames?: string[];

  /**
   * The launcher function's timeout. Jobs not reached in time are reported failed with a "retry
   * with the same clientToken" reason, never dropped.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
}

/**
 * Launches SageMaker training jobs from JSON requests: a Lambda that validates everything before
 * any call (every field error at once, all-or-nothing), pins dataset versions from `current.json`,
 * expands parameter sweeps and creates one job per hyperparameter set with deterministic,
 * idempotent names; a least-privilege SageMaker execution role; an artifacts bucket; and an
 * EventBridge rule that re-publishes this platform's "SageMaker Training Job State Change"
 * events as `TrainingJobStateChanged` platform events.
 *
 * @example
 * const launcher = new TrainingJobLauncher(this, 'Launcher', {
 *   network, datasetBucket, fileSystem,
 *   trainingImageRepositories: [repository],
 * });
 * launcher.grantInvoke(apiRole);
 * launcher.onTrainingJobStateChanged('Notify', { target: new targets.SqsQueue(queue) });
 */
export class TrainingJobLauncher extends Construct {
  /** The instance types allowed when `allowedInstanceTypes` is not set: small CPU and single-GPU types. */
  public static readonly DEFAULT_ALLOWED_INSTANCE_TYPES: string[] = [...DEFAULT_ALLOWED_INSTANCE_TYPES];
  /** The log group SageMaker writes training-job logs to (created by SageMaker, shared by the account's jobs). */
  public static readonly TRAINING_JOB_LOG_GROUP: string = TRAINING_JOB_LOG_GROUP;
  /** The CloudWatch namespace of training-job metrics. */
  public static readonly TRAINING_JOB_METRIC_NAMESPACE: string = TRAINING_JOB_METRIC_NAMESPACE;

  /** The launcher Lambda (invoke it with a launch request). */
  public readonly launcher: lambda.IFunction;
  /** The role SageMaker assumes to run the jobs. */
  public readonly executionRole: iam.Role;
  /** The bucket that receives `jobs/<job name>/…`. */
  public readonly artifactsBucket: s3.IBucket;
  /** The job-name prefix of this platform. */
  public readonly jobNamePrefix: string;
  /** The rule on the default bus that receives SageMaker's state changes of this platform's jobs. */
  public readonly stateChangeRule: events.Rule;
  /** The Lambda that re-publishes them as `TrainingJobStateChanged`. */
  public readonly stateChangePublisher: lambda.IFunction;
  /** The bus `TrainingJobStateChanged` events go to. */
  public readonly eventBus: events.IEventBus;
  /** The `source` of `TrainingJobStateChanged` events. */
  public readonly eventSource: string;

  constructor(scope: Construct, id: string, props: TrainingJobLauncherProps) {
    super(scope, id);
    const settings = validateProps(this, props);
    const stack = Stack.of(this);
    this.jobNamePrefix = settings.jobNamePrefix;
    this.eventBus = props.eventBus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.eventSource = props.eventSource ?? DEFAULT_INGESTION_EVENT_SOURCE;

    this.artifactsBucket = props.artifactsBucket ?? new SecureBucket(this, 'Artifacts', props.outputEncryptionKey
      ? { encryption: SecureBucketEncryption.KMS, encryptionKey: props.outputEncryptionKey }
      : {}).bucket;

    if (props.fileSystem) {
      props.fileSystem.allowClient(props.network);
    }

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `SageMaker training jobs ${this.jobNamePrefix}-* of the dataset platform`,
    });
    this.grantExecutionRole(props);

    const trainingSubnetIds = props.network.trainingSubnetList().map((subnet) => subnet.subnetId);
    const fileSystemSubnetIds = props.fileSystem ? props.network.vpc.selectSubnets(props.fileSystem.trainingSubnets).subnetIds : [];
    const securityGroupIds = [props.network.trainingSecurityGroup.securityGroupId];

    const launcher = new PlatformFunction(this, 'Launcher', {
      handlerName: 'launch-training-jobs',
      description: `Launches SageMaker training jobs ${this.jobNamePrefix}-* from validated requests`,
      network: props.network,
      invocation: PlatformFunctionInvocation.SYNCHRONOUS,
      memorySize: 512,
      timeout: props.timeout ?? Duration.minutes(5),
      reservedConcurrentExecutions: settings.reservedConcurrency,
      environment: {
        [LAUNCHER_ENV.JOB_NAME_PREFIX]: this.jobNamePrefix,
        [LAUNCHER_ENV.EXECUTION_ROLE_ARN]: this.executionRole.roleArn,
        [LAUNCHER_ENV.ARTIFACTS_BUCKET]: this.artifactsBucket.bucketName,
        [LAUNCHER_ENV.DATASET_BUCKET]: props.datasetBucket.bucketName,
        [LAUNCHER_ENV.SUBNET_IDS]: stack.toJsonString(trainingSubnetIds),
        [LAUNCHER_ENV.SECURITY_GROUP_IDS]: stack.toJsonString(securityGroupIds),
        ...(props.fileSystem ? {
          [LAUNCHER_ENV.FILE_SYSTEM]: stack.toJsonString({
            id: props.fileSystem.fileSystemId,
            type: props.fileSystem.fileSystemType,
            datasetRootDirectory: props.fileSystem.datasetRootDirectory,
            subnetIds: fileSystemSubnetIds,
          }),
        } : {}),
        [LAUNCHER_ENV.S3_INPUT_MODE]: props.s3InputMode ?? S3InputMode.FAST_FILE,
        [LAUNCHER_ENV.IMAGE_REPOSITORIES]: stack.toJsonString(props.trainingImageRepositories.map((repository) => repository.repositoryUri)),
        [LAUNCHER_ENV.INSTANCE_TYPES]: stack.toJsonString(settings.allowedInstanceTypes),
        [LAUNCHER_ENV.MAX_RUNTIME_SECONDS]: String(settings.maxRuntimeSeconds),
        [LAUNCHER_ENV.MAX_JOBS]: String(settings.maxJobs),
        [LAUNCHER_ENV.MAX_INSTANCE_COUNT]: String(settings.maxInstanceCount),
        [LAUNCHER_ENV.MAX_VOLUME_SIZE_GB]: String(settings.maxVolumeSizeInGB),
        [LAUNCHER_ENV.MAX_INSTANCES_PER_REQUEST]: String(settings.maxInstancesPerRequest),
        ...(props.volumeEncryptionKey ? { [LAUNCHER_ENV.VOLUME_KMS_KEY]: props.volumeEncryptionKey.keyArn } : {}),
        ...(props.outputEncryptionKey ? { [LAUNCHER_ENV.OUTPUT_KMS_KEY]: props.outputEncryptionKey.keyArn } : {}),
        [LAUNCHER_ENV.INTER_CONTAINER_ENCRYPTION]: String(settings.interContainerTrafficEncryption),
        [LAUNCHER_ENV.CONCURRENCY]: String(settings.concurrency),
        ...(settings.allowedReservedNames.length > 0 ? { [LAUNCHER_ENV.ALLOWED_RESERVED_NAMES]: JSON.stringify(settings.allowedReservedNames) } : {}),
      },
    });
    this.launcher = launcher.function;
    this.grantLauncher(launcher.role, props, settings, trainingSubnetIds, fileSystemSubnetIds, securityGroupIds);

    const publisher = new PlatformFunction(this, 'StateChangePublisher', {
      handlerName: 'publish-training-job-state',
      description: `Re-publishes state changes of SageMaker training jobs ${this.jobNamePrefix}-* as ${TRAINING_JOB_STATE_CHANGED} events`,
      network: props.network,
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: {
        [STATE_CHANGE_ENV.EVENT_BUS_NAME]: this.eventBus.eventBusName,
        [STATE_CHANGE_ENV.EVENT_SOURCE]: this.eventSource,
        [STATE_CHANGE_ENV.JOB_NAME_PREFIX]: this.jobNamePrefix,
      },
    });
    this.stateChangePublisher = publisher.function;
    publisher.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [this.eventBus.eventBusArn],
    }));
    // SageMaker's state changes arrive on the account's default bus only.
    this.stateChangeRule = new events.Rule(this, 'StateChangeRule', {
      description: `SageMaker state changes of training jobs ${this.jobNamePrefix}-*`,
      eventPattern: {
        source: [SAGEMAKER_EVENT_SOURCE],
        detailType: [SAGEMAKER_TRAINING_JOB_STATE_CHANGE],
        detail: { TrainingJobName: [{ prefix: `${this.jobNamePrefix}-` }] },
      },
      targets: [new targets.LambdaFunction(publisher.function, {
        deadLetterQueue: publisher.deadLetterQueue!,
        retryAttempts: 8,
        maxEventAge: Duration.hours(24),
      })],
    });
    props.network.warnIfEndpointMissing(this, TrainingEndpoint.SAGEMAKER_API, 'the launcher cannot call CreateTrainingJob');
    props.network.warnIfEndpointMissing(this, TrainingEndpoint.EVENTBRIDGE, `the state-change publisher cannot put ${TRAINING_JOB_STATE_CHANGED} events`);
  }

  /**
   * Lets `grantee` (the platform's API) invoke the launcher: `lambda:InvokeFunction` on the function
   * itself, not on `<arn>:*` (its versions and aliases, which nobody invokes), so the grantee's policy
   * holds no wildcard. A principal that holds no policy in this app (another account, a service)
   * gets a resource-based permission on the function instead.
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['lambda:InvokeFunction'], resourceArns: [this.launcher.functionArn] });
    if (!grant.success) {
      return this.launcher.grantInvoke(grantee);
    }
    acknowledgeGrantFindings(grantee, grant, 'TrainingJobLauncher.grantInvoke()');
    return grant;
  }

  /**
   * A rule on the platform bus that matches this launcher's `TrainingJobStateChanged` events
   * (`detail.platform` = the job-name prefix). `options.eventPattern` narrows it further, e.g.
   * `{ detail: { status: ['Completed', 'Failed'] } }`.
   */
  public onTrainingJobStateChanged(id: string, options: events.OnEventOptions = {}): events.Rule {
    const rule = new events.Rule(this, id, {
      eventBus: this.eventBus,
      description: options.description ?? `${TRAINING_JOB_STATE_CHANGED} events of training jobs ${this.jobNamePrefix}-*`,
      ruleName: options.ruleName,
      crossStackScope: options.crossStackScope,
    });
    rule.addEventPattern({
      source: [this.eventSource],
      detailType: [TRAINING_JOB_STATE_CHANGED],
      detail: { platform: [this.jobNamePrefix] },
    });
    if (options.eventPattern) {
      rule.addEventPattern(options.eventPattern);
    }
    if (options.target) {
      rule.addTarget(withDeadLetterQueue(options.target));
    }
    return rule;
  }

  /** Execution role: read the dataset prefixes, write the artifacts prefix, pull allowed images, logs, metrics, VPC ENIs. */
  private grantExecutionRole(props: TrainingJobLauncherProps): void {
    const role = this.executionRole;
    const datasets = `${DATASET_PREFIX}*`;
    const jobs = `${JOBS_PREFIX}*`;

    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadDatasets',
      actions: ['s3:GetObject'],
      resources: [props.datasetBucket.arnForObjects(datasets)],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ListDatasets',
      actions: ['s3:ListBucket'],
      resources: [props.datasetBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [datasets] } },
    }));
    props.datasetBucket.encryptionKey?.grantDecrypt(role);

    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'WriteJobArtifacts',
      // Get and List too: SageMaker restores checkpoints from jobs/<job>/checkpoints/ when a job restarts.
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'],
      resources: [this.artifactsBucket.arnForObjects(jobs)],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ListJobArtifacts',
      actions: ['s3:ListBucket'],
      resources: [this.artifactsBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [jobs] } },
    }));
    this.artifactsBucket.encryptionKey?.grantEncryptDecrypt(role);
    props.outputEncryptionKey?.grantEncryptDecrypt(role);
    if (props.volumeEncryptionKey) {
      props.volumeEncryptionKey.grantEncryptDecrypt(role);
      props.volumeEncryptionKey.grant(role, 'kms:CreateGrant', 'kms:DescribeKey');
    }

    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'PullTrainingImages',
      actions: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      resources: props.trainingImageRepositories.map((repository) => repository.repositoryArn),
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'EcrAuthorizationToken',
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    }));

    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'TrainingJobLogGroup',
      actions: ['logs:CreateLogGroup', 'logs:DescribeLogStreams'],
      resources: [this.logGroupArn('*')],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'TrainingJobLogStreams',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [this.logGroupArn(`log-stream:${this.jobNamePrefix}-*`)],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'TrainingJobMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': TRAINING_JOB_METRIC_NAMESPACE } },
    }));

    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'TrainingJobVpcNetworking',
      actions: [
        'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission',
        'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
        'ec2:DescribeVpcEndpoints',
      ],
      resources: ['*'],
    }));
    props.fileSystem?.grantDescribe(role);

    acknowledgeInlinePolicy(role, 'SageMaker training-job execution');
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledgeFinding(policy, 'AwsSolutions-IAM5[Resource::*]',
        'Resource-less actions: ecr:GetAuthorizationToken (account-wide registry token), cloudwatch:PutMetricData (conditioned on the ' +
        `${TRAINING_JOB_METRIC_NAMESPACE} namespace), fsx:DescribeFileSystems (authorized on * only) and the EC2 Describe*/network-interface actions ` +
        'SageMaker needs for VPC mode, which IAM cannot scope to resources.');
      for (const finding of this.executionRoleWildcards(props)) {
        acknowledgeFinding(policy, finding.id, finding.reason);
      }
    }
  }

  /** The wildcard resources of the execution role's policy, with why each is needed. */
  private executionRoleWildcards(props: TrainingJobLauncherProps): Array<{ id: string; reason: string }> {
    const findings = [
      { resource: props.datasetBucket.arnForObjects(`${DATASET_PREFIX}*`),
        reason: 'The role is shared by every job of the platform, so it reads any converted dataset version below datasets/ (which version a job reads is ' +
          'pinned by the launcher and enforced by its CreateTrainingJob conditions, not by this role); nothing else in the bucket.' },
      { resource: this.artifactsBucket.arnForObjects(`${JOBS_PREFIX}*`),
        reason: 'Training jobs write model, output and checkpoints below jobs/ and read checkpoints back; the role is shared by every job, so IAM cannot keep ' +
          'one job from another job\'s prefix (the job name is not a condition key); nothing outside jobs/ in the bucket.' },
      { resource: this.logGroupArn('*'), reason: `SageMaker creates and describes the log streams of the shared ${TRAINING_JOB_LOG_GROUP} log group.` },
      { resource: this.logGroupArn(`log-stream:${this.jobNamePrefix}-*`), reason: `Log streams are named after the job; only this platform's jobs (${this.jobNamePrefix}-*).` },
    ].map((wildcard) => ({ id: `AwsSolutions-IAM5[Resource::${nagResourceText(this, wildcard.resource)}]`, reason: wildcard.reason }));
    const keyActions = 'KMS data-key actions (kms:GenerateDataKey*, kms:ReEncrypt*) are action families of one key, granted on that key only.';
    findings.push({ id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason: keyActions }, { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason: keyActions });
    return findings;
  }

  /** `arn:…:logs:<region>:<account>:log-group:/aws/sagemaker/TrainingJobs:<suffix>`. */
  private logGroupArn(suffix: string): string {
    return Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: `${TRAINING_JOB_LOG_GROUP}:${suffix}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  /** Launcher role: pass the execution role to SageMaker only, create/describe/tag this platform's jobs only, read pointers and manifests. */
  private grantLauncher(role: iam.IRole, props: TrainingJobLauncherProps, settings: LauncherSettings, trainingSubnetIds: string[], fileSystemSubnetIds: string[], securityGroupIds: string[]): void {
    const stack = Stack.of(this);
    const jobArn = stack.formatArn({ service: 'sagemaker', resource: 'training-job', resourceName: `${this.jobNamePrefix}-*` });

    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'PassExecutionRoleToSageMaker',
      actions: ['iam:PassRole'],
      resources: [this.executionRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }));

    const common = (subnetIds: string[]) => ({
      'ForAllValues:StringEquals': {
        'sagemaker:VpcSubnets': subnetIds,
        'sagemaker:VpcSecurityGroupIds': securityGroupIds,
        'sagemaker:InstanceTypes': settings.allowedInstanceTypes,
      },
      'NumericLessThanEquals': { 'sagemaker:MaxRuntimeInSeconds': settings.maxRuntimeSeconds },
      ...(settings.interContainerTrafficEncryption ? { Bool: { 'sagemaker:InterContainerTrafficEncryption': 'true' } } : {}),
      // CreateTrainingJob's KMS condition keys are the *Arn ones (Service Authorization Reference).
      ...(props.outputEncryptionKey ? { ArnEquals: { 'sagemaker:OutputKmsKeyArn': props.outputEncryptionKey.keyArn } } : {}),
      ...(props.volumeEncryptionKey ? { ArnEqualsIfExists: { 'sagemaker:VolumeKmsKeyArn': props.volumeEncryptionKey.keyArn } } : {}),
    });
    const vpcRequired = { 'sagemaker:VpcSubnets': 'false', 'sagemaker:VpcSecurityGroupIds': 'false', 'sagemaker:InstanceTypes': 'false' };
    // Jobs whose channels all read S3 carry none of the file-system data source keys.
    const noFileSystemKeys = Object.fromEntries(FILE_SYSTEM_CONDITION_KEYS.map((key) => [key, 'true']));

    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'CreateS3TrainingJobs',
      actions: ['sagemaker:CreateTrainingJob'],
      resources: [jobArn],
      conditions: { ...common(trainingSubnetIds), Null: { ...vpcRequired, ...noFileSystemKeys } },
    }));
    if (props.fileSystem) {
      const fileSystem = props.fileSystem;
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'CreateFileSystemTrainingJobs',
        actions: ['sagemaker:CreateTrainingJob'],
        resources: [jobArn],
        conditions: {
          ...common(fileSystemSubnetIds),
          Null: { ...vpcRequired, 'sagemaker:FileSystemId': 'false' },
          StringEquals: {
            'sagemaker:FileSystemId': fileSystem.fileSystemId,
            'sagemaker:FileSystemType': fileSystem.fileSystemType,
            'sagemaker:FileSystemAccessMode': FileSystemAccessMode.READ_ONLY,
          },
          StringLike: { 'sagemaker:FileSystemDirectoryPath': `${fileSystem.datasetRootDirectory}/*` },
          // `*` also matches `/../`: a path climbing out of the datasets directory must not pass (dataset ids, channels and versions never hold "..").
          StringNotLike: { 'sagemaker:FileSystemDirectoryPath': '*..*' },
        },
      }));
    }
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'TagAndDescribeTrainingJobs',
      actions: ['sagemaker:AddTags', 'sagemaker:DescribeTrainingJob', 'sagemaker:ListTags'],
      resources: [jobArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'FindJobsOfClientToken',
      // A reused clientToken is found by listing the jobs whose names start with it.
      actions: ['sagemaker:ListTrainingJobs'],
      resources: ['*'],
    }));

    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadDatasetPointersAndManifests',
      actions: ['s3:GetObject'],
      resources: [
        props.datasetBucket.arnForObjects(`${DATASET_PREFIX}*/*/current.json`),
        props.datasetBucket.arnForObjects(`${DATASET_PREFIX}*/*/*/manifest.json`),
      ],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'DistinguishMissingPointers',
      // Without ListBucket S3 answers 403 instead of 404 for a missing current.json.
      actions: ['s3:ListBucket'],
      resources: [props.datasetBucket.bucketArn],
    }));
    props.datasetBucket.encryptionKey?.grantDecrypt(role);

    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      const findings = [
        { resource: jobArn,
          reason: `Job names are generated per request; the launcher may create, tag and describe only this platform's jobs (${this.jobNamePrefix}-*), with its subnets, security group, instance types and file system.` },
        { resource: props.datasetBucket.arnForObjects(`${DATASET_PREFIX}*/*/current.json`),
          reason: 'The launcher reads the current.json pointer of any dataset channel a request names; only pointers.' },
        { resource: props.datasetBucket.arnForObjects(`${DATASET_PREFIX}*/*/*/manifest.json`),
          reason: 'The launcher reads the manifest of the version it pins; only manifests.' },
      ];
      for (const finding of findings) {
        acknowledgeWildcardResource(policy, finding.resource, finding.reason);
      }
      acknowledgeFinding(policy, 'AwsSolutions-IAM5[Resource::*]',
        'sagemaker:ListTrainingJobs has no resource type (IAM authorizes it on * only); it returns job names and ARNs, which the launcher uses to find an earlier request with the same clientToken.');
    }
  }

}

interface LauncherSettings {
  readonly jobNamePrefix: string;
  readonly allowedInstanceTypes: string[];
  readonly maxRuntimeSeconds: number;
  readonly maxJobs: number;
  readonly maxInstanceCount: number;
  readonly maxVolumeSizeInGB: number;
  readonly maxInstancesPerRequest: number;
  readonly reservedConcurrency: number;
  readonly interContainerTrafficEncryption: boolean;
  readonly concurrency: number;
  readonly allowedReservedNames: string[];
}

function validateProps(scope: Construct, props: TrainingJobLauncherProps): LauncherSettings {
  const where = `TrainingJobLauncher ${scope.node.path}`;
  const problems: string[] = [];
  const jobNamePrefix = props.jobNamePrefix ?? 'dsp';
  if (Token.isUnresolved(jobNamePrefix)) {
    problems.push('jobNamePrefix must be a literal string (IAM, the event rule and job names are built from it at synth time).');
  } else if (jobNamePrefixProblem(jobNamePrefix)) {
    problems.push(`jobNamePrefix ${JSON.stringify(jobNamePrefix)} is invalid: it must be ${JOB_NAME_PREFIX_RULE}. ` +
      `Use for example ${JSON.stringify(jobNamePrefix.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24) || 'dsp')}.`);
  }
  if (props.trainingImageRepositories.length === 0) {
    problems.push('trainingImageRepositories is empty: name at least one ECR repository training images may come from.');
  }
  const allowedInstanceTypes = [...(props.allowedInstanceTypes ?? DEFAULT_ALLOWED_INSTANCE_TYPES)];
  if (allowedInstanceTypes.length === 0) {
    problems.push('allowedInstanceTypes is empty: allow at least one ml.* instance type, or leave it out for the defaults.');
  }
  const badTypes = allowedInstanceTypes.filter((type) => !INSTANCE_TYPE_PATTERN.test(type));
  if (badTypes.length > 0) {
    problems.push(`allowedInstanceTypes has ${badTypes.map((type) => JSON.stringify(type)).join(', ')}: instance types are written ml.<family>.<size>, e.g. "ml.g5.xlarge".`);
  }
  const duplicates = allowedInstanceTypes.filter((type, index) => allowedInstanceTypes.indexOf(type) !== index);
  if (duplicates.length > 0) {
    problems.push(`allowedInstanceTypes lists ${[...new Set(duplicates)].join(', ')} more than once; list each type once.`);
  }
  const maxRuntime = props.maxRuntime ?? Duration.days(1);
  let maxRuntimeSeconds = 0;
  if (maxRuntime.isUnresolved()) {
    problems.push('maxRuntime must be a literal duration.');
  } else {
    maxRuntimeSeconds = maxRuntime.toSeconds({ integral: false });
    if (!Number.isInteger(maxRuntimeSeconds) || maxRuntimeSeconds < 60 || maxRuntimeSeconds > MAX_RUNTIME_CEILING_SECONDS) {
      problems.push(`maxRuntime is ${maxRuntime.toHumanString()}: it must be a whole number of seconds from 1 minute to 28 days ` +
        `(SageMaker's MaxRuntimeInSeconds limit, ${MAX_RUNTIME_CEILING_SECONDS} s). Use for example Duration.days(3).`);
    }
  }
  const integer = (name: string, value: number | undefined, fallback: number, min: number, max: number): number => {
    const actual = value ?? fallback;
    if (!Number.isInteger(actual) || actual < min || actual > max) {
      problems.push(`${name} is ${actual}: it must be a whole number from ${min} to ${max}.`);
    }
    return actual;
  };
  const maxJobs = integer('maxJobsPerRequest', props.maxJobsPerRequest, 50, 1, MAX_JOBS_CEILING);
  const maxInstanceCount = integer('maxInstanceCount', props.maxInstanceCount, 4, 1, 1000);
  const maxVolumeSizeInGB = integer('maxVolumeSizeInGB', props.maxVolumeSizeInGB, 512, 1, 16384);
  const maxInstancesPerRequest = integer('maxInstancesPerRequest', props.maxInstancesPerRequest, 50, 1, 1_000_000);
  const reservedConcurrency = integer('reservedConcurrency', props.reservedConcurrency, 5, 1, 1000);
  const concurrency = integer('launchConcurrency', props.launchConcurrency, 2, 1, 16);
  const timeout = props.timeout;
  if (timeout && !timeout.isUnresolved() && (timeout.toSeconds() < 30 || timeout.toSeconds() > 900)) {
    problems.push(`timeout is ${timeout.toHumanString()}: a Lambda timeout is 30 seconds to 15 minutes here.`);
  }
  const allowedReservedNames = [...(props.allowedReservedNames ?? [])];
  const notReserved = allowedReservedNames.filter((name) => Token.isUnresolved(name) || !isReservedName(name));
  if (notReserved.length > 0) {
    problems.push(`allowedReservedNames has ${notReserved.map((name) => JSON.stringify(name)).join(', ')}, which ${notReserved.length === 1 ? 'is' : 'are'} not reserved ` +
      '(requests may set it already): list only literal reserved names such as "sagemaker_program" or "PYTHONPATH".');
  }
  if (problems.length > 0) {
    throw new Error(`${where}:\n  ${problems.join('\n  ')}`);
  }
  return {
    jobNamePrefix,
    allowedInstanceTypes,
    maxRuntimeSeconds,
    maxJobs,
    maxInstanceCount,
    maxVolumeSizeInGB,
    maxInstancesPerRequest,
    reservedConcurrency,
    interContainerTrafficEncryption: props.interContainerTrafficEncryption ?? true,
    concurrency,
    allowedReservedNames,
  };
}
