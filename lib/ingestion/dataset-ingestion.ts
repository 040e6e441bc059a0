import { Annotations, Duration, RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { DistributedConversion } from '../distributed/distributed-conversion';
import { DistributedConversionOptions } from '../distributed/distributed-conversion-options';
import { bytesIn, failProp, integerIn, lambdaMemoryMiB, lambdaTimeout, numberText, wholeDaysIn } from '../validation';
import { S3_MULTIPART } from '../../contract/platform-api';
import { bucketEncryption, queueEncryption } from '../encryption/encryption-props';
import { withDeadLetterQueue } from '../events/dead-lettered-target';
import { PlatformEventBus } from '../events/platform-event-bus';
import { conversionThroughput, eventBusMetric } from '../monitoring/platform-metrics';
import { DatasetFileSystemType, IDatasetFileSystem, IEfsDatasetFileSystem, LustreDataRepositoryAssociation, LustreDatasetFileSystem } from '../filesystems';
import { grantLustreImport, lustreFileSystemIdOf } from '../filesystems/lustre-import-grant';
import { PlatformFunction, PlatformFunctionInvocation } from '../lambda';
import { acknowledgeFinding, acknowledgeFindings, acknowledgeInlinePolicy, nagResourceText } from '../nag/acknowledge';
import { acknowledgeGrantFindings } from '../nag/grant-findings';
import { TrainingEndpoint, ITrainingNetwork } from '../network';
import { BucketEventBridgeNotifications, SecureBucket } from '../storage';
import {
  DATASET_CONVERSION_FAILED,
  DATASET_CONVERSION_PROGRESS,
  DATASET_CONVERSION_QUEUED,
  DATASET_CONVERSION_STARTED,
  DATASET_CONVERTED,
  DATASET_KEY_PREFIX,
  DEFAULT_INGESTION_EVENT_SOURCE,
  DEFAULT_MAX_UPLOAD_BYTES,
  INGESTION_ENV,
  LEASE_KEY_PREFIX,
  UPLOAD_KEY_PREFIX,
  UPLOAD_KEY_SUFFIX,
  UPLOAD_KEY_SUFFIXES,
  ingestionEventPattern,
  uploadObjectCreatedPattern,
  type IngestionConversionSettings,
} from '../../contract/ingestion-events';
import type { PlatformEventType } from '../../contract/platform-events';
import { PLATFORM_METRIC } from '../../contract/platform-metrics';
import { resolveConversionSettings } from './conversion-settings';
import { DatasetRetentionOptions, DatasetVersionRetention } from './dataset-version-retention';

/** How S3 tells the converter about uploads. */
export enum UploadNotificationRoute {
  /**
   * S3 → EventBridge (the bucket's EventBridge notifications) → a rule matching `uploads/*.zip` →
   * the queue. EventBridge has no event list, so it cannot overlap FSx for Lustre's `FSx`
   * notification: safe on any bucket, including one a data repository association imports from.
   */
  EVENTBRIDGE = 'EVENTBRIDGE',
  /**
   * S3 → the queue directly (an `s3:ObjectCreated:*` notification filtered to `uploads/` and `.zip`),
   * as the original Terraform did. Refused at synth on a bucket that a data repository association
   * auto-imports from: S3 rejects overlapping ObjectCreated rules ("Configurations overlap"), or the
   * write replaces FSx's rule and the association becomes MISCONFIGURED.
   */
  S3_NOTIFICATION = 'S3_NOTIFICATION',
}

/** How uploads are converted (the converter's options; the channel comes from the upload key). */
export interface DatasetIngestionConversionOptions {
  /**
   * Target uncompressed image bytes per TFRecord shard; decides the shard count.
   * @default Size.mebibytes(128)
   */
  readonly targetShardSize?: Size;
  /**
   * The fraction of (non-skipped) zip entries that may be rejected before the whole dataset fails, 0–1.
   * @default 0 - any rejected entry fails the dataset
   */
  readonly maxRejectedFraction?: number;
  /**
   * Seed of the shuffle that assigns images to shards (0–4294967295).
   * @default 0
   */
  readonly seed?: number;
  /**
   * Shuffle runs of neighbouring images of at least this size instead of single images: longer
   * sequential S3 reads, coarser mixing. The distributed conversion's workers read each run as a
   * few large GETs; `Size.bytes(0)` shuffles single images (scattered reads).
   * @default Size.mebibytes(16)
   */
  readonly shuffleBlockSize?: Size;
  /**
   * Largest width × height accepted per image.
   * @default 89478485 (Pillow's MAX_IMAGE_PIXELS)
   */
  readonly maxImagePixels?: number;
  /**
   * Hold out this fraction (greater than 0, at most 0.5) of each class of every images upload as a
   * validation part of the same version: `<version>/training/` and `<version>/validation/`, each
   * with its own shards and labels.txt, under one manifest.json and one `current.json`. Which
   * images go to validation depends only on each image's path (below the wrapping folder) and
   * `seed`, so re-uploading the same images gives the same split, on the single-function and the
   * distributed path alike. Per class, round(count × fraction) images (ties to training), at least
   * one on each side for a class of two or more images; a class of one image stays in training.
   * Uploads of kind `files` and `tfrecord` are kept as uploaded, unsplit. A launch request reads
   * the validation part with `split: 'validation'` on its channel.
   * @default - no split: the version's shards at its top level
   */
  readonly validationFraction?: number;
}

/** The distributed conversion of zips above `singleFunctionMaxZipSize` (see `DistributedConversion`). */
export interface DatasetIngestionDistributedOptions extends DistributedConversionOptions {
  /**
   * Whether zips above the single-function limit are converted by the distributed conversion
   * (a Step Functions Distributed Map of Lambda workers). When false they end in
   * `DatasetConversionFailed` with reason "too large for single-function conversion".
   * @default true
   */
  readonly enabled?: boolean;
}

/** Properties of a {@link DatasetIngestion}. */
export interface DatasetIngestionProps {
  /** The training network: the converter runs in its training subnets. */
  readonly network: ITrainingNetwork;

  /**
   * The bucket converted datasets go to (`datasets/<id>/<channel>/<version>/` and `current.json`):
   * the platform's dataset bucket, which FSx for Lustre imports `datasets/` from.
   * @default - a new SecureBucket
   */
  readonly datasetBucket?: s3.IBucket;

  /**
   * The bucket users upload `uploads/<datasetId>/<channel>.zip` to. Keep it separate from the
   * dataset bucket (the default): upload credentials never touch the bucket training reads, uploads
   * get their own lifecycle, and its notifications can never collide with FSx's `FSx` notification
   * on the dataset bucket. The same bucket for both works with the EventBridge route.
   * @default - a new SecureBucket with EventBridge notifications
   */
  readonly uploadBucket?: s3.IBucket;

  /**
   * Where the server access logs of the buckets this construct creates go.
   * @default - a new log bucket
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * Uploads (current versions of `uploads/*`) are deleted this long after they were uploaded.
   * Noncurrent upload versions always expire after 30 days.
   * @default - kept
   */
  readonly uploadExpiration?: Duration;

  /**
   * The dataset file system. EFS: the converter also writes every version to EFS through the
   * writer access point (mounted at `/mnt/datasets`) and flushes it before moving the EFS pointer.
   * FSx for Lustre: nothing to write; its data repository association imports `datasets/`.
   * None (the S3 tier of `DatasetStorage`): versions are written to S3 only and `current.json`
   * moves right after; training jobs read them from S3.
   * @default - S3 only
   */
  readonly fileSystem?: IDatasetFileSystem;

  /**
   * How S3 tells the converter about uploads.
   * @default UploadNotificationRoute.EVENTBRIDGE
   */
  readonly notificationRoute?: UploadNotificationRoute;

  /**
   * The bus the ingestion's events go to (queued, started, progress, converted, failed). A
   * {@link PlatformEventBus} lets only the platform's publishers put events on it.
   * @default - a new PlatformEventBus
   */
  readonly eventBus?: events.IEventBus;

  /**
   * The `source` of the events (not starting with `aws.`, which EventBridge reserves).
   * @default 'cdk-sagemaker-datasets'
   */
  readonly eventSource?: string;

  /**
   * The converter's memory in MiB (128–10240); network bandwidth grows with it.
   * @default 2048
   */
  readonly memorySize?: number;

  /**
   * The converter's timeout (at most 15 minutes).
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;

  /**
   * How long a received message stays invisible; at least 6 × timeout (AWS's guidance for Lambda
   * event sources), at most 12 hours.
   * @default - 6 × timeout
   */
  readonly visibilityTimeout?: Duration;

  /**
   * How often a message is received before it moves to the dead-letter queue (1–1000).
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * The most converter instances the queue invokes at once (2–1000).
   * @default 2
   */
  readonly maxConcurrency?: number;

  /**
   * Messages per invocation (1–10). They are converted one after the other and share the
   * invocation's time; a message that no longer fits is returned to the queue (and counts as a receive).
   * @default 1
   */
  readonly batchSize?: number;

  /**
   * The routing threshold. Zips up to this size (that also fit the function's time budget) are
   * converted by the single function; larger ones are handed to the distributed conversion (a
   * Step Functions state machine), which writes the same layout, manifest, pointer and events.
   * With `distributedConversion.enabled` false they end in `DatasetConversionFailed` with reason
   * "too large for single-function conversion".
   * @default Size.gibibytes(10)
   */
  readonly singleFunctionMaxZipSize?: Size;

  /**
   * The largest upload converted. A larger one is refused before anything reads it, with
   * `DatasetConversionFailed` code `upload-too-large` (the message names its size, this limit and
   * this prop) and a failed status in the platform API's dataset listing: no single-function or
   * distributed conversion starts. Bounds what one upload can cost. Use the same value as
   * `PlatformApi`'s `maxUploadSize` (`DatasetPlatformStack` passes one value to both).
   * @default Size.gibibytes(200)
   */
  readonly maxUploadSize?: Size;

  /**
   * The distributed conversion of zips above `singleFunctionMaxZipSize`.
   * @default - enabled, with the DistributedConversion defaults
   */
  readonly distributedConversion?: DatasetIngestionDistributedOptions;

  /**
   * Version lifecycle: a scheduled job keeps the newest `keepVersions` (5) complete versions per
   * channel and every version younger than `keepYoungerThan` (7 days), never the current one, and
   * deletes the rest from S3, FSx for Lustre (through the association) and EFS.
   * @default - enabled, daily, 5 versions, 7 days
   */
  readonly retention?: DatasetRetentionOptions;

  /**
   * The conversion throughput assumed per second when estimating whether a zip fits the remaining
   * time (read, check, encode and write).
   * @default Size.mebibytes(32)
   */
  readonly estimatedThroughputPerSecond?: Size;

  /**
   * Conversion options.
   * @default - the converter's defaults
   */
  readonly conversion?: DatasetIngestionConversionOptions;

  /**
   * How long the converter's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the buckets and log group this construct creates when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * A customer managed key for what this construct creates: the buckets (SSE-KMS), the queue and
   * its dead-letter queue, the functions' log groups and the distributed conversion's state
   * machine. Its key policy must let the services use it (see `PlatformKey`).
   * @default - AWS managed encryption (SSE-S3, SQS-managed SSE, CloudWatch Logs' key)
   */
  readonly encryptionKey?: kms.IKey;
}

/** The defaults the props documentation names. */
const DATASET_INGESTION_DEFAULTS = {
  memorySize: 2048,
  timeout: Duration.minutes(15),
  maxReceiveCount: 5,
  maxConcurrency: 2,
  batchSize: 1,
  singleFunctionMaxZipSize: Size.gibibytes(10),
  maxUploadSize: Size.bytes(DEFAULT_MAX_UPLOAD_BYTES),
  estimatedThroughputPerSecond: Size.mebibytes(32),
  uploadNoncurrentVersionExpiration: Duration.days(30),
  queueRetention: Duration.days(14),
  lambdaMountPath: '/mnt/datasets',
} as const;

/**
 * The dataset ingestion pipeline: users upload `uploads/<datasetId>/<channel>.zip`; S3 tells
 * EventBridge; a rule sends the event to an SQS queue; a Lambda converts the zip to a TFRecord
 * version `datasets/<datasetId>/<channel>/<version>/` (shards, `labels.txt`, `manifest.json`) in
 * the dataset bucket (and on EFS), moves `current.json` to it once it is complete, and sends
 * `DatasetConverted` — or `DatasetConversionFailed` with the reason and the rejected entries.
 *
 * **Two buckets by default.** Uploads land in their own bucket, not in the dataset bucket that
 * FSx for Lustre imports from: users' upload credentials never touch the data training reads;
 * uploads get their own lifecycle (noncurrent versions expire, optional expiry of uploads); and the
 * upload bucket's notifications can never collide with FSx's `FSx` notification on the dataset
 * bucket. One bucket for both works too (pass it as both; the EventBridge route keeps FSx safe).
 *
 * Redelivery, poison messages and concurrent uploads are safe: a version is named after the
 * upload's object version, converted once, published only when complete, and the pointer moves
 * forward only (S3 conditional writes); one bad message never fails the others of a batch
 * (partial batch responses); after `maxReceiveCount` receives a message moves to the dead-letter
 * queue, which has an alarm.
 *
 * @example
 * const ingestion = new DatasetIngestion(this, 'Ingestion', { network, datasetBucket, fileSystem });
 * ingestion.grantUpload(uploaderRole);
 * ingestion.onDatasetConverted('NotifyApi', { target: new targets.SqsQueue(apiQueue) });
 */
export class DatasetIngestion extends Construct {
  /** The bucket users upload zips to. */
  public readonly uploadBucket: s3.IBucket;
  /** The bucket converted datasets go to. */
  public readonly datasetBucket: s3.IBucket;

  /** The customer managed key of what this construct created, if one was given. */
  public readonly encryptionKey?: kms.IKey;
  /** The upload bucket with its access-log bucket, when this construct created it. */
  public readonly uploadStorage?: SecureBucket;
  /** The dataset bucket with its access-log bucket, when this construct created it. */
  public readonly datasetStorage?: SecureBucket;
  /** The queue of upload notifications. */
  public readonly queue: sqs.Queue;
  /** Where messages go after `maxReceiveCount` receives (and events EventBridge could not deliver to the queue). */
  public readonly deadLetterQueue: sqs.Queue;
  /** Alarms when the dead-letter queue holds a message. Add actions with `addAlarmAction`. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The converter Lambda. */
  public readonly converter: lambda.IFunction;
  /** The rule that sends upload events to the queue (EventBridge route only). */
  public readonly uploadRule?: events.Rule;
  /** How S3 tells the converter about uploads. */
  public readonly notificationRoute: UploadNotificationRoute;
  /** The bus the converter's events go to. */
  public readonly eventBus: events.IEventBus;
  /** The `source` of the converter's events. */
  public readonly eventSource: string;
  /** The distributed conversion that zips above `singleFunctionMaxZipSize` are handed to (unless disabled). */
  public readonly distributedConversion?: DistributedConversion;
  /** The scheduled version retention job (unless disabled). */
  public readonly retention?: DatasetVersionRetention;
  /** The largest upload converted, in bytes (`maxUploadSize`); larger ones fail with code `upload-too-large`. */
  public readonly maxUploadBytes: number;

  constructor(scope: Construct, id: string, props: DatasetIngestionProps) {
    super(scope, id);
    const settings = validateProps(this, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.notificationRoute = settings.notificationRoute;
    this.eventSource = settings.eventSource;
    this.maxUploadBytes = settings.maxUploadBytes;
    this.eventBus = props.eventBus ?? new PlatformEventBus(this, 'EventBus');

    this.encryptionKey = props.encryptionKey;
    // Buckets.
    if (props.datasetBucket) {
      this.datasetBucket = props.datasetBucket;
    } else {
      this.datasetStorage = new SecureBucket(this, 'DatasetBucket', { accessLogsBucket: props.accessLogsBucket, removalPolicy, ...bucketEncryption(props.encryptionKey) });
      this.datasetBucket = this.datasetStorage.bucket;
    }
    if (props.uploadBucket) {
      this.uploadBucket = props.uploadBucket;
    } else {
      this.uploadStorage = new SecureBucket(this, 'UploadBucket', {
        accessLogsBucket: props.accessLogsBucket ?? this.datasetStorage?.accessLogsBucket,
        noncurrentVersionExpiration: DATASET_INGESTION_DEFAULTS.uploadNoncurrentVersionExpiration,
        removalPolicy,
        ...bucketEncryption(props.encryptionKey),
      });
      this.uploadBucket = this.uploadStorage.bucket;
      if (props.uploadExpiration) {
        this.uploadStorage.bucket.addLifecycleRule({ id: 'ExpireUploads', prefix: UPLOAD_KEY_PREFIX, expiration: props.uploadExpiration });
      }
    }
    props.network.allowS3Bucket(this.datasetBucket);
    props.network.allowS3Bucket(this.uploadBucket);

    // Queues.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...queueEncryption(props.encryptionKey),
      enforceSSL: true,
      retentionPeriod: DATASET_INGESTION_DEFAULTS.queueRetention,
    });
    acknowledgeFinding(this.deadLetterQueue, 'Serverless-SQSRedrivePolicy',
      'This queue is the dead-letter queue of the ingestion queue; a dead-letter queue of a dead-letter queue adds nothing. Its alarm reports every message.');
    this.queue = new sqs.Queue(this, 'Queue', {
      ...queueEncryption(props.encryptionKey),
      enforceSSL: true,
      visibilityTimeout: settings.visibilityTimeout,
      retentionPeriod: DATASET_INGESTION_DEFAULTS.queueRetention,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: settings.maxReceiveCount },
    });
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `Uploads that could not be converted after ${settings.maxReceiveCount} attempts (or upload events EventBridge could not deliver) ` +
        `are waiting in ${this.node.path}/DeadLetterQueue. Read the converter's logs for the message id, fix the cause, then redrive the messages to the ingestion queue.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    acknowledgeFindings(this.deadLetterAlarm, ['NIST.800.53.R5-CloudWatchAlarmAction', 'HIPAA.Security-CloudWatchAlarmAction'],
      'Who is paged depends on the deployment; attach an action with deadLetterAlarm.addAlarmAction() (e.g. an SNS topic).');

    // Converter.
    const efsMount = efsMountOf(props.fileSystem);
    // FSx for Lustre: each version is imported onto the file system before its pointer moves.
    const lustreFileSystemId = lustreFileSystemIdOf(props.fileSystem);
    const converter = new PlatformFunction(this, 'Converter', {
      handlerName: 'ingest-dataset',
      description: 'Dataset ingestion: converts uploaded zips into versioned TFRecord datasets',
      network: props.network,
      invocation: PlatformFunctionInvocation.SQS_QUEUE,
      memorySize: settings.memorySize,
      timeout: settings.timeout,
      filesystem: efsMount?.fileSystem,
      logRetention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy,
      environment: {
        [INGESTION_ENV.DATASET_BUCKET]: this.datasetBucket.bucketName,
        [INGESTION_ENV.EVENT_BUS_NAME]: this.eventBus.eventBusName,
        [INGESTION_ENV.EVENT_SOURCE]: this.eventSource,
        [INGESTION_ENV.MAX_RECEIVE_COUNT]: numberText(settings.maxReceiveCount),
        [INGESTION_ENV.SINGLE_FUNCTION_MAX_BYTES]: numberText(settings.singleFunctionMaxBytes),
        [INGESTION_ENV.MAX_UPLOAD_BYTES]: numberText(settings.maxUploadBytes),
        [INGESTION_ENV.ESTIMATED_BYTES_PER_SECOND]: numberText(settings.estimatedBytesPerSecond),
        [INGESTION_ENV.CONVERSION_OPTIONS]: Stack.of(this).toJsonString(settings.conversion),
        ...(efsMount ? { [INGESTION_ENV.EFS_MOUNT_PATH]: efsMount.localMountPath, [INGESTION_ENV.EFS_ROOT_DIRECTORY]: efsMount.datasetRootDirectory } : {}),
        ...(lustreFileSystemId ? { [INGESTION_ENV.LUSTRE_FILE_SYSTEM_ID]: lustreFileSystemId } : {}),
      },
    });
    this.converter = converter.function;
    if (lustreFileSystemId) grantLustreImport(converter.role, Stack.of(this), lustreFileSystemId);
    this.converter.addEventSource(new lambdaEventSources.SqsEventSource(this.queue, {
      batchSize: settings.batchSize,
      maxConcurrency: settings.maxConcurrency,
      reportBatchItemFailures: true,
    }));
    acknowledgeFindings(this.converter, ['Serverless-LambdaEventSourceMappingDestination'],
      'SQS event source mappings take no on-failure destination; failed messages go to the queue\'s dead-letter queue after maxReceiveCount receives.');
    this.grantConverter(converter.role);
    props.network.warnIfEndpointMissing(this, TrainingEndpoint.EVENTBRIDGE, `the converter cannot put ${DATASET_CONVERTED} events`);

    // Routing: zips above singleFunctionMaxZipSize are handed to the distributed conversion, which
    // converts with the same options (same JSON) and publishes through the same code.
    const { enabled: distributedEnabled, ...distributedOptions } = props.distributedConversion ?? {};
    if (distributedEnabled ?? true) {
      this.distributedConversion = new DistributedConversion(this, 'Distributed', {
        network: props.network,
        uploadBucket: this.uploadBucket,
        datasetBucket: this.datasetBucket,
        eventBus: this.eventBus,
        eventSource: this.eventSource,
        conversion: props.conversion,
        ...distributedOptions,
        efsMount,
        lustreFileSystemId,
        logRetention: props.logRetention,
        encryptionKey: props.encryptionKey,
        removalPolicy,
      });
      // The converter queues each hand-off in the backlog and nudges the dispatcher, which alone
      // starts executions (at most maxConcurrentConversions at once).
      converter.function.addEnvironment(INGESTION_ENV.DISTRIBUTED_STATE_MACHINE_ARN, this.distributedConversion.stateMachine.stateMachineArn);
      converter.function.addEnvironment(INGESTION_ENV.DISTRIBUTED_BACKLOG_QUEUE_URL, this.distributedConversion.backlogQueue.queueUrl);
      converter.function.addEnvironment(INGESTION_ENV.DISTRIBUTED_DISPATCHER_FUNCTION, this.distributedConversion.dispatcher.functionName);
      this.distributedConversion.grantQueueConversion(converter.role);
      props.network.warnIfEndpointMissing(this, TrainingEndpoint.SQS,
        'the converter cannot queue the distributed conversion of zips above singleFunctionMaxZipSize');
      props.network.warnIfEndpointMissing(this, TrainingEndpoint.LAMBDA,
        'the converter cannot nudge the distributed conversion\'s dispatcher (queued conversions then start on its 5-minute schedule)');
      if ((settings.conversion.shuffleBlockBytes ?? 0) < 1024 * 1024) {
        Annotations.of(this).addWarningV2('cdk-sagemaker-datasets:distributedScatteredReads',
          `conversion.shuffleBlockSize is ${settings.conversion.shuffleBlockBytes ?? 0} bytes: the distributed conversion's workers will read scattered images ` +
          '(one or two S3 GETs per image) instead of long sequential ranges. Leave it unset (16 MiB) unless shards must mix single images.');
      }
    }

    // Lifecycle: old versions are deleted on a schedule (never the current one).
    if (props.retention?.enabled ?? true) {
      this.retention = new DatasetVersionRetention(this, 'Retention', {
        ...props.retention,
        network: props.network,
        datasetBucket: this.datasetBucket,
        uploadBucket: this.uploadBucket,
        efsMount,
        logRetention: props.logRetention,
        encryptionKey: props.encryptionKey,
        removalPolicy,
      });
    }

    // Notifications.
    if (this.notificationRoute === UploadNotificationRoute.EVENTBRIDGE) {
      this.enableEventBridge();
      this.uploadRule = new events.Rule(this, 'UploadRule', {
        description: `Uploads of ${UPLOAD_KEY_PREFIX}<datasetId>/<channel>${UPLOAD_KEY_SUFFIX} to the dataset ingestion queue`,
        eventPattern: uploadObjectCreatedPattern(this.uploadBucket.bucketName),
        targets: [new targets.SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
      });
    } else {
      // One notification per suffix (S3 matches one prefix and one suffix per rule); they do not overlap.
      for (const suffix of UPLOAD_KEY_SUFFIXES) {
        this.uploadBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue), { prefix: UPLOAD_KEY_PREFIX, suffix });
      }
      acknowledgeNotificationHandler(this, this.uploadBucket);
    }
    this.node.addValidation({ validate: () => this.validateNotificationRoute() });
  }

  /**
   * A rule on the event bus for `DatasetConverted` (a version is complete; `detail.current` says
   * whether `current.json` now points at it; the detail is a {@link DatasetConvertedDetail}). Like CDK's `onEvent` helpers; a target without a
   * dead-letter queue gets one (a child of the rule) for events EventBridge cannot deliver.
   */
  public onDatasetConverted(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.onIngestionEvent(id, DATASET_CONVERTED, options);
  }

  /**
   * A rule on the event bus for `DatasetConversionFailed` (`detail.code`, `detail.reason`, `detail.rejected`;
   * the detail is a {@link DatasetConversionFailedDetail}). A target without a dead-letter queue gets one (a child of the rule).
   */
  public onDatasetConversionFailed(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.onIngestionEvent(id, DATASET_CONVERSION_FAILED, options);
  }

  /** Versions converted (`DatasetConverted` events on the bus), Sum per 5 minutes. */
  public metricDatasetsConverted(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return eventBusMetric(this.eventBus.eventBusName, PLATFORM_METRIC.DATASETS_CONVERTED, { statistic: cloudwatch.Stats.SUM }, props);
  }

  /** Conversions that failed (`DatasetConversionFailed` events on the bus), Sum per 5 minutes. */
  public metricConversionFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return eventBusMetric(this.eventBus.eventBusName, PLATFORM_METRIC.DATASET_CONVERSIONS_FAILED, { statistic: cloudwatch.Stats.SUM }, props);
  }

  /** How long conversions took, from upload event to `DatasetConverted` (milliseconds, Average per 5 minutes). */
  public metricConversionDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return eventBusMetric(this.eventBus.eventBusName, PLATFORM_METRIC.CONVERSION_DURATION, { statistic: cloudwatch.Stats.AVERAGE, unit: cloudwatch.Unit.MILLISECONDS }, props);
  }

  /** Conversion throughput in MB/s: bytes of the uploads converted over the time their conversions took. */
  public metricConversionThroughput(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return conversionThroughput(this.eventBus.eventBusName, props);
  }

  /** Upload notifications sent to the ingestion queue (one per upload), Sum per 5 minutes. */
  public metricUploads(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricNumberOfMessagesSent({ label: 'Uploads', ...props });
  }

  /** Age of the oldest upload waiting in the ingestion queue (seconds, Maximum per 5 minutes). */
  public metricUploadQueueAge(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /**
   * A rule on the event bus for `DatasetConversionQueued`, sent when an upload above `singleFunctionMaxZipSize`
   * was handed to the distributed conversion and waits for a free slot (`maxConcurrentConversions`).
   * `DatasetConversionStarted` follows when it starts. Duplicate deliveries of one upload send it once,
   * unless a later upload of the channel was recorded in between; the detail is a
   * {@link DatasetConversionQueuedDetail}. A target without a dead-letter queue gets one (a child of the rule).
   */
  public onDatasetConversionQueued(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.onIngestionEvent(id, DATASET_CONVERSION_QUEUED, options);
  }

  /**
   * A rule on the event bus for `DatasetConversionStarted`, whose detail is a
   * {@link DatasetConversionStartedDetail} (`detail.route` says single function or distributed,
   * `detail.workItems` counts the work items of a distributed one). A target without a dead-letter
   * queue gets one (a child of the rule).
   */
  public onDatasetConversionStarted(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.onIngestionEvent(id, DATASET_CONVERSION_STARTED, options);
  }

  /**
   * A rule on the event bus for `DatasetConversionProgress` (`detail.progress` 0–1; at most one
   * event per 10 % of the work or per minute; the detail is a {@link DatasetConversionProgressDetail}). A target without a dead-letter queue gets one.
   */
  public onDatasetConversionProgress(id: string, options: events.OnEventOptions = {}): events.Rule {
    return this.onIngestionEvent(id, DATASET_CONVERSION_PROGRESS, options);
  }

  /**
   * Lets `grantee` upload `uploads/*` (single PUT and multipart). The cdk-nag findings this causes on
   * the grantee's own policy (its inline policy, the `uploads/*` wildcard) are acknowledged there
   * with the reason.
   */
  public grantUpload(grantee: iam.IGrantable): iam.Grant {
    const uploads = this.uploadBucket.arnForObjects(`${UPLOAD_KEY_PREFIX}*`);
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resourceArns: [uploads],
    });
    this.uploadBucket.encryptionKey?.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
    acknowledgeGrantFindings(grantee, grant, 'DatasetIngestion.grantUpload()', [{
      resource: uploads,
      reason: `uploads go to ${UPLOAD_KEY_PREFIX}<datasetId>/<channel>${UPLOAD_KEY_SUFFIX} for any dataset the uploader names; ${UPLOAD_KEY_PREFIX} is the narrowest prefix, and the converter rejects every other key.`,
    }]);
    return grant;
  }

  /**
   * Lets `grantee` read converted datasets (`datasets/*`). The cdk-nag findings this causes on the
   * grantee's own policy (its inline policy, the `datasets/*` wildcard) are acknowledged there with the reason.
   */
  public grantReadDatasets(grantee: iam.IGrantable): iam.Grant {
    const datasets = this.datasetBucket.arnForObjects(`${DATASET_KEY_PREFIX}*`);
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [datasets],
    });
    this.datasetBucket.encryptionKey?.grant(grantee, 'kms:Decrypt');
    acknowledgeGrantFindings(grantee, grant, 'DatasetIngestion.grantReadDatasets()', [{
      resource: datasets,
      reason: `reads every converted dataset below ${DATASET_KEY_PREFIX} (read-only; uploads, leases and work files live outside it).`,
    }]);
    return grant;
  }

  private onIngestionEvent(id: string, detailType: PlatformEventType, options: events.OnEventOptions): events.Rule {
    const rule = new events.Rule(this, id, {
      description: options.description ?? `${detailType} events of ${this.node.path}`,
      ruleName: options.ruleName,
      eventBus: this.eventBus,
      crossStackScope: options.crossStackScope,
    });
    rule.addEventPattern(ingestionEventPattern(this.eventSource, detailType));
    rule.addEventPattern(options.eventPattern);
    if (options.target) rule.addTarget(withDeadLetterQueue(options.target, this.encryptionKey));
    return rule;
  }

  /**
   * EventBridge notifications on the upload bucket through the library's merge-preserving custom
   * resource (it sets only `EventBridgeConfiguration` and writes every other rule back unchanged),
   * never aws-cdk-lib's `Custom::S3BucketNotifications`: safe even when the upload bucket is the
   * dataset bucket that FSx for Lustre imports from.
   */
  private enableEventBridge(): void {
    const owner = this.uploadBucket.node.scope;
    if (SecureBucket.isSecureBucket(owner) && owner.bucket === this.uploadBucket) {
      owner.enableEventBridgeNotifications();
    } else {
      new BucketEventBridgeNotifications(this, 'UploadBucketEventBridge', { bucket: this.uploadBucket });
    }
  }

  /** Least privilege: read uploads, write datasets, put events; nothing else. */
  private grantConverter(role: iam.IRole): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadUploads',
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [this.uploadBucket.arnForObjects(`${UPLOAD_KEY_PREFIX}*`)],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'WriteDatasetVersions',
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:GetObjectTagging', 's3:PutObjectTagging'],
      resources: [this.datasetBucket.arnForObjects(`${DATASET_KEY_PREFIX}*`)],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'VersionLeases',
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resources: [this.datasetBucket.arnForObjects(`${LEASE_KEY_PREFIX}*`)],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      // Without ListBucket, S3 answers 403 instead of 404 for a missing key (an upload deleted, a
      // version not converted yet); the converter lists a version folder to remove leftovers.
      sid: 'ListBuckets',
      actions: ['s3:ListBucket'],
      resources: [...new Set([this.uploadBucket.bucketArn, this.datasetBucket.bucketArn])],
    }));
    this.uploadBucket.encryptionKey?.grant(role, 'kms:Decrypt');
    this.datasetBucket.encryptionKey?.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey');
    this.eventBus.grantPutEventsTo(role);

    acknowledgeInlinePolicy(role, 'dataset ingestion converter');
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledgeFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceText(this, this.uploadBucket.arnForObjects(`${UPLOAD_KEY_PREFIX}*`))}]`,
        'The converter reads any upload below uploads/ (the event names which); nothing else in the upload bucket.');
      acknowledgeFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceText(this, this.datasetBucket.arnForObjects(`${DATASET_KEY_PREFIX}*`))}]`,
        'The converter writes dataset versions and pointers below datasets/<id>/<channel>/ for any uploaded dataset id; nothing else in the dataset bucket.');
      acknowledgeFinding(policy, `AwsSolutions-IAM5[Resource::${nagResourceText(this, this.datasetBucket.arnForObjects(`${LEASE_KEY_PREFIX}*`))}]`,
        'One small lease object per dataset version below ingestion-leases/ (outside datasets/, so FSx never imports it) serializes duplicate deliveries of one upload.');
    }
  }

  /** The direct route on a bucket that FSx auto-imports from breaks FSx: refuse it at synth. */
  private validateNotificationRoute(): string[] {
    if (this.notificationRoute !== UploadNotificationRoute.S3_NOTIFICATION) return [];
    const linked = autoImportingAssociations(this, this.uploadBucket);
    return linked.map((association) =>
      `DatasetIngestion ${this.node.path}: notificationRoute is UploadNotificationRoute.S3_NOTIFICATION, but the upload bucket ${this.uploadBucket.node.path} is ` +
      `auto-imported by the FSx for Lustre data repository association ${association}. S3 rejects an s3:ObjectCreated notification that overlaps FSx's \`FSx\` ` +
      'notification ("Configurations overlap"), or the write replaces it and the association becomes MISCONFIGURED. Use notificationRoute: ' +
      'UploadNotificationRoute.EVENTBRIDGE (the default), or upload to a separate bucket that no association imports from.');
  }
}

/** What the props resolve to, checked. */
interface IngestionSettings {
  readonly notificationRoute: UploadNotificationRoute;
  readonly eventSource: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly visibilityTimeout: Duration;
  readonly maxReceiveCount: number;
  readonly maxConcurrency: number;
  readonly batchSize: number;
  readonly singleFunctionMaxBytes: number;
  readonly maxUploadBytes: number;
  readonly estimatedBytesPerSecond: number;
  readonly conversion: IngestionConversionSettings;
}

/**
 * Checks every prop; each message names the prop, the bad value, the rule and the fix.
 * Tokens are not checked (their values are unknown at synth).
 */
function validateProps(scope: IConstruct, props: DatasetIngestionProps): IngestionSettings {
  const ctx = { scope, construct: 'DatasetIngestion' };
  const fail = (prop: string, value: string, rule: string, fix: string): never => failProp(ctx, prop, value, rule, fix);
  const D = DATASET_INGESTION_DEFAULTS;

  const memorySize = lambdaMemoryMiB(ctx, 'memorySize', props.memorySize ?? D.memorySize, 'Lambda accepts 128–10240 MiB; 2048 or more gives the converter more network bandwidth.');
  const timeout = props.timeout ?? D.timeout;
  lambdaTimeout(ctx, 'timeout', timeout,
    'Use e.g. Duration.minutes(15); zips that need longer end in DatasetConversionFailed ("too large for single-function conversion").');
  const minimumVisibility = timeout.isUnresolved() ? undefined : Duration.seconds(6 * timeout.toSeconds());
  const visibilityTimeout = props.visibilityTimeout ?? minimumVisibility ?? Duration.minutes(90);
  if (props.visibilityTimeout && !visibilityTimeout.isUnresolved() && minimumVisibility) {
    if (visibilityTimeout.toSeconds() < minimumVisibility.toSeconds()) {
      fail('visibilityTimeout', `${visibilityTimeout.toSeconds()} seconds`,
        `it must be at least 6 × timeout (6 × ${timeout.toSeconds()} s = ${minimumVisibility.toSeconds()} s), or SQS hands a message to a second converter while the first still works on it`,
        `Raise visibilityTimeout to at least Duration.seconds(${minimumVisibility.toSeconds()}), lower timeout, or leave visibilityTimeout unset (6 × timeout).`);
    }
  }
  if (!visibilityTimeout.isUnresolved() && visibilityTimeout.toSeconds() > 43_200) {
    fail('visibilityTimeout', `${visibilityTimeout.toSeconds()} seconds`, 'SQS allows at most 43200 seconds (12 hours)', 'Lower visibilityTimeout (and timeout with it).');
  }
  const maxReceiveCount = integerIn(ctx, 'maxReceiveCount', props.maxReceiveCount ?? D.maxReceiveCount, 1, 1000,
    'SQS redrive accepts 1–1000; the default 5 retries transient failures a few times before the dead-letter queue.');
  const maxConcurrency = integerIn(ctx, 'maxConcurrency', props.maxConcurrency ?? D.maxConcurrency, 2, 1000,
    'The SQS event source accepts a maximum concurrency of 2–1000.');
  const batchSize = integerIn(ctx, 'batchSize', props.batchSize ?? D.batchSize, 1, 10,
    'Use 1–10; messages of a batch share one invocation\'s time, so large zips want 1.');

  const eventSource = props.eventSource ?? DEFAULT_INGESTION_EVENT_SOURCE;
  if (!Token.isUnresolved(eventSource) && (eventSource.length === 0 || eventSource.length > 256 || eventSource.startsWith('aws.') || !/^[\x21-\x7e]+$/.test(eventSource))) {
    fail('eventSource', JSON.stringify(eventSource), 'it must be 1–256 printable characters without spaces and must not start with "aws." (EventBridge reserves it)',
      `Use e.g. '${DEFAULT_INGESTION_EVENT_SOURCE}' or 'com.example.datasets'.`);
  }

  const S3_CEILING = S3_MULTIPART.maxParts * S3_MULTIPART.maxPartBytes;
  const sizeBytes = (prop: string, size: Size | undefined, fallback: Size, min: number, fix: string): number =>
    bytesIn(ctx, prop, size ?? fallback, min, Number.MAX_SAFE_INTEGER, fix);
  const singleFunctionMaxBytes = sizeBytes('singleFunctionMaxZipSize', props.singleFunctionMaxZipSize, D.singleFunctionMaxZipSize, 1,
    'Use e.g. Size.gibibytes(10); zips above it end in DatasetConversionFailed ("too large for single-function conversion").');
  const maxUploadBytes = bytesIn(ctx, 'maxUploadSize', props.maxUploadSize ?? D.maxUploadSize, 1, S3_CEILING,
    'S3 holds 10,000 parts of at most 5 GiB in one upload; use e.g. Size.gibibytes(200), or Size.bytes(token) for a value known only at deploy time.');
  const estimatedBytesPerSecond = sizeBytes('estimatedThroughputPerSecond', props.estimatedThroughputPerSecond, D.estimatedThroughputPerSecond, 1024 * 1024,
    'Use a measured conversion rate, e.g. Size.mebibytes(32) (the converter logs it per conversion).');

  const conversion = resolveConversionSettings(props.conversion, ctx);

  if (props.uploadExpiration && props.uploadBucket) {
    fail('uploadExpiration', props.uploadExpiration.toHumanString(), 'it applies to the upload bucket this construct creates, but uploadBucket was given',
      'Add a lifecycle rule to your bucket instead, or let the construct create the upload bucket.');
  }
  if (props.uploadExpiration) {
    wholeDaysIn(ctx, 'uploadExpiration', props.uploadExpiration, 1, 2_147_483_647, 'S3 lifecycle expiration counts whole days; use e.g. Duration.days(30).');
  }
  const notificationRoute = props.notificationRoute ?? UploadNotificationRoute.EVENTBRIDGE;
  if (!Object.values(UploadNotificationRoute).includes(notificationRoute)) {
    fail('notificationRoute', JSON.stringify(notificationRoute), 'it must be an UploadNotificationRoute', 'Use UploadNotificationRoute.EVENTBRIDGE (the default) or UploadNotificationRoute.S3_NOTIFICATION.');
  }
  return {
    notificationRoute, eventSource, memorySize, timeout, visibilityTimeout, maxReceiveCount, maxConcurrency, batchSize,
    singleFunctionMaxBytes, maxUploadBytes, estimatedBytesPerSecond, conversion,
  };
}

/** The EFS writer mount, when the dataset file system is EFS. */
function efsMountOf(fileSystem: IDatasetFileSystem | undefined): ReturnType<IEfsDatasetFileSystem['lambdaMount']> | undefined {
  if (!fileSystem || fileSystem.fileSystemType !== DatasetFileSystemType.EFS) return undefined;
  return (fileSystem as IEfsDatasetFileSystem).lambdaMount(DATASET_INGESTION_DEFAULTS.lambdaMountPath);
}

/** Data repository associations (and legacy import paths) in the app that auto-import from `bucket`. */
function autoImportingAssociations(scope: IConstruct, bucket: s3.IBucket): string[] {
  const found: string[] = [];
  const name = JSON.stringify(Stack.of(scope).resolve(bucket.bucketName));
  for (const node of scope.node.root.node.findAll()) {
    if (LustreDataRepositoryAssociation.isLustreDataRepositoryAssociation(node) && node.autoImportEvents.length > 0) {
      if (node.bucket === bucket || JSON.stringify(Stack.of(scope).resolve(node.bucket.bucketName)) === name) found.push(node.node.path);
    }
    if (LustreDatasetFileSystem.isLustreDatasetFileSystem(node) && node.importPath !== undefined) {
      const importPath = JSON.stringify(Stack.of(scope).resolve(node.importPath));
      const bareName = name.replace(/^"|"$/g, '');
      if (importPath.includes(bareName)) found.push(`${node.node.path} (importPath)`);
    }
  }
  return found;
}

/**
 * Acknowledges the findings of aws-cdk-lib's bucket-notification handler (one singleton Lambda per
 * stack that CDK creates for bucket notifications; not configurable here) on that singleton only.
 * The same findings SecureBucket acknowledges when it enables EventBridge on its own bucket.
 */
function acknowledgeNotificationHandler(scope: IConstruct, bucket: s3.IBucket): void {
  // aws-cdk-lib gives the handler one inline policy per bucket, below the bucket.
  const bucketPolicy = bucket.node.tryFindChild('Notifications')?.node.tryFindChild('HandlerPolicy');
  if (bucketPolicy) {
    acknowledgeFindings(bucketPolicy, ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'],
      "aws-cdk-lib's bucket-notification handler policy for this bucket only (s3:PutBucketNotification on it), created and deleted with the notification.");
  }
  const handler = Stack.of(scope).node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
  if (!handler) return;
  const role = handler.node.tryFindChild('Role');
  if (role) {
    acknowledgeFinding(role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "aws-cdk-lib's bucket-notification handler role uses the AWS managed basic execution policy (logs only); the role is created by aws-cdk-lib.");
    acknowledgeInlinePolicy(role, 'bucket-notification handler');
  }
  acknowledgeFindings(handler, ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC'],
    "aws-cdk-lib's bucket-notification handler only calls the S3 control API (Get/PutBucketNotificationConfiguration) during deployments.");
  acknowledgeFindings(handler, ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency', 'NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ'],
    "aws-cdk-lib's bucket-notification handler runs once per deployment as a CloudFormation custom resource: CloudFormation invokes it (asynchronously), " +
    'the handler answers CloudFormation with every failure, which fails the deployment, and aws-cdk-lib exposes no dead-letter queue or concurrency setting for it.');
}
