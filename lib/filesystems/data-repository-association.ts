import { Annotations, Aspects, IAspect, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { PropContext, failIn, failProp } from '../validation';
import { deriveDirectoryPath } from './dataset-file-system';
import { checkImportedFileChunkSize } from './lustre-validation';
import { findNotificationHazards, notificationResourcesOf } from './notification-guard';

/** An S3 event that a data repository association imports or exports. */
export enum DataRepositoryEvent {
  /** New objects / files. */
  NEW = 'NEW',
  /** Changed objects / files. */
  CHANGED = 'CHANGED',
  /** Deleted objects / files. */
  DELETED = 'DELETED',
}

/** Options of a data repository association (see {@link LustreDatasetFileSystem.addDataRepositoryAssociation}). */
export interface DataRepositoryAssociationOptions {
  /**
   * The file-system directory linked to S3, starting with `/`. Associations of one file system
   * cannot overlap (`/ns1` and `/ns1/ns2`), and `/` must be the only association if used.
   */
  readonly fileSystemPath: string;

  /** The bucket. With automatic import it must be in the file system's region. */
  readonly bucket: s3.IBucket;

  /**
   * The key prefix linked to `fileSystemPath`, e.g. `datasets/`. Prefixes of one bucket cannot
   * overlap across associations.
   * @default '' (the whole bucket)
   */
  readonly bucketPrefix?: string;

  /**
   * Which S3 changes FSx imports automatically. FSx then keeps an S3 event notification named `FSx`
   * on the bucket; synthesis fails if the app would delete or overlap it.
   * @default [NEW, CHANGED, DELETED]
   */
  readonly autoImportEvents?: DataRepositoryEvent[];

  /**
   * Which file-system changes FSx exports to S3 automatically.
   * @default - none: training reads datasets, S3 stays the source of truth
   */
  readonly autoExportEvents?: DataRepositoryEvent[];

  /**
   * Whether FSx imports the metadata of existing objects when the association is created.
   * @default true
   */
  readonly batchImportMetaDataOnCreate?: boolean;

  /**
   * The stripe size of imported files in MiB (1–512000).
   * @default - 1024
   */
  readonly importedFileChunkSizeMiB?: number;

  /**
   * What happens to the association when it leaves the stack (the files and objects stay).
   * @default - the file system's removal policy
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The file system an association belongs to, as the association sees it. */
export interface IDataRepositoryAssociationTarget extends IConstruct {
  /** The file-system id. */
  readonly fileSystemId: string;
  /** The Lustre mount name. */
  readonly mountName: string;
}

/** Properties of a {@link LustreDataRepositoryAssociation}. */
export interface LustreDataRepositoryAssociationProps extends DataRepositoryAssociationOptions {
  /** The file system. */
  readonly fileSystem: IDataRepositoryAssociationTarget;
  /**
   * The file system's other associations, checked for overlaps.
   * @default - none
   */
  readonly existing?: LustreDataRepositoryAssociation[];
}

const ALL_EVENTS = [DataRepositoryEvent.NEW, DataRepositoryEvent.CHANGED, DataRepositoryEvent.DELETED];


const LUSTRE_DATA_REPOSITORY_ASSOCIATION_SYMBOL = Symbol.for('cdk-sagemaker-datasets.LustreDataRepositoryAssociation');

/**
 * An S3 data repository association of an FSx for Lustre file system (aws-cdk-lib has only the L1).
 * Create it with {@link LustreDatasetFileSystem.addDataRepositoryAssociation}, which also checks the
 * file-system-wide rules.
 *
 * With automatic import, FSx writes an S3 event notification named `FSx` (s3:ObjectCreated:* and
 * s3:ObjectRemoved:* to an SNS topic) on the bucket; if it is changed or deleted the association
 * becomes MISCONFIGURED. Synthesis therefore fails when the app puts a `Managed: true`
 * `Custom::S3BucketNotifications` on the bucket (it replaces the whole configuration), adds an
 * ObjectCreated/ObjectRemoved notification (it overlaps FSx's rule), or writes
 * `NotificationConfiguration` in the bucket's CloudFormation. Enable EventBridge with
 * `SecureBucket.enableEventBridgeNotifications()` instead; the association orders that resource
 * after itself so its read-merge-write sees FSx's rule.
 */
export class LustreDataRepositoryAssociation extends Construct {
  /**
   * Whether `x` is a {@link LustreDataRepositoryAssociation}. Checks a marker, not `instanceof`, so
   * it holds when the app loads two copies of this library.
   */
  public static isLustreDataRepositoryAssociation(x: unknown): x is LustreDataRepositoryAssociation {
    return x !== null && typeof x === 'object' && LUSTRE_DATA_REPOSITORY_ASSOCIATION_SYMBOL in x;
  }

  /** The L1 association. */
  public readonly resource: fsx.CfnDataRepositoryAssociation;
  /** The association id. */
  public readonly associationId: string;
  /** The linked file-system directory, e.g. `/datasets`. */
  public readonly fileSystemPath: string;
  /** The linked bucket. */
  public readonly bucket: s3.IBucket;
  /** The linked key prefix: empty or ending in `/`. */
  public readonly bucketPrefix: string;
  /** `s3://<bucket>/<prefix>`. */
  public readonly dataRepositoryPath: string;
  /** The events imported automatically. */
  public readonly autoImportEvents: DataRepositoryEvent[];
  /** The events exported automatically. */
  public readonly autoExportEvents: DataRepositoryEvent[];

  private readonly fileSystem: IDataRepositoryAssociationTarget;

  constructor(scope: Construct, id: string, props: LustreDataRepositoryAssociationProps) {
    super(scope, id);
    Object.defineProperty(this, LUSTRE_DATA_REPOSITORY_ASSOCIATION_SYMBOL, { value: true });
    const ctx: PropContext = { scope: this, construct: 'LustreDataRepositoryAssociation' };
    const fail = (message: string): never => failIn(ctx, 'InvalidDataRepositoryAssociation', message);
    this.fileSystem = props.fileSystem;
    this.bucket = props.bucket;

    // File-system path.
    const fsPath = props.fileSystemPath;
    if (!Token.isUnresolved(fsPath)) {
      if (!fsPath.startsWith('/')) {
        failProp(ctx, 'fileSystemPath', JSON.stringify(fsPath), 'it must start with /', 'Use e.g. /datasets.');
      }
      if (fsPath.length > 4096) {
        failProp(ctx, 'fileSystemPath', `${fsPath.length} characters long`, 'it must be at most 4096 characters', 'Use a shorter directory.');
      }
      const normalized = deriveDirectoryPath(this, [fsPath]);
      if (normalized !== fsPath) {
        failProp(ctx, 'fileSystemPath', JSON.stringify(fsPath), 'it is not normalized', `Use ${JSON.stringify(normalized)}.`);
      }
    }
    this.fileSystemPath = fsPath;

    // Bucket prefix.
    const rawPrefix = props.bucketPrefix ?? '';
    if (!Token.isUnresolved(rawPrefix)) {
      if (rawPrefix.startsWith('/')) {
        failProp(ctx, 'bucketPrefix', JSON.stringify(rawPrefix), 'it must not start with /, as S3 keys have no leading slash', 'Use e.g. \'datasets/\'.');
      }
      if (/(^|\/)\.\.?(\/|$)/.test(rawPrefix) || rawPrefix.includes('//') || rawPrefix.includes('\0')) {
        failProp(ctx, 'bucketPrefix', JSON.stringify(rawPrefix), 'it must not contain \'.\', \'..\' or empty segments, or NUL', 'Use e.g. \'datasets/\'.');
      }
    }
    this.bucketPrefix = Token.isUnresolved(rawPrefix) || rawPrefix === '' || rawPrefix.endsWith('/') ? rawPrefix : `${rawPrefix}/`;
    this.dataRepositoryPath = `s3://${props.bucket.bucketName}/${this.bucketPrefix}`;
    if (!Token.isUnresolved(props.bucket.bucketName) && !Token.isUnresolved(this.bucketPrefix) && this.dataRepositoryPath.length > 4357) {
      fail(`the data repository path is ${this.dataRepositoryPath.length} characters long; at most 4357. Use a shorter bucketPrefix.`);
    }

    // Events.
    this.autoImportEvents = checkEvents('autoImportEvents', props.autoImportEvents ?? ALL_EVENTS, fail);
    this.autoExportEvents = checkEvents('autoExportEvents', props.autoExportEvents ?? [], fail);
    if (props.importedFileChunkSizeMiB !== undefined) {
      checkImportedFileChunkSize(ctx, props.importedFileChunkSizeMiB);
    }

    // Automatic import is same-region only.
    const stackRegion = Stack.of(this).region;
    const bucketRegion = props.bucket.env.region;
    if (this.autoImportEvents.length > 0 && !Token.isUnresolved(bucketRegion) && !Token.isUnresolved(stackRegion) && bucketRegion !== stackRegion) {
      fail(`automatic import needs the bucket in the file system's region (${stackRegion}), but the bucket is in ${bucketRegion}. ` +
        'Use a bucket in the same region, or set autoImportEvents: [] (automatic export works across regions).');
    }

    // Overlaps with the file system's other associations.
    for (const other of props.existing ?? []) {
      const overlap = overlappingFileSystemPaths(fsPath, other.fileSystemPath);
      if (overlap) {
        fail(overlap.replace('{other}', other.node.id));
      }
      if (sameBucket(this, props.bucket, other.bucket) && prefixesOverlap(this.bucketPrefix, other.bucketPrefix)) {
        fail(`bucket prefix '${this.bucketPrefix}' overlaps prefix '${other.bucketPrefix}' of association ${other.node.id} in the same bucket; ` +
          'each association needs a unique, non-nested prefix.');
      }
    }

    this.resource = new fsx.CfnDataRepositoryAssociation(this, 'Resource', {
      fileSystemId: props.fileSystem.fileSystemId,
      fileSystemPath: fsPath,
      dataRepositoryPath: this.dataRepositoryPath,
      batchImportMetaDataOnCreate: props.batchImportMetaDataOnCreate ?? true,
      importedFileChunkSize: props.importedFileChunkSizeMiB,
      s3: this.autoImportEvents.length > 0 || this.autoExportEvents.length > 0 ? {
        autoImportPolicy: this.autoImportEvents.length > 0 ? { events: this.autoImportEvents } : undefined,
        autoExportPolicy: this.autoExportEvents.length > 0 ? { events: this.autoExportEvents } : undefined,
      } : undefined,
    });
    this.resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    this.associationId = this.resource.attrAssociationId;

    if (this.autoImportEvents.length > 0) {
      this.node.addValidation({ validate: () => findNotificationHazards(this.bucket, this.resource) });
      Aspects.of(this).add(new OrderNotificationsAfterAssociation(this));
    }
  }

  /**
   * The SageMaker `DirectoryPath` of a dataset below this association's directory:
   * `/<mountName><fileSystemPath>/<datasetPath>`.
   */
  public directoryPath(datasetPath: string): string {
    return deriveDirectoryPath(this, [this.fileSystem.mountName, this.fileSystemPath, datasetPath]);
  }

  /**
   * The S3 key prefix to write a dataset under so that it appears at {@link directoryPath}:
   * `<bucketPrefix><datasetPath>/`.
   */
  public s3KeyPrefix(datasetPath: string): string {
    const relative = deriveDirectoryPath(this, [datasetPath]).slice(1);
    return relative === '' ? this.bucketPrefix : `${this.bucketPrefix}${relative}/`;
  }
}

/**
 * Makes CDK's bucket-notification resource run after the association: FSx has written its `FSx`
 * rule by then, and the resource's unmanaged read-merge-write keeps it. Same stack only; across
 * stacks the order would be a dependency cycle, so a warning says so.
 */
class OrderNotificationsAfterAssociation implements IAspect {
  constructor(private readonly association: LustreDataRepositoryAssociation) {}

  public visit(node: IConstruct): void {
    if (node !== this.association.resource) return;
    for (const notifications of notificationResourcesOf(this.association.bucket)) {
      if (Stack.of(notifications) === Stack.of(this.association)) {
        notifications.node.addDependency(this.association.resource);
      } else {
        Annotations.of(this.association).addWarningV2('cdk-sagemaker-datasets:notificationOrder',
          `The bucket notification resource ${notifications.node.path} is in another stack, so it cannot be ordered after this data repository association. ` +
          'Deploy it after the association has been created, or create both in one stack.');
      }
    }
  }
}

function checkEvents(name: string, events: DataRepositoryEvent[], fail: (message: string) => never): DataRepositoryEvent[] {
  const unique = new Set(events);
  if (unique.size !== events.length) {
    fail(`${name} lists an event more than once (${events.join(', ')}); list each of NEW, CHANGED, DELETED at most once.`);
  }
  for (const event of events) {
    if (!ALL_EVENTS.includes(event)) {
      fail(`${name} has unknown event ${JSON.stringify(event)}; use DataRepositoryEvent.NEW, CHANGED or DELETED.`);
    }
  }
  return [...events];
}

/** Two association paths overlap when one contains the other; `/` overlaps everything. */
function overlappingFileSystemPaths(a: string, b: string): string | undefined {
  if (Token.isUnresolved(a) || Token.isUnresolved(b)) return undefined;
  if (a === '/' || b === '/') {
    return `fileSystemPath ${a} and association {other}'s ${b}: '/' links the whole file system and must be its only data repository association.`;
  }
  const withSlash = (p: string) => (p.endsWith('/') ? p : `${p}/`);
  if (withSlash(a).startsWith(withSlash(b)) || withSlash(b).startsWith(withSlash(a))) {
    return `fileSystemPath ${a} overlaps ${b} of association {other}; associations of one file system need disjoint directories (not /ns1 and /ns1/ns2).`;
  }
  return undefined;
}

function prefixesOverlap(a: string, b: string): boolean {
  if (Token.isUnresolved(a) || Token.isUnresolved(b)) return false;
  return a.startsWith(b) || b.startsWith(a);
}

function sameBucket(scope: IConstruct, a: s3.IBucket, b: s3.IBucket): boolean {
  if (a === b) return true;
  const stack = Stack.of(scope);
  return JSON.stringify(stack.resolve(a.bucketName)) === JSON.stringify(stack.resolve(b.bucketName));
}
