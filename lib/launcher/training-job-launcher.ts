import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DATASET_PREFIX, tenantDatasetPrefix, tenantJobsPrefix, tenantUploadPrefix } from '../../contract/key-layout';
import { LAUNCHER_ENV } from '../../contract/launcher';
import { JOB_NAME_PREFIX_RULE, MAX_JOBS_CEILING, jobNamePrefixProblem, tenantJobNamePrefix } from '../../contract/launcher';
import { INSTANCE_TYPE_PATTERN, MAX_RUNTIME_CEILING_SECONDS } from '../../contract/sagemaker-limits';
import { isReservedName } from '../../contract/reserved-names';
import { SHARED_AREA, TENANTS_ENV, TENANT_TAG } from '../../contract/tenant-directory';
import {
  SAGEMAKER_EVENT_SOURCE, SAGEMAKER_TRAINING_JOB_STATE_CHANGE, STATE_CHANGE_ENV, TRAINING_JOB_STATE_CHANGED,
} from '../../contract/training-job-events';
import { allowEventBridgeToEncrypt, withDeadLetterQueue } from '../events/dead-lettered-target';
import { PlatformEventBus } from '../events/platform-event-bus';
import { platformMetric } from '../monitoring/platform-metrics';
import { DatasetFileSystemType, FileSystemAccessMode, IDatasetFileSystem, S3InputMode } from '../filesystems';
import { CONVERSION_STATUS_FILE, DEFAULT_INGESTION_EVENT_SOURCE } from '../../contract/ingestion-events';
import { LAUNCHER_REJECTED_OUTCOME, PLATFORM_METRIC, PLATFORM_METRIC_DIMENSION } from '../../contract/platform-metrics';
import { PlatformFunction, PlatformFunctionInvocation } from '../lambda';
import { acknowledgeGrantFindings } from '../nag/grant-findings';
import { acknowledgeFinding, acknowledgeInlinePolicy, acknowledgeKeyActionFamilies, acknowledgeWildcardResource } from '../nag/acknowledge';
import { TrainingEndpoint, ITrainingNetwork } from '../network';
import { SecureBucket, SecureBucketEncryption } from '../storage';
import { SharedDatasetAccess, Tenant } from '../tenancy';
import { PURE, PropProblems, integerIn, numberText, throwValidation, wholeSecondsIn } from '../validation';
import { TenantRoles } from './tenant-roles';

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
  readonly network: ITrainingNetwork;

  /**
   * The platform's tenants. Each gets its own SageMaker execution role and access role (see
   * {@link TenantRoles}); jobs, datasets, logs and artifacts of one tenant are out of reach of
   * every other tenant's roles.
   * @default - one tenant, Tenant.accountDefault(): every principal of the account
   */
  readonly tenants?: Tenant[];

  /**
   * The bucket with the converted datasets (`datasets/<tenant>/<datasetId>/<channel>/current.json`
   * and the version folders). Jobs with S3 channels read it; the launcher reads pointers and manifests.
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
   * The bucket that receives `jobs/<tenant>/<job name>/` (model.tar.gz, output.tar.gz, checkpoints).
   * @default - a new SecureBucket (SSE-KMS with `outputEncryptionKey` when set, SSE-S3 otherwise)
   */
  readonly artifactsBucket?: s3.IBucket;

  /**
   * KMS key for training volumes (`VolumeKmsKeyId`). Not passed for instance types with local NVMe
   * storage (g4dn, g5, p3dn, p4d, *d types…), which SageMaker encrypts in hardware and for which it
   * refuses a volume key.
   * @default - `encryptionKey`, else SageMaker's default volume encryption
   */
  readonly volumeEncryptionKey?: kms.IKey;

  /**
   * KMS key for model artifacts and output (`OutputDataConfig.KmsKeyId`).
   * @default - `encryptionKey`, else the artifacts bucket's default encryption
   */
  readonly outputEncryptionKey?: kms.IKey;

  /**
   * A customer managed key for everything of the launcher at rest: its functions' log groups and
   * dead-letter queues, and (unless set separately) training volumes (`volumeEncryptionKey`), model
   * output and the artifacts bucket (`outputEncryptionKey`). Its key policy must let the services
   * use it (see `PlatformKey`).
   * @default - AWS managed encryption
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Whether traffic between the instances of a distributed job is encrypted (slower; multi-instance jobs only).
   * @default true
   */
  readonly interContainerTrafficEncryption?: boolean;

  /**
   * Whether every job runs with `EnableNetworkIsolation`: the training container gets no network
   * at all (no S3, no AWS APIs, no internet; the instances of a distributed job still reach each
   * other). SageMaker itself still reads the channels and writes the output with the execution
   * role, so S3 channels (File and FastFile) and FSx for Lustre / EFS file-system channels work;
   * code that calls AWS or downloads anything from inside the container does not, and the
   * SageMaker RL and Chainer containers refuse isolation. The launcher's IAM policy then allows
   * CreateTrainingJob only with `sagemaker:NetworkIsolation` true, so no other caller of its role
   * can start a job with a network.
   * @default false
   */
  readonly enableNetworkIsolation?: boolean;

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
   * A {@link PlatformEventBus} lets only the platform's publishers put events on it.
   * @default - a new PlatformEventBus
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
 * Launches SageMaker training jobs from JSON requests ({@link TrainingJobLaunchRequest}, answered with a
 * {@link TrainingJobLaunchResponse}): a Lambda that validates everything before
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

  /** The launcher Lambda (invoke it with a {@link TrainingJobLaunchRequest}). */
  public readonly launcher: lambda.IFunction;
  /** The roles of each tenant, in the order of `tenants`. */
  public readonly tenantRoles: TenantRoles[];
  /** The bucket that receives `jobs/<tenant>/<job name>/…`. */
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

  /** The customer managed key of the launcher's logs, queues, volumes and output, if one was given. */
  public readonly encryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, launcherProps: TrainingJobLauncherProps) {
    super(scope, id);
    // encryptionKey stands in for the volume and output keys that are not set on their own.
    const props: TrainingJobLauncherProps = {
      ...launcherProps,
      volumeEncryptionKey: launcherProps.volumeEncryptionKey ?? launcherProps.encryptionKey,
      outputEncryptionKey: launcherProps.outputEncryptionKey ?? launcherProps.encryptionKey,
    };
    const settings = validateProps(this, props);
    const stack = Stack.of(this);
    this.jobNamePrefix = settings.jobNamePrefix;
    this.eventBus = props.eventBus ?? new PlatformEventBus(this, 'EventBus');
    this.eventSource = props.eventSource ?? DEFAULT_INGESTION_EVENT_SOURCE;
    this.encryptionKey = props.encryptionKey;

    this.artifactsBucket = props.artifactsBucket ?? new SecureBucket(this, 'Artifacts', props.outputEncryptionKey
      ? { encryption: SecureBucketEncryption.KMS, encryptionKey: props.outputEncryptionKey }
      : {}).bucket;
    props.network.allowS3Bucket(this.artifactsBucket);
    props.network.allowS3Bucket(props.datasetBucket);

    if (props.fileSystem) {
      props.fileSystem.allowClient(props.network);
    }

    const trainingSubnetIds = props.network.trainingSubnetList().map((subnet) => subnet.subnetId);
    const fileSystemSubnetIds = props.fileSystem ? props.network.vpc.selectSubnets(props.fileSystem.trainingSubnets).subnetIds : [];
    const securityGroupIds = [props.network.trainingSecurityGroup.securityGroupId];

    const launcher = new PlatformFunction(this, 'Launcher', {
      handlerName: 'launch-training-jobs',
      description: `Launches SageMaker training jobs ${this.jobNamePrefix}-* from validated requests`,
      network: props.network,
      encryptionKey: props.encryptionKey,
      invocation: PlatformFunctionInvocation.SYNCHRONOUS,
      memorySize: 512,
      timeout: props.timeout ?? Duration.minutes(5),
      reservedConcurrentExecutions: settings.reservedConcurrency,
      environment: {
        [LAUNCHER_ENV.JOB_NAME_PREFIX]: this.jobNamePrefix,
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
        [LAUNCHER_ENV.MAX_RUNTIME_SECONDS]: numberText(settings.maxRuntimeSeconds),
        [LAUNCHER_ENV.MAX_JOBS]: numberText(settings.maxJobs),
        [LAUNCHER_ENV.MAX_INSTANCE_COUNT]: numberText(settings.maxInstanceCount),
        [LAUNCHER_ENV.MAX_VOLUME_SIZE_GB]: numberText(settings.maxVolumeSizeInGB),
        [LAUNCHER_ENV.MAX_INSTANCES_PER_REQUEST]: numberText(settings.maxInstancesPerRequest),
        ...(props.volumeEncryptionKey ? { [LAUNCHER_ENV.VOLUME_KMS_KEY]: props.volumeEncryptionKey.keyArn } : {}),
        ...(props.outputEncryptionKey ? { [LAUNCHER_ENV.OUTPUT_KMS_KEY]: props.outputEncryptionKey.keyArn } : {}),
        [LAUNCHER_ENV.INTER_CONTAINER_ENCRYPTION]: String(settings.interContainerTrafficEncryption),
        ...(settings.networkIsolation ? { [LAUNCHER_ENV.NETWORK_ISOLATION]: 'true' } : {}),
        [LAUNCHER_ENV.CONCURRENCY]: numberText(settings.concurrency),
        ...(settings.allowedReservedNames.length > 0 ? { [LAUNCHER_ENV.ALLOWED_RESERVED_NAMES]: JSON.stringify(settings.allowedReservedNames) } : {}),
      },
    });
    this.launcher = launcher.function;
    this.tenantRoles = settings.tenants.map((tenant) => {
      const roles = new TenantRoles(this, `Tenant${tenant.name}`, tenant, this.jobNamePrefix, launcher.role);
      this.grantExecutionRole(roles, props);
      this.grantAccessRole(roles, props, settings, trainingSubnetIds, fileSystemSubnetIds, securityGroupIds);
      return roles;
    });
    launcher.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ActForTenants',
      actions: ['sts:AssumeRole'],
      resources: this.tenantRoles.map((roles) => roles.accessRole.roleArn),
    }));
    launcher.function.addEnvironment(TENANTS_ENV, this.tenantDirectoryJson());

    const publisher = new PlatformFunction(this, 'StateChangePublisher', {
      handlerName: 'publish-training-job-state',
      description: `Re-publishes state changes of SageMaker training jobs ${this.jobNamePrefix}-* as ${TRAINING_JOB_STATE_CHANGED} events`,
      network: props.network,
      encryptionKey: props.encryptionKey,
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: {
        [STATE_CHANGE_ENV.EVENT_BUS_NAME]: this.eventBus.eventBusName,
        [STATE_CHANGE_ENV.EVENT_SOURCE]: this.eventSource,
        [STATE_CHANGE_ENV.JOB_NAME_PREFIX]: this.jobNamePrefix,
      },
    });
    this.stateChangePublisher = publisher.function;
    this.eventBus.grantPutEventsTo(publisher.role);
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
    if (props.encryptionKey) allowEventBridgeToEncrypt(props.encryptionKey);
    props.network.warnIfEndpointMissing(this, TrainingEndpoint.SAGEMAKER_API, 'the launcher cannot call CreateTrainingJob');
    props.network.warnIfEndpointMissing(this, TrainingEndpoint.EVENTBRIDGE, `the state-change publisher cannot put ${TRAINING_JOB_STATE_CHANGED} events`);
  }

  /**
   * Lets `grantee` (the platform's API) invoke the launcher: `lambda:InvokeFunction` on the function
   * itself, not on `<arn>:*` (its versions and aliases, which nobody invokes), so the grantee's policy
   * holds no wildcard. A principal that holds no policy in this app (another account, a service)
   * gets a resource-based permission on the function instead.
   * The launcher acts for the tenant the event names, so only a caller that decides the tenant from
   * the caller's identity may invoke it.
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['lambda:InvokeFunction'], resourceArns: [this.launcher.functionArn] });
    if (!grant.success) {
      return this.launcher.grantInvoke(grantee);
    }
    acknowledgeGrantFindings(grantee, grant, 'TrainingJobLauncher.grantInvoke()');
    return grant;
  }

  /** The roles of the tenant with this name; throws naming the tenants when there is none. */
  public rolesOf(tenantName: string): TenantRoles {
    const roles = this.tenantRoles.find((candidate) => candidate.tenant.name === tenantName);
    if (!roles) {
      throwValidation(this, 'UnknownTenant', `TrainingJobLauncher ${this.node.path} has no tenant ${JSON.stringify(tenantName)}; its tenants are ` +
        `${this.tenantRoles.map((candidate) => candidate.tenant.name).join(', ')}. Use one of them, or add the tenant to the launcher's tenants.`);
    }
    return roles;
  }

  /**
   * Lets `grantee` (a role of the platform's API) assume every tenant's access role, to act for the
   * tenant it maps a caller to: the access role's trust policy names the grantee, and the grantee
   * may call sts:AssumeRole on the access roles.
   */
  public grantAssumeTenantRoles(grantee: iam.IGrantable): void {
    for (const roles of this.tenantRoles) {
      roles.accessRole.assumeRolePolicy?.addStatements(new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        principals: [grantee.grantPrincipal],
      }));
    }
    iam.Grant.addToPrincipal({ grantee, actions: ['sts:AssumeRole'], resourceArns: this.tenantRoles.map((roles) => roles.accessRole.roleArn) });
  }

  /**
   * Lets each tenant's access role upload below `uploads/<tenant>/` of `uploadBucket` (single and
   * multipart uploads, presigned by the platform's API) and nowhere else.
   */
  public grantTenantUploads(uploadBucket: s3.IBucket): void {
    for (const roles of this.tenantRoles) {
      const prefix = tenantUploadPrefix(roles.tenant.name);
      roles.accessRole.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'UploadTenantDatasets',
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [uploadBucket.arnForObjects(`${prefix}*`)],
      }));
      roles.accessRole.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'ListTenantUploads',
        actions: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [uploadBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      }));
      uploadBucket.encryptionKey?.grantEncryptDecrypt(roles.accessRole);
      const policy = roles.accessRole.node.tryFindChild('DefaultPolicy');
      if (policy) {
        acknowledgeWildcardResource(policy, uploadBucket.arnForObjects(`${prefix}*`),
          `Tenant ${roles.tenant.name} uploads any dataset zip below ${prefix} (keys are chosen by the tenant's users); no other tenant's prefix, nothing else in the bucket.`);
        if (uploadBucket.encryptionKey) acknowledgeKeyActionFamilies(policy);
      }
    }
  }

  /** The JSON of the tenant directory the platform's functions read ({@link TENANTS_ENV}). */
  public tenantDirectoryJson(): string {
    return Stack.of(this).toJsonString({
      tenants: this.tenantRoles.map((roles) => ({
        name: roles.tenant.name,
        principalArnPatterns: roles.tenant.principalArnPatterns,
        claimValues: roles.tenant.jwtClaimValues,
        ...(roles.tenant.maxConcurrentJobs !== undefined ? { maxConcurrentJobs: roles.tenant.maxConcurrentJobs } : {}),
        ...(roles.tenant.allowedInstanceTypes ? { allowedInstanceTypes: roles.tenant.allowedInstanceTypes } : {}),
        readsSharedDatasets: roles.tenant.sharedDatasets === SharedDatasetAccess.READ,
        executionRoleArn: roles.executionRole.roleArn,
        accessRoleArn: roles.accessRole.roleArn,
      })),
    });
  }

  /** Launch and stop requests refused before any SageMaker call (invalid, conflicting or over quota), Sum per 5 minutes. */
  public metricRejections(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return platformMetric(PLATFORM_METRIC.LAUNCHER_RESPONSES, {
      [PLATFORM_METRIC_DIMENSION.FUNCTION_NAME]: this.launcher.functionName,
      [PLATFORM_METRIC_DIMENSION.OUTCOME]: LAUNCHER_REJECTED_OUTCOME,
    }, { statistic: cloudwatch.Stats.SUM, label: 'Rejected requests' }, props);
  }

  /** Launcher invocations that failed with an error (the function's `Errors`), Sum per 5 minutes. */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.launcher.metricErrors(props);
  }

  /**
   * `TrainingJobStateChanged` events with `detail.status` = `status` (`InProgress`, `Completed`,
   * `Failed`, `Stopping`, `Stopped`), Sum per 5 minutes. SageMaker may report a state more than once.
   */
  public metricTrainingJobStateChanges(status: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return platformMetric(PLATFORM_METRIC.TRAINING_JOB_STATE_CHANGES, {
      [PLATFORM_METRIC_DIMENSION.EVENT_BUS]: this.eventBus.eventBusName,
      [PLATFORM_METRIC_DIMENSION.STATUS]: status,
    }, { statistic: cloudwatch.Stats.SUM, label: status }, props);
  }

  /**
   * A rule on the platform bus that matches this launcher's `TrainingJobStateChanged` events
   * (`detail.platform` = the job-name prefix; the detail is a {@link TrainingJobStateChangedDetail}). `options.eventPattern` narrows it further, e.g.
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
      rule.addTarget(withDeadLetterQueue(options.target, this.encryptionKey));
    }
    return rule;
  }

  /** The dataset prefixes a tenant reads: its own and, unless it opts out, the shared ones. */
  private readablePrefixes(tenant: Tenant): string[] {
    return [tenantDatasetPrefix(tenant.name), ...(tenant.sharedDatasets === SharedDatasetAccess.READ ? [tenantDatasetPrefix(SHARED_AREA)] : [])];
  }

  /** A tenant's execution role: read its (and the shared) dataset prefixes, write its job prefix, pull allowed images, logs, metrics, VPC ENIs. */
  private grantExecutionRole(roles: TenantRoles, props: TrainingJobLauncherProps): void {
    const role = roles.executionRole;
    const tenant = roles.tenant;
    const datasets = this.readablePrefixes(tenant).map((prefix) => `${prefix}*`);
    const jobs = `${tenantJobsPrefix(tenant.name)}*`;
    const jobStreams = `log-stream:${tenantJobNamePrefix(this.jobNamePrefix, tenant.name)}*`;

    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadTenantDatasets',
      actions: ['s3:GetObject'],
      resources: datasets.map((prefix) => props.datasetBucket.arnForObjects(prefix)),
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ListTenantDatasets',
      actions: ['s3:ListBucket'],
      resources: [props.datasetBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': datasets } },
    }));
    props.datasetBucket.encryptionKey?.grantDecrypt(role);

    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'WriteTenantJobArtifacts',
      // Get and List too: SageMaker restores checkpoints from jobs/<tenant>/<job>/checkpoints/ when a (spot) job restarts.
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'],
      resources: [this.artifactsBucket.arnForObjects(jobs)],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ListTenantJobArtifacts',
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
      sid: 'TenantJobLogStreams',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [this.logGroupArn(jobStreams)],
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

    acknowledgeInlinePolicy(role, `SageMaker training-job execution for tenant ${tenant.name}`);
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledgeFinding(policy, 'AwsSolutions-IAM5[Resource::*]',
        'Resource-less actions: ecr:GetAuthorizationToken (account-wide registry token), cloudwatch:PutMetricData (conditioned on the ' +
        `${TRAINING_JOB_METRIC_NAMESPACE} namespace), ${props.fileSystem?.fileSystemType === DatasetFileSystemType.FSX_LUSTRE ? 'fsx:DescribeFileSystems (authorized on * only) ' : ''}` +
        'and the EC2 Describe*/network-interface actions ' +
        'SageMaker needs for VPC mode, which IAM cannot scope to resources.');
      const wildcards = [
        ...datasets.map((prefix) => ({ resource: props.datasetBucket.arnForObjects(prefix),
          reason: `Tenant ${tenant.name}'s jobs read datasets below ${prefix.slice(0, -1)} only (their own${prefix.includes(SHARED_AREA) ? ', or the platform\'s shared ones, read-only' : ''}); no other tenant's.` })),
        { resource: this.artifactsBucket.arnForObjects(jobs),
          reason: `Tenant ${tenant.name}'s jobs write model, output and checkpoints below ${jobs.slice(0, -1)} only and read checkpoints back; no other tenant's.` },
        { resource: this.logGroupArn('*'), reason: `SageMaker creates and describes the log streams of the shared ${TRAINING_JOB_LOG_GROUP} log group.` },
        { resource: this.logGroupArn(jobStreams), reason: `Log streams are named after the job; only tenant ${tenant.name}'s jobs.` },
      ];
      for (const wildcard of wildcards) {
        acknowledgeWildcardResource(policy, wildcard.resource, wildcard.reason);
      }
      acknowledgeKeyActionFamilies(policy);
    }
  }

  /** `arn:…:logs:<region>:<account>:log-group:/aws/sagemaker/TrainingJobs:<suffix>`. */
  private logGroupArn(suffix: string): string {
    return Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: `${TRAINING_JOB_LOG_GROUP}:${suffix}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  /**
   * A tenant's access role: pass the tenant's execution role to SageMaker only; create jobs named
   * `<prefix>-<tenant>-*`, tagged with the tenant, with the platform's network, the tenant's
   * instance types and the tenant's file-system directories only; describe, stop and tag its jobs;
   * read its logs, artifacts and dataset pointers.
   */
  private grantAccessRole(roles: TenantRoles, props: TrainingJobLauncherProps, settings: LauncherSettings,
    trainingSubnetIds: string[], fileSystemSubnetIds: string[], securityGroupIds: string[]): void {
    const stack = Stack.of(this);
    const role = roles.accessRole;
    const tenant = roles.tenant;
    const namePrefix = tenantJobNamePrefix(this.jobNamePrefix, tenant.name);
    const jobArn = stack.formatArn({ service: 'sagemaker', resource: 'training-job', resourceName: `${namePrefix}*` });
    const instanceTypes = tenant.allowedInstanceTypes ?? settings.allowedInstanceTypes;
    const readable = this.readablePrefixes(tenant);

    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'PassTenantExecutionRole',
      actions: ['iam:PassRole'],
      resources: [roles.executionRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }));

    const common = (subnetIds: string[]) => ({
      'ForAllValues:StringEquals': {
        'sagemaker:VpcSubnets': subnetIds,
        'sagemaker:VpcSecurityGroupIds': securityGroupIds,
        'sagemaker:InstanceTypes': instanceTypes,
      },
      'NumericLessThanEquals': { 'sagemaker:MaxRuntimeInSeconds': settings.maxRuntimeSeconds },
      ...(settings.interContainerTrafficEncryption || settings.networkIsolation ? {
        Bool: {
          ...(settings.interContainerTrafficEncryption ? { 'sagemaker:InterContainerTrafficEncryption': 'true' } : {}),
          ...(settings.networkIsolation ? { 'sagemaker:NetworkIsolation': 'true' } : {}),
        },
      } : {}),
      // CreateTrainingJob's KMS condition keys are the *Arn ones (Service Authorization Reference).
      ...(props.outputEncryptionKey ? { ArnEquals: { 'sagemaker:OutputKmsKeyArn': props.outputEncryptionKey.keyArn } } : {}),
      ...(props.volumeEncryptionKey ? { ArnEqualsIfExists: { 'sagemaker:VolumeKmsKeyArn': props.volumeEncryptionKey.keyArn } } : {}),
    });
    const tenantTag = { [`aws:RequestTag/${TENANT_TAG}`]: tenant.name };
    const vpcRequired = { 'sagemaker:VpcSubnets': 'false', 'sagemaker:VpcSecurityGroupIds': 'false', 'sagemaker:InstanceTypes': 'false' };
    // Jobs whose channels all read S3 carry none of the file-system data source keys.
    const noFileSystemKeys = Object.fromEntries(FILE_SYSTEM_CONDITION_KEYS.map((key) => [key, 'true']));

    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'CreateTenantS3TrainingJobs',
      actions: ['sagemaker:CreateTrainingJob'],
      resources: [jobArn],
      conditions: { ...common(trainingSubnetIds), Null: { ...vpcRequired, ...noFileSystemKeys }, StringEquals: tenantTag },
    }));
    if (props.fileSystem) {
      const fileSystem = props.fileSystem;
      const directories = readable.map((prefix) => `${fileSystem.datasetRootDirectory}/${prefix.slice(DATASET_PREFIX.length)}*`);
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'CreateTenantFileSystemTrainingJobs',
        actions: ['sagemaker:CreateTrainingJob'],
        resources: [jobArn],
        conditions: {
          ...common(fileSystemSubnetIds),
          Null: { ...vpcRequired, 'sagemaker:FileSystemId': 'false', 'sagemaker:FileSystemDirectoryPath': 'false' },
          StringEquals: {
            ...tenantTag,
            'sagemaker:FileSystemId': fileSystem.fileSystemId,
            'sagemaker:FileSystemType': fileSystem.fileSystemType,
            'sagemaker:FileSystemAccessMode': FileSystemAccessMode.READ_ONLY,
          },
          // `*` also matches `/../`: a path climbing out of the tenant's directory must not pass (dataset ids, channels and versions never hold "..").
          StringNotLike: { 'sagemaker:FileSystemDirectoryPath': '*..*' },
          // Every channel's directory (ForAllValues, whether SageMaker passes one value per channel or all at once).
          'ForAllValues:StringLike': { 'sagemaker:FileSystemDirectoryPath': directories },
        },
      }));
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'DenyClimbingDirectoryPaths',
        effect: iam.Effect.DENY,
        actions: ['sagemaker:CreateTrainingJob'],
        resources: ['*'],
        // "/datasets/<tenant>/../<other>" matches "/datasets/<tenant>/*"; refuse dot segments and empty segments outright.
        conditions: { 'ForAnyValue:StringLike': { 'sagemaker:FileSystemDirectoryPath': ['*/..', '*/../*', '*/.', '*/./*', '*//*'] } },
      }));
    }
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'TagTenantTrainingJobsAtCreation',
      // CreateTrainingJob with Tags needs AddTags; only with the tenant's own tag, so no job can be re-tagged to another tenant.
      actions: ['sagemaker:AddTags'],
      resources: [jobArn],
      conditions: { StringEquals: tenantTag },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'DescribeTenantTrainingJobs',
      // By name only: the launcher describes a job before it exists (idempotent retries), when it has no tags yet.
      actions: ['sagemaker:DescribeTrainingJob', 'sagemaker:ListTags'],
      resources: [jobArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'StopTenantTrainingJobs',
      actions: ['sagemaker:StopTrainingJob'],
      resources: [jobArn],
      conditions: { StringEquals: { [`aws:ResourceTag/${TENANT_TAG}`]: tenant.name } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'CountTrainingJobs',
      // ListTrainingJobs has no resource; the launcher keeps only the tenant's names (its quota).
      actions: ['sagemaker:ListTrainingJobs'],
      resources: ['*'],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'FindJobsOfClientToken',
      // A reused clientToken is found by listing the jobs whose names start with it.
      actions: ['sagemaker:ListTrainingJobs'],
      resources: ['*'],
    }));

    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadTenantDatasetPointersAndManifests',
      actions: ['s3:GetObject'],
      resources: readable.flatMap((prefix) => [
        props.datasetBucket.arnForObjects(`${prefix}*/*/current.json`),
        props.datasetBucket.arnForObjects(`${prefix}*/*/*/manifest.json`),
        // The API's dataset listing shows the newest conversion's progress or failure.
        props.datasetBucket.arnForObjects(`${prefix}*/*/${CONVERSION_STATUS_FILE}`),
      ]),
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ListTenantDatasets',
      actions: ['s3:ListBucket'],
      resources: [props.datasetBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': readable.map((prefix) => `${prefix}*`) } },
    }));
    props.datasetBucket.encryptionKey?.grantDecrypt(role);

    const jobs = `${tenantJobsPrefix(tenant.name)}*`;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadTenantJobArtifacts',
      actions: ['s3:GetObject'],
      resources: [this.artifactsBucket.arnForObjects(jobs)],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ListTenantJobArtifacts',
      actions: ['s3:ListBucket'],
      resources: [this.artifactsBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [jobs] } },
    }));
    this.artifactsBucket.encryptionKey?.grantDecrypt(role);
    props.outputEncryptionKey?.grantDecrypt(role);

    const jobStreams = this.logGroupArn(`log-stream:${namePrefix}*`);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadTenantJobLogs',
      actions: ['logs:GetLogEvents'],
      resources: [jobStreams],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'FindTenantJobLogStreams',
      // Stream names only (DescribeLogStreams is authorized on the log group): the API asks with the job's name as prefix.
      actions: ['logs:DescribeLogStreams'],
      resources: [this.logGroupArn('*')],
    }));

    acknowledgeInlinePolicy(role, `the dataset platform acting for tenant ${tenant.name}`);
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledgeFinding(policy, 'AwsSolutions-IAM5[Resource::*]',
        'sagemaker:ListTrainingJobs has no resource type (the launcher counts only the tenant\'s jobs from it); the Deny of climbing directory paths applies to every job.');
      const findings = [
        { resource: jobArn, reason: `Job names are generated per request; tenant ${tenant.name} may create (with its tag, role, instance types, network and directories), tag, describe and stop only its own jobs (${namePrefix}*).` },
        ...readable.flatMap((prefix) => [
          { resource: props.datasetBucket.arnForObjects(`${prefix}*/*/current.json`), reason: `The current.json pointers of the datasets tenant ${tenant.name} may read (below ${prefix}); only pointers.` },
          { resource: props.datasetBucket.arnForObjects(`${prefix}*/*/*/manifest.json`), reason: `The manifests of the datasets tenant ${tenant.name} may read (below ${prefix}); only manifests.` },
          { resource: props.datasetBucket.arnForObjects(`${prefix}*/*/${CONVERSION_STATUS_FILE}`), reason: `The conversion status of the datasets tenant ${tenant.name} may read (below ${prefix}); only status documents.` },
        ]),
        { resource: this.artifactsBucket.arnForObjects(jobs), reason: `Models, output and checkpoints of tenant ${tenant.name}'s jobs only.` },
        { resource: jobStreams, reason: `Log streams of tenant ${tenant.name}'s jobs only (named after the job).` },
        { resource: this.logGroupArn('*'), reason: `Listing stream names of the shared ${TRAINING_JOB_LOG_GROUP} log group to find a job's streams; reading them is limited to the tenant's.` },
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
  readonly tenants: Tenant[];
  readonly allowedInstanceTypes: string[];
  readonly maxRuntimeSeconds: number;
  readonly maxJobs: number;
  readonly maxInstanceCount: number;
  readonly maxVolumeSizeInGB: number;
  readonly maxInstancesPerRequest: number;
  readonly reservedConcurrency: number;
  readonly interContainerTrafficEncryption: boolean;
  readonly networkIsolation: boolean;
  readonly concurrency: number;
  readonly allowedReservedNames: string[];
}

function validateProps(scope: Construct, props: TrainingJobLauncherProps): LauncherSettings {
  const problems = new PropProblems({ scope, construct: 'TrainingJobLauncher' });
  const jobNamePrefix = props.jobNamePrefix ?? 'dsp';
  if (Token.isUnresolved(jobNamePrefix)) {
    problems.add('jobNamePrefix', 'jobNamePrefix must be a literal string (IAM, the event rule and job names are built from it at synth time).');
  } else if (jobNamePrefixProblem(jobNamePrefix)) {
    problems.addProp('jobNamePrefix', JSON.stringify(jobNamePrefix), `it must be ${JOB_NAME_PREFIX_RULE}`,
      `Use for example ${JSON.stringify(jobNamePrefix.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24) || 'dsp')}.`);
  }
  if (props.trainingImageRepositories.length === 0) {
    problems.add('trainingImageRepositories', 'trainingImageRepositories is empty: name at least one ECR repository training images may come from.');
  }
  const allowedInstanceTypes = [...(props.allowedInstanceTypes ?? DEFAULT_ALLOWED_INSTANCE_TYPES)];
  if (allowedInstanceTypes.length === 0) {
    problems.add('allowedInstanceTypes', 'allowedInstanceTypes is empty: allow at least one ml.* instance type, or leave it out for the defaults.');
  }
  const badTypes = allowedInstanceTypes.filter((type) => !Token.isUnresolved(type) && !INSTANCE_TYPE_PATTERN.test(type));
  if (badTypes.length > 0) {
    problems.add('allowedInstanceTypes', `allowedInstanceTypes has ${badTypes.map((type) => JSON.stringify(type)).join(', ')}: instance types are written ml.<family>.<size>, e.g. "ml.g5.xlarge".`);
  }
  const duplicates = allowedInstanceTypes.filter((type, index) => allowedInstanceTypes.indexOf(type) !== index);
  if (duplicates.length > 0) {
    problems.add('allowedInstanceTypes', `allowedInstanceTypes lists ${[...new Set(duplicates)].join(', ')} more than once; list each type once.`);
  }
  const maxRuntime = props.maxRuntime ?? Duration.days(1);
  let maxRuntimeSeconds = 0;
  problems.check(() => {
    maxRuntimeSeconds = wholeSecondsIn(PURE, 'maxRuntime', maxRuntime, 60, MAX_RUNTIME_CEILING_SECONDS,
      `SageMaker's MaxRuntimeInSeconds limit is ${MAX_RUNTIME_CEILING_SECONDS} s; use for example Duration.days(3).`);
  });
  const whole = (prop: string, value: number, min: number, max: number, fix: string): number => {
    problems.check(() => integerIn(PURE, prop, value, min, max, fix));
    return value;
  };
  const maxJobs = whole('maxJobsPerRequest', props.maxJobsPerRequest ?? 50, 1, MAX_JOBS_CEILING,
    'One request expands to at most this many training jobs (a hyperparameter sweep); use e.g. 50.');
  const maxInstanceCount = whole('maxInstanceCount', props.maxInstanceCount ?? 4, 1, 1000,
    'This caps InstanceCount of one training job; use e.g. 4.');
  const maxVolumeSizeInGB = whole('maxVolumeSizeInGB', props.maxVolumeSizeInGB ?? 512, 1, 16384,
    'SageMaker attaches EBS volumes of 1 to 16384 GB; use e.g. 512.');
  const maxInstancesPerRequest = whole('maxInstancesPerRequest', props.maxInstancesPerRequest ?? 50, 1, 1_000_000,
    'This caps instances summed over every job of one request; use e.g. 50.');
  const reservedConcurrency = whole('reservedConcurrency', props.reservedConcurrency ?? 5, 1, 1000,
    'Reserve a few concurrent launches from the account\'s Lambda pool; use e.g. 5.');
  const concurrency = whole('launchConcurrency', props.launchConcurrency ?? 2, 1, 16,
    'The launcher calls SageMaker this many requests at a time within one invocation; use e.g. 2 (CreateTrainingJob is throttled per account).');
  if (props.timeout) {
    const timeout = props.timeout;
    problems.check(() => wholeSecondsIn(PURE, 'timeout', timeout, 30, 900, 'A Lambda timeout is 30 seconds to 15 minutes here; use e.g. Duration.minutes(5).'));
  }
  const allowedReservedNames = [...(props.allowedReservedNames ?? [])];
  const notReserved = allowedReservedNames.filter((name) => Token.isUnresolved(name) || !isReservedName(name));
  if (notReserved.length > 0) {
    problems.add('allowedReservedNames', `allowedReservedNames has ${notReserved.map((name) => JSON.stringify(name)).join(', ')}, which ${notReserved.length === 1 ? 'is' : 'are'} not reserved ` +
      '(requests may set it already): list only literal reserved names such as "sagemaker_program" or "PYTHONPATH".');
  }
  const tenants = props.tenants ?? [Tenant.accountDefault()];
  if (tenants.length === 0) {
    problems.add('tenants', 'tenants is empty: declare at least one Tenant, or leave it out for Tenant.accountDefault() (every principal of the account).');
  }
  const names = tenants.map((tenant) => tenant.name);
  const twice = names.filter((name, index) => names.indexOf(name) !== index);
  if (twice.length > 0) {
    problems.add('tenants', `tenants has ${[...new Set(twice)].map((name) => JSON.stringify(name)).join(', ')} more than once; tenant names are unique.`);
  }
  for (const tenant of tenants) {
    const outside = (tenant.allowedInstanceTypes ?? []).filter((type) => !allowedInstanceTypes.includes(type));
    if (outside.length > 0) {
      problems.add('tenants', `tenant ${JSON.stringify(tenant.name)} allows ${outside.join(', ')}, which the launcher does not (allowedInstanceTypes): ` +
        'a tenant may only narrow the launcher\'s instance types; add them to the launcher or remove them from the tenant.');
    }
  }
  problems.throwIfAny();
  return {
    jobNamePrefix,
    tenants,
    allowedInstanceTypes,
    maxRuntimeSeconds,
    maxJobs,
    maxInstanceCount,
    maxVolumeSizeInGB,
    maxInstancesPerRequest,
    reservedConcurrency,
    interContainerTrafficEncryption: props.interContainerTrafficEncryption ?? true,
    networkIsolation: props.enableNetworkIsolation ?? false,
    concurrency,
    allowedReservedNames,
  };
}

