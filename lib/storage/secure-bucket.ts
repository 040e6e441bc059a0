import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3_KEEP_NOTIFICATION_IN_IMPORTED_BUCKET, S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeFindings } from '../nag/acknowledge';
import { PropContext, failIn, wholeDaysIn } from '../validation';
import { BucketEventBridgeNotifications } from './bucket-event-bridge';

/** How a {@link SecureBucket} encrypts objects at rest. */
export enum SecureBucketEncryption {
  /** SSE-S3 (S3 managed keys). */
  S3_MANAGED = 'S3_MANAGED',
  /** SSE-KMS with a customer managed key (`encryptionKey`, or a new key with rotation). */
  KMS = 'KMS',
}

/** Properties of a {@link SecureBucket}. */
export interface SecureBucketProps {
  /**
   * Encryption at rest.
   * @default SecureBucketEncryption.S3_MANAGED
   */
  readonly encryption?: SecureBucketEncryption;

  /**
   * The KMS key with `SecureBucketEncryption.KMS`. Readers such as FSx for Lustre's S3 service-linked
   * role then need key permissions too.
   * @default - a new key with rotation when encryption is KMS; none otherwise
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Whether objects are versioned.
   * @default true
   */
  readonly versioned?: boolean;

  /**
   * The bucket server access logs go to. Pass the platform's log bucket to share one.
   * @default - a new log bucket (SSE-S3, versioned, public access blocked, SSL only)
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * The key prefix of this bucket's access logs in the log bucket.
   * @default - '<construct id>/'
   */
  readonly accessLogsPrefix?: string;

  /**
   * Incomplete multipart uploads are aborted this long after they start.
   * @default Duration.days(7)
   */
  readonly abortIncompleteMultipartUploadAfter?: Duration;

  /**
   * Noncurrent object versions expire this long after they become noncurrent (versioned buckets).
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * Whether S3 sends events to EventBridge, through {@link SecureBucket.enableEventBridgeNotifications}
   * (safe on a bucket FSx for Lustre links with automatic import).
   * @default false
   */
  readonly eventBridgeEnabled?: boolean;

  /**
   * What happens to the bucket (and a log bucket this construct creates) when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}


const SECURE_BUCKET_SYMBOL = Symbol.for('cdk-sagemaker-datasets.SecureBucket');

/**
 * An S3 bucket with the platform's security baseline: public access blocked, TLS only, encryption
 * (SSE-S3 or KMS), versioning, server access logs to a log bucket, a lifecycle rule that aborts
 * incomplete multipart uploads and expires noncurrent versions, and RETAIN by default.
 *
 * The construct sets two feature flags in its own scope, whatever the app's cdk.json says:
 * `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy` (log delivery through a bucket policy, ACLs
 * disabled) and `@aws-cdk/aws-s3:keepNotificationInImportedBucket` (below).
 *
 * With `keepNotificationInImportedBucket`, CDK's `Custom::S3BucketNotifications` on this bucket runs
 * unmanaged (read, merge, write) instead of replacing the whole configuration. That is not enough
 * on a bucket FSx for Lustre links with automatic import (aws-cdk-lib's merge blanks the ids of
 * rules it did not write on update, renaming FSx's `FSx` rule): enable EventBridge there with
 * {@link SecureBucket.enableEventBridgeNotifications}, which leaves FSx's rule untouched.
 *
 * @example
 * const datasets = new SecureBucket(this, 'Datasets');
 * new SecureBucket(this, 'Uploads', { accessLogsBucket: datasets.accessLogsBucket });
 */
export class SecureBucket extends Construct {
  /**
   * Whether `x` is a {@link SecureBucket}. Checks a marker, not `instanceof`, so it holds when the
   * app loads two copies of this library.
   */
  public static isSecureBucket(x: unknown): x is SecureBucket {
    return x !== null && typeof x === 'object' && SECURE_BUCKET_SYMBOL in x;
  }

  /** The bucket. */
  public readonly bucket: s3.Bucket;

  /** The bucket server access logs go to. */
  public readonly accessLogsBucket: s3.IBucket;

  /** The log bucket, if this construct created it. */
  public readonly createdAccessLogsBucket?: s3.Bucket;

  /** The KMS key, with `SecureBucketEncryption.KMS`. */
  public readonly encryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: SecureBucketProps = {}) {
    super(scope, id);
    Object.defineProperty(this, SECURE_BUCKET_SYMBOL, { value: true });
    validateProps(this, props);
    // Must precede every child: context cannot change once the construct has children.
    // Notifications merge with what others wrote (FSx's `FSx` rule) instead of replacing it.
    this.node.setContext(S3_KEEP_NOTIFICATION_IN_IMPORTED_BUCKET, true);
    // Log delivery through a bucket policy, not the LogDeliveryWrite ACL (ACLs stay disabled).
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const versioned = props.versioned ?? true;
    const encryption = props.encryption ?? SecureBucketEncryption.S3_MANAGED;

    if (props.accessLogsBucket) {
      this.accessLogsBucket = props.accessLogsBucket;
    } else {
      const logs = new s3.Bucket(this, 'AccessLogs', {
        // Server access log delivery writes with SSE-S3 default encryption only.
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycleRules: [lifecycleRule(props, true)],
        removalPolicy,
      });
      acknowledgeFindings(logs, ['AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled', 'HIPAA.Security-S3BucketLoggingEnabled', 'PCI.DSS.321-S3BucketLoggingEnabled'],
        'This is the server access log bucket; logging its own access would log every log delivery recursively.');
      acknowledgeFindings(logs, ['NIST.800.53.R5-S3DefaultEncryptionKMS', 'HIPAA.Security-S3DefaultEncryptionKMS', 'PCI.DSS.321-S3DefaultEncryptionKMS'],
        'S3 server access log delivery supports SSE-S3 default encryption on the target bucket; the logs are encrypted at rest with S3 managed keys.');
      acknowledgeReplication(logs, 'access logs');
      this.accessLogsBucket = logs;
      this.createdAccessLogsBucket = logs;
    }

    if (encryption === SecureBucketEncryption.KMS) {
      this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
        description: `Encrypts objects of ${this.node.path}`,
        enableKeyRotation: true,
        removalPolicy,
      });
    }

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: encryption === SecureBucketEncryption.KMS ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: encryption === SecureBucketEncryption.KMS ? true : undefined,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: props.accessLogsPrefix ?? `${id}/`,
      lifecycleRules: [lifecycleRule(props, versioned)],
      removalPolicy,
    });
    acknowledgeReplication(this.bucket, 'datasets');
    if (encryption === SecureBucketEncryption.S3_MANAGED) {
      acknowledgeFindings(this.bucket, ['NIST.800.53.R5-S3DefaultEncryptionKMS', 'HIPAA.Security-S3DefaultEncryptionKMS', 'PCI.DSS.321-S3DefaultEncryptionKMS'],
        'Encrypted at rest with SSE-S3 by default (FSx for Lustre and SageMaker read it without key grants); pass encryption: SecureBucketEncryption.KMS for a customer managed key.');
    }
    if (!versioned) {
      acknowledgeFindings(this.bucket, ['NIST.800.53.R5-S3BucketVersioningEnabled', 'HIPAA.Security-S3BucketVersioningEnabled', 'PCI.DSS.321-S3BucketVersioningEnabled'],
        'Versioning was turned off explicitly with versioned: false.');
    }
    if (props.eventBridgeEnabled) {
      this.enableEventBridgeNotifications();
    }
  }

  /**
   * Sends the bucket's events to EventBridge (all event types; route them with EventBridge rules),
   * through {@link BucketEventBridgeNotifications}: it sets only `EventBridgeConfiguration` and
   * writes every other notification back unchanged, so FSx for Lustre's `FSx` rule on a bucket linked
   * by a data repository association survives create, update and delete. EventBridge has no event
   * types or filters, so it cannot overlap FSx's `s3:ObjectCreated:*`/`s3:ObjectRemoved:*`.
   * Use this, never `addEventNotification` or `enableEventBridgeNotification`, on such a bucket.
   * Calling it again returns the same resource.
   */
  public enableEventBridgeNotifications(): BucketEventBridgeNotifications {
    const existing = this.node.tryFindChild('EventBridgeNotifications') as BucketEventBridgeNotifications | undefined;
    return existing ?? new BucketEventBridgeNotifications(this, 'EventBridgeNotifications', { bucket: this.bucket, logEncryptionKey: this.encryptionKey });
  }
}

function lifecycleRule(props: SecureBucketProps, versioned: boolean): s3.LifecycleRule {
  return {
    id: 'AbortIncompleteUploadsAndExpireNoncurrentVersions',
    abortIncompleteMultipartUploadAfter: props.abortIncompleteMultipartUploadAfter ?? Duration.days(7),
    noncurrentVersionExpiration: versioned ? props.noncurrentVersionExpiration ?? Duration.days(90) : undefined,
  };
}

function acknowledgeReplication(bucket: IConstruct, contents: string): void {
  acknowledgeFindings(bucket, ['NIST.800.53.R5-S3BucketReplicationEnabled', 'HIPAA.Security-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled'],
    `Single-region by design: the ${contents} serve the region's training jobs; versioning protects against deletes. Add replication per deployment if a second copy is required.`);
}

function validateProps(scope: IConstruct, props: SecureBucketProps): void {
  const ctx: PropContext = { scope, construct: 'SecureBucket' };
  if (props.encryptionKey && props.encryption !== SecureBucketEncryption.KMS) {
    failIn(ctx, 'InvalidEncryptionKey', 'encryptionKey needs encryption: SecureBucketEncryption.KMS. Set it, or drop encryptionKey.');
  }
  if (props.abortIncompleteMultipartUploadAfter) {
    wholeDaysIn(ctx, 'abortIncompleteMultipartUploadAfter', props.abortIncompleteMultipartUploadAfter, 1, MAX_LIFECYCLE_DAYS,
      'S3 lifecycle rules count whole days; use e.g. Duration.days(7).');
  }
  const noncurrent = props.noncurrentVersionExpiration;
  if (noncurrent && props.versioned === false) {
    failIn(ctx, 'InvalidNoncurrentVersionExpiration', 'noncurrentVersionExpiration needs versioning: remove noncurrentVersionExpiration, or drop versioned: false.');
  }
  if (noncurrent) {
    wholeDaysIn(ctx, 'noncurrentVersionExpiration', noncurrent, 1, MAX_LIFECYCLE_DAYS, 'S3 lifecycle rules count whole days; use e.g. Duration.days(90).');
  }
}

/** The largest day count of an S3 lifecycle rule (a 32-bit integer). */
const MAX_LIFECYCLE_DAYS = 2_147_483_647;
