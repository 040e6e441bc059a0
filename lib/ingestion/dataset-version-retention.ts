import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { LambdaDatasetMount } from '../filesystems';
import { allowEventBridgeToEncrypt } from '../events/dead-lettered-target';
import { PlatformFunction, PlatformFunctionInvocation } from '../lambda';
import { acknowledgeInlinePolicy, acknowledgeWildcardResource } from '../nag/acknowledge';
import { ITrainingNetwork } from '../network';
import { DATASET_KEY_PREFIX, INGESTION_ENV, UPLOAD_KEY_PREFIX } from '../../contract/ingestion-events';
import { PropContext, integerIn, numberText, wholeSecondsIn } from '../validation';

/** How long dataset versions are kept (see {@link DatasetVersionRetention}). */
export interface DatasetRetentionOptions {
  /**
   * Whether the retention job runs. When false, every version is kept forever.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The newest complete versions kept per channel (1–1000), besides the current one.
   * @default 5
   */
  readonly keepVersions?: number;
  /**
   * Versions younger than this are kept whatever their number (whole days or hours; at least 1 hour).
   * @default Duration.days(7)
   */
  readonly keepYoungerThan?: Duration;
  /**
   * When the job runs.
   * @default events.Schedule.rate(Duration.days(1))
   */
  readonly schedule?: events.Schedule;
}

/** Properties of a {@link DatasetVersionRetention}. */
export interface DatasetVersionRetentionProps extends DatasetRetentionOptions {
  /** The training network: the job runs in its training subnets (it mounts EFS there). */
  readonly network: ITrainingNetwork;
  /** The dataset bucket (`datasets/<tenant>/<datasetId>/<channel>/<version>/`). */
  readonly datasetBucket: s3.IBucket;
  /**
   * The upload bucket: deleting a dataset deletes every version of its uploads
   * (`uploads/<tenant>/<datasetId>/`) too. The scheduled sweep never touches uploads.
   * @default - deleting a dataset keeps its uploads (they expire with the upload bucket's lifecycle rules, if any)
   */
  readonly uploadBucket?: s3.IBucket;
  /**
   * EFS: the job also removes the versions it deletes from EFS, through this mount.
   * @default - S3 only (FSx for Lustre follows S3 through its association's auto-import of DELETED objects)
   */
  readonly efsMount?: LambdaDatasetMount;
  /**
   * How long the job's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * A customer managed key for the job's log group and dead-letter queue.
   * @default - AWS managed encryption
   */
  readonly encryptionKey?: kms.IKey;
}

const DEFAULTS = { keepVersions: 5, keepYoungerThan: Duration.days(7), schedule: events.Schedule.rate(Duration.days(1)) };

/**
 * Version lifecycle: an EventBridge schedule runs a Lambda (arm64, bundled) that keeps, per
 * channel, the current version (S3's pointer and EFS's), the newest `keepVersions` complete
 * versions and every version younger than `keepYoungerThan`, and deletes the rest from S3 —
 * manifest first — and from EFS; FSx for Lustre drops them through its data repository
 * association (auto-import of DELETED objects, the default). Incomplete versions (conversions in
 * progress) are left alone for two days. Invoked with `{"deleteDataset":{"tenant":…,"datasetId":…}}`
 * it deletes one whole dataset, each channel's pointer first, and (given `uploadBucket`) every
 * version of its uploads (see {@link grantDeleteDataset}).
 */
export class DatasetVersionRetention extends Construct {
  /** The retention Lambda. */
  public readonly function: lambda.IFunction;
  /** The schedule's rule. */
  public readonly rule: events.Rule;
  /** The newest complete versions kept per channel. */
  public readonly keepVersions: number;

  constructor(scope: Construct, id: string, props: DatasetVersionRetentionProps) {
    super(scope, id);
    const ctx: PropContext = { scope: this, construct: 'DatasetVersionRetention' };
    this.keepVersions = integerIn(ctx, 'keepVersions', props.keepVersions ?? DEFAULTS.keepVersions, 1, 1000,
      'Use e.g. 5; the current version is always kept besides.');
    const keepYoungerThanSeconds = wholeSecondsIn(ctx, 'keepYoungerThan', props.keepYoungerThan ?? DEFAULTS.keepYoungerThan, 3600, Number.MAX_SAFE_INTEGER,
      'A version is never deleted while a just-launched job may resolve it; use e.g. Duration.days(7).');

    const fn = new PlatformFunction(this, 'Function', {
      handlerName: 'sweep-dataset-versions',
      description: 'Dataset version retention: deletes old versions (never the current one); deletes whole datasets on request',
      network: props.network,
      invocation: PlatformFunctionInvocation.ASYNCHRONOUS,
      memorySize: 512,
      timeout: Duration.minutes(15),
      // One sweep at a time: two would race over the same channels.
      reservedConcurrentExecutions: 1,
      filesystem: props.efsMount?.fileSystem,
      logRetention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
      environment: {
        [INGESTION_ENV.DATASET_BUCKET]: props.datasetBucket.bucketName,
        ...(props.uploadBucket ? { [INGESTION_ENV.UPLOAD_BUCKET]: props.uploadBucket.bucketName } : {}),
        [INGESTION_ENV.RETENTION_KEEP_VERSIONS]: numberText(this.keepVersions),
        [INGESTION_ENV.RETENTION_KEEP_YOUNGER_THAN_SECONDS]: numberText(keepYoungerThanSeconds),
        ...(props.efsMount ? { [INGESTION_ENV.EFS_MOUNT_PATH]: props.efsMount.localMountPath, [INGESTION_ENV.EFS_ROOT_DIRECTORY]: props.efsMount.datasetRootDirectory } : {}),
      },
    });
    this.function = fn.function;

    const datasets = props.datasetBucket.arnForObjects(`${DATASET_KEY_PREFIX}*`);
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadAndDeleteVersions', actions: ['s3:GetObject', 's3:DeleteObject'], resources: [datasets] }));
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ListDatasets',
      actions: ['s3:ListBucket'],
      resources: [props.datasetBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${DATASET_KEY_PREFIX}*`] } },
    }));
    props.datasetBucket.encryptionKey?.grant(fn.role, 'kms:Decrypt');
    const uploads = props.uploadBucket?.arnForObjects(`${UPLOAD_KEY_PREFIX}*`);
    if (props.uploadBucket && uploads) {
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'DeleteUploadsOfDeletedDatasets', actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'], resources: [uploads] }));
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({
        sid: 'ListUploadVersions',
        actions: ['s3:ListBucketVersions'],
        resources: [props.uploadBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${UPLOAD_KEY_PREFIX}*`] } },
      }));
    }
    acknowledgeInlinePolicy(fn.role, 'dataset version retention');
    const policy = fn.role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledgeWildcardResource(policy, datasets,
        'Reads pointers and manifests and deletes old versions of any dataset below datasets/ (the sweep covers every channel); never writes, never touches leases or work files.');
      if (uploads) {
        acknowledgeWildcardResource(policy, uploads,
          'Deletes every version of the uploads below uploads/<tenant>/<datasetId>/ of a dataset it is asked to delete (any tenant\'s dataset: the platform operator invokes it); never reads or writes uploads.');
      }
    }

    this.rule = new events.Rule(this, 'Schedule', {
      description: `Runs the dataset version retention of ${this.node.path}`,
      schedule: props.schedule ?? DEFAULTS.schedule,
      targets: [new targets.LambdaFunction(this.function, { deadLetterQueue: fn.deadLetterQueue, retryAttempts: 2 })],
    });
    // EventBridge writes undeliverable schedule events to the dead-letter queue itself.
    if (props.encryptionKey) allowEventBridgeToEncrypt(props.encryptionKey);
  }

  /** Lets `grantee` invoke the job, e.g. with `{"deleteDataset":{"tenant":"vision","datasetId":"cats"}}`. */
  public grantDeleteDataset(grantee: iam.IGrantable): iam.Grant {
    return this.function.grantInvoke(grantee);
  }
}
