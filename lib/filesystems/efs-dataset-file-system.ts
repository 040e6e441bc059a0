import { Annotations, RemovalPolicy, Size, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IDependable } from 'constructs';
import { efsDirectoryPathFromLambdaPath, validateLambdaMountPath } from '../../contract/sagemaker-channel';
import { acknowledgeFindings } from '../nag/acknowledge';
import { FileSystemPorts, ITrainingNetwork } from '../network';
import { Availability, regionCapabilities } from '../regions/capability-table';
import {
  DatasetFileSystemType, FileSystemAccessMode, FileSystemTrainingChannel, IDatasetFileSystem, buildTrainingChannel, deriveDirectoryPath,
} from './dataset-file-system';

/** A POSIX owner. */
export interface PosixOwner {
  /** The user id (0–4294967295). */
  readonly uid: number;
  /** The group id (0–4294967295). */
  readonly gid: number;
}

/** Options of an {@link EfsDatasetFileSystem}, everything but the network. */
export interface EfsDatasetFileSystemOptions {
  /**
   * The directory that holds the datasets: the writer access point's root, and the start of every
   * channel `DirectoryPath` (SageMaker mounts the file-system root; it has no access-point field).
   * At most 4 levels below `/`.
   * @default '/datasets'
   */
  readonly datasetDirectory?: string;

  /**
   * The POSIX user writers act as through the access point, and the owner EFS gives the dataset
   * directory when it creates it.
   * @default { uid: 1000, gid: 1000 }
   */
  readonly writerOwner?: PosixOwner;

  /**
   * The permissions EFS gives the dataset directory when it creates it (octal). Training jobs mount
   * without an identity (root squashed), so they read through the "other" bits.
   * @default '755'
   */
  readonly datasetDirectoryPermissions?: string;

  /**
   * What training jobs may do on the file system. The file-system policy lets clients that mount
   * through a mount target without IAM authorization (SageMaker training) mount read-only, or also
   * write with READ_WRITE; root access stays denied (root is squashed).
   * @default FileSystemAccessMode.READ_ONLY
   */
  readonly trainingAccessMode?: FileSystemAccessMode;

  /**
   * The KMS key for encryption at rest (always on).
   * @default - the AWS managed key aws/elasticfilesystem
   */
  readonly kmsKey?: kms.IKey;

  /**
   * The throughput mode.
   * @default efs.ThroughputMode.ELASTIC
   */
  readonly throughputMode?: efs.ThroughputMode;

  /**
   * Provisioned throughput, with `efs.ThroughputMode.PROVISIONED` only.
   * @default - none
   */
  readonly provisionedThroughputPerSecond?: Size;

  /**
   * The performance mode. MAX_IO does not work with elastic throughput.
   * @default efs.PerformanceMode.GENERAL_PURPOSE
   */
  readonly performanceMode?: efs.PerformanceMode;

  /**
   * Whether AWS Backup backs the file system up daily (EFS automatic backups).
   * @default true
   */
  readonly enableAutomaticBackups?: boolean;

  /**
   * What happens to the file system when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Properties of an {@link EfsDatasetFileSystem}. */
export interface EfsDatasetFileSystemProps extends EfsDatasetFileSystemOptions {
  /** The training network: one mount target per Availability Zone of its training subnets. */
  readonly network: ITrainingNetwork;
}

/** What a Lambda function needs to write datasets to EFS. */
export interface LambdaDatasetMount {
  /** Pass as the function's `filesystem`; it opens NFS from the function and grants mount and write on the writer access point. */
  readonly fileSystem: lambda.FileSystem;
  /** Where the function sees the dataset directory, e.g. `/mnt/datasets`. */
  readonly localMountPath: string;
  /** The dataset directory as training jobs see it, e.g. `/datasets`: `<localMountPath>/x` is `<datasetRootDirectory>/x`. */
  readonly datasetRootDirectory: string;
}

/** An EFS dataset file system, new or imported. */
export interface IEfsDatasetFileSystem extends IDatasetFileSystem {
  /** The file-system ARN. */
  readonly fileSystemArn: string;
  /** The dataset directory, e.g. `/datasets` (the writer access point's root). */
  readonly datasetDirectory: string;
  /** The writer access point, if known. */
  readonly writerAccessPoint?: efs.IAccessPoint;

  /**
   * What a Lambda function needs to write datasets: a `lambda.FileSystem` for the writer access point
   * at `localMountPath`, and the matching SageMaker directory.
   * @param localMountPath default `/mnt/datasets`
   */
  lambdaMount(localMountPath?: string): LambdaDatasetMount;

  /** The SageMaker `DirectoryPath` of a path a Lambda sees below its mount (`/mnt/datasets/x` → `/datasets/x`). */
  directoryPathForLambdaPath(localMountPath: string, localPath: string): string;

  /**
   * Grants mounting and writing through the writer access point only (IAM, conditioned on the access
   * point ARN), as Lambda needs when the file system has a policy.
   */
  grantWriterAccess(grantee: iam.IGrantable): iam.Grant;
}

/** What identifies an existing EFS file system. */
export interface EfsDatasetFileSystemAttributes {
  /** The file-system id. */
  readonly fileSystemId: string;
  /** The security group of its mount targets. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The subnets training jobs may use: subnets in Availability Zones that have a mount target. */
  readonly subnets: ec2.ISubnet[];
  /**
   * The dataset directory.
   * @default '/datasets'
   */
  readonly datasetDirectory?: string;
  /**
   * The access point writers use; its root must be `datasetDirectory`.
   * @default - none: lambdaMount() and grantWriterAccess() are unavailable
   */
  readonly writerAccessPointId?: string;
}

const DEFAULT_DATASET_DIRECTORY = '/datasets';
const DEFAULT_LAMBDA_MOUNT_PATH = '/mnt/datasets';
/** EFS RootDirectory.Path: 1–100 characters, at most 4 levels (EFS API model). */
const ACCESS_POINT_PATH = /^(\/|(\/(?!\.)+[^$#<>;`|&?{}^*/\n]+){1,4})$/;

abstract class EfsDatasetFileSystemBase extends Construct implements IEfsDatasetFileSystem {
  public abstract readonly fileSystemId: string;
  public abstract readonly fileSystemArn: string;
  public abstract readonly datasetDirectory: string;
  public abstract readonly writerAccessPoint?: efs.IAccessPoint;
  public abstract readonly trainingSubnets: ec2.SubnetSelection;
  public abstract readonly connections: ec2.Connections;
  public readonly fileSystemType = DatasetFileSystemType.EFS;
  protected trainingAccessMode?: FileSystemAccessMode;
  protected mountTargetsAvailable: IDependable[] = [];

  public get datasetRootDirectory(): string {
    return deriveDirectoryPath(this, [this.datasetDirectory]);
  }

  public directoryPath(datasetPath: string): string {
    return deriveDirectoryPath(this, [this.datasetDirectory, datasetPath]);
  }

  public trainingChannel(channelName: string, datasetPath: string, accessMode?: FileSystemAccessMode): FileSystemTrainingChannel {
    if (accessMode === FileSystemAccessMode.READ_WRITE && this.trainingAccessMode === FileSystemAccessMode.READ_ONLY) {
      throw new Error(`EfsDatasetFileSystem ${this.node.path}: channel '${channelName}' asks for read-write, but the file-system policy lets training jobs ` +
        'mount read-only. Create the file system with trainingAccessMode: FileSystemAccessMode.READ_WRITE, or use READ_ONLY.');
    }
    return buildTrainingChannel(this, channelName, datasetPath, accessMode);
  }

  public allowClient(client: ec2.IConnectable): void {
    FileSystemPorts.allowNfs(client, this);
  }

  public grantDescribe(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['elasticfilesystem:DescribeFileSystems', 'elasticfilesystem:DescribeMountTargets'],
      resourceArns: [this.fileSystemArn],
    });
  }

  public grantWriterAccess(grantee: iam.IGrantable): iam.Grant {
    const accessPoint = this.requireWriterAccessPoint('grantWriterAccess');
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
      resourceArns: [this.fileSystemArn],
      conditions: {
        StringEquals: { 'elasticfilesystem:AccessPointArn': accessPoint.accessPointArn },
        Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
      },
    });
  }

  public lambdaMount(localMountPath: string = DEFAULT_LAMBDA_MOUNT_PATH): LambdaDatasetMount {
    const accessPoint = this.requireWriterAccessPoint('lambdaMount');
    if (!Token.isUnresolved(localMountPath)) {
      try {
        validateLambdaMountPath(localMountPath);
      } catch (error) {
        throw new Error(`EfsDatasetFileSystem ${this.node.path}: ${(error as Error).message}`);
      }
    }
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region)) {
      const lambdaEfs = regionCapabilities(region).lambdaEfsMount;
      if (lambdaEfs.availability === Availability.UNAVAILABLE) {
        throw new Error(`EfsDatasetFileSystem ${this.node.path}: Lambda cannot mount EFS in ${region} (${lambdaEfs.source}). ` +
          'Write datasets from another compute service (e.g. ECS or Batch) in this region.');
      }
      if (lambdaEfs.availability === Availability.UNVERIFIED) {
        Annotations.of(this).addWarningV2('cdk-sagemaker-datasets:lambdaEfsUnverified',
          `Whether Lambda mounts EFS in ${region} is unverified (${lambdaEfs.source}).`);
      }
    }
    const fileSystem = new WriterLambdaFileSystem({
      localMountPath,
      arn: accessPoint.accessPointArn,
      dependency: this.mountTargetsAvailable,
      connections: new ec2.Connections({ securityGroups: this.connections.securityGroups, defaultPort: FileSystemPorts.NFS }),
      policies: [new iam.PolicyStatement({
        actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        resources: [this.fileSystemArn],
        conditions: {
          StringEquals: { 'elasticfilesystem:AccessPointArn': accessPoint.accessPointArn },
          Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' },
        },
      })],
    });
    return { fileSystem, localMountPath, datasetRootDirectory: this.datasetRootDirectory };
  }

  public directoryPathForLambdaPath(localMountPath: string, localPath: string): string {
    try {
      return efsDirectoryPathFromLambdaPath(localMountPath, this.datasetDirectory, localPath);
    } catch (error) {
      throw new Error(`EfsDatasetFileSystem ${this.node.path}: ${(error as Error).message}`);
    }
  }

  private requireWriterAccessPoint(method: string): efs.IAccessPoint {
    if (!this.writerAccessPoint) {
      throw new Error(`EfsDatasetFileSystem ${this.node.path}: ${method}() needs the writer access point; import the file system with writerAccessPointId.`);
    }
    return this.writerAccessPoint;
  }
}

/**
 * An EFS file system for SageMaker training datasets: encrypted, elastic throughput, automatic
 * backups, RETAIN by default, one mount target per Availability Zone of the training subnets behind a
 * security group that admits only NFS (TCP 2049) from the clients it is opened to, and an access
 * point for writers rooted at the dataset directory with owner and permissions set, so EFS creates
 * the directory before the first write (without it, writers fail with "No such file or directory: /efs/...").
 *
 * SageMaker cannot use access points: a training job mounts the file-system root, so a file a Lambda
 * writes at `/mnt/datasets/x` through the access point is `/datasets/x` for the job. The channel
 * paths are derived here; callers never compute them.
 *
 * File-system policy: SageMaker's `FileSystemDataSource` has no IAM or access-point field and the
 * SageMaker execution-role documentation lists no `elasticfilesystem:Client*` action, so training
 * jobs are treated as clients without IAM authorization. The policy allows them `ClientMount` (and
 * `ClientWrite` with `trainingAccessMode` READ_WRITE) through mount targets only and never
 * `ClientRootAccess`; the network (2049 only from registered security groups) is the boundary.
 * (aws-cdk-lib's own anonymous-access statement omits `ClientMount`, which makes such mounts fail,
 * aws/aws-cdk#36224.) Verify with a training job in a new account before relying on it.
 *
 * @example
 * const datasets = new EfsDatasetFileSystem(this, 'Datasets', { network });
 * datasets.allowClient(network);
 * const mount = datasets.lambdaMount('/mnt/datasets');
 * // new lambda.Function(this, 'Writer', { ..., vpc: network.vpc, filesystem: mount.fileSystem });
 */
export class EfsDatasetFileSystem extends EfsDatasetFileSystemBase {
  /** Imports an existing EFS file system. */
  public static fromEfsDatasetFileSystemAttributes(scope: Construct, id: string, attrs: EfsDatasetFileSystemAttributes): IEfsDatasetFileSystem {
    return new ImportedEfsDatasetFileSystem(scope, id, attrs);
  }

  /** Whether `x` is an {@link EfsDatasetFileSystem} created in this app. */
  public static isEfsDatasetFileSystem(x: unknown): x is EfsDatasetFileSystem {
    return x instanceof EfsDatasetFileSystem;
  }

  /** The L2 file system. */
  public readonly fileSystem: efs.FileSystem;
  /** The mount targets' security group (NFS rules only). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The access point writers use, rooted at the dataset directory (always set on a file system this construct creates). */
  public readonly writerAccessPoint?: efs.IAccessPoint;
  public readonly connections: ec2.Connections;
  public readonly fileSystemId: string;
  public readonly fileSystemArn: string;
  public readonly datasetDirectory: string;
  public readonly trainingSubnets: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, props: EfsDatasetFileSystemProps) {
    super(scope, id);
    const fail = (message: string): never => {
      throw new Error(`EfsDatasetFileSystem ${this.node.path}: ${message}`);
    };

    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region)) {
      const caps = regionCapabilities(region);
      if (caps.efsFileSystem.availability === Availability.UNAVAILABLE) {
        fail(`CloudFormation cannot create EFS file systems in ${region} (${caps.efsFileSystem.source}).`);
      }
      if (caps.sageMakerEfsChannel.availability === Availability.UNAVAILABLE) {
        fail(`SageMaker training jobs cannot read EFS channels in ${region} (${caps.sageMakerEfsChannel.source}).`);
      }
    }

    this.datasetDirectory = props.datasetDirectory ?? DEFAULT_DATASET_DIRECTORY;
    if (!Token.isUnresolved(this.datasetDirectory)) {
      if (this.datasetDirectory.length > 100 || !ACCESS_POINT_PATH.test(this.datasetDirectory)) {
        fail(`datasetDirectory ${JSON.stringify(this.datasetDirectory)} cannot be an access point root: use an absolute path of at most 4 levels ` +
          'and 100 characters, without a trailing slash, dot segments or the characters $#<>;`|&?{}^*.');
      }
      if (deriveDirectoryPath(this, [this.datasetDirectory]) !== this.datasetDirectory) {
        fail(`datasetDirectory ${JSON.stringify(this.datasetDirectory)} is not normalized; use ${JSON.stringify(deriveDirectoryPath(this, [this.datasetDirectory]))}.`);
      }
    }
    const owner = props.writerOwner ?? { uid: 1000, gid: 1000 };
    for (const [name, value] of [['writerOwner.uid', owner.uid], ['writerOwner.gid', owner.gid]] as const) {
      if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < 0 || value > 4294967295)) {
        fail(`${name} must be a whole number from 0 to 4294967295 (got ${value}).`);
      }
    }
    const permissions = props.datasetDirectoryPermissions ?? '755';
    if (!/^[0-7]{3,4}$/.test(permissions)) {
      fail(`datasetDirectoryPermissions ${JSON.stringify(permissions)} must be 3 or 4 octal digits, e.g. '755'.`);
    }
    const throughputMode = props.throughputMode ?? efs.ThroughputMode.ELASTIC;
    const performanceMode = props.performanceMode ?? efs.PerformanceMode.GENERAL_PURPOSE;
    if (throughputMode === efs.ThroughputMode.ELASTIC && performanceMode === efs.PerformanceMode.MAX_IO) {
      fail('performanceMode MAX_IO does not work with elastic throughput. Use GENERAL_PURPOSE, or another throughputMode.');
    }
    if (throughputMode === efs.ThroughputMode.PROVISIONED && !props.provisionedThroughputPerSecond) {
      fail('throughputMode PROVISIONED needs provisionedThroughputPerSecond.');
    }
    if (throughputMode !== efs.ThroughputMode.PROVISIONED && props.provisionedThroughputPerSecond) {
      fail('provisionedThroughputPerSecond needs throughputMode: efs.ThroughputMode.PROVISIONED.');
    }
    this.trainingAccessMode = props.trainingAccessMode ?? FileSystemAccessMode.READ_ONLY;

    // One mount target per AZ: EFS allows one per AZ, and every training subnet's AZ needs one.
    const trainingSubnets = props.network.trainingSubnetList();
    const mountTargetSubnets: ec2.ISubnet[] = [];
    for (const subnet of trainingSubnets) {
      if (!mountTargetSubnets.some((s) => s.availabilityZone === subnet.availabilityZone)) {
        mountTargetSubnets.push(subnet);
      }
    }
    this.trainingSubnets = { subnets: trainingSubnets };

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.network.vpc,
      description: 'EFS dataset file system mount targets: NFS (TCP 2049) from their clients only',
      allowAllOutbound: false,
    });

    const clientActions = ['elasticfilesystem:ClientMount'];
    if (this.trainingAccessMode === FileSystemAccessMode.READ_WRITE) {
      clientActions.push('elasticfilesystem:ClientWrite');
    }
    this.fileSystem = new efs.FileSystem(this, 'Resource', {
      vpc: props.network.vpc,
      vpcSubnets: { subnets: mountTargetSubnets },
      securityGroup: this.securityGroup,
      encrypted: true,
      kmsKey: props.kmsKey,
      throughputMode,
      provisionedThroughputPerSecond: props.provisionedThroughputPerSecond,
      performanceMode,
      enableAutomaticBackups: props.enableAutomaticBackups ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      // Our own policy replaces aws-cdk-lib's anonymous-access statement (which lacks ClientMount).
      allowAnonymousAccess: true,
      fileSystemPolicy: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          sid: 'TrainingJobsMountThroughMountTargets',
          principals: [new iam.AnyPrincipal()],
          actions: clientActions,
          conditions: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
        })],
      }),
    });
    this.connections = this.fileSystem.connections;
    this.mountTargetsAvailable = [this.fileSystem.mountTargetsAvailable];
    this.fileSystemId = this.fileSystem.fileSystemId;
    this.fileSystemArn = this.fileSystem.fileSystemArn;

    this.writerAccessPoint = this.fileSystem.addAccessPoint('WriterAccessPoint', {
      path: this.datasetDirectory,
      posixUser: { uid: String(owner.uid), gid: String(owner.gid) },
      createAcl: { ownerUid: String(owner.uid), ownerGid: String(owner.gid), permissions },
    });

    if (props.enableAutomaticBackups ?? true) {
      acknowledgeFindings(this.fileSystem, ['NIST.800.53.R5-EFSInBackupPlan', 'HIPAA.Security-EFSInBackupPlan'],
        'EFS automatic backups are on (BackupPolicy ENABLED): AWS Backup protects the file system with its default plan aws/efs/automatic-backup-plan, outside the template.');
    }
  }
}

/** `lambda.FileSystem` with a scoped policy: the static factories grant ClientMount on `*`. */
class WriterLambdaFileSystem extends lambda.FileSystem {
  constructor(config: lambda.FileSystemConfig) {
    super(config);
  }
}

class ImportedEfsDatasetFileSystem extends EfsDatasetFileSystemBase {
  public readonly fileSystemId: string;
  public readonly fileSystemArn: string;
  public readonly datasetDirectory: string;
  public readonly writerAccessPoint?: efs.IAccessPoint;
  public readonly trainingSubnets: ec2.SubnetSelection;
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, attrs: EfsDatasetFileSystemAttributes) {
    super(scope, id);
    const fail = (message: string): never => {
      throw new Error(`EfsDatasetFileSystem.fromEfsDatasetFileSystemAttributes ${this.node.path}: ${message}`);
    };
    if (!Token.isUnresolved(attrs.fileSystemId) && !/^fs-[0-9a-f]{8,}$/.test(attrs.fileSystemId)) {
      fail(`fileSystemId ${JSON.stringify(attrs.fileSystemId)} is not an EFS file-system id (fs- followed by at least 8 lowercase hex digits).`);
    }
    if (attrs.subnets.length === 0) {
      fail('subnets is empty; list the subnets training jobs may use (each in an Availability Zone with a mount target).');
    }
    this.fileSystemId = attrs.fileSystemId;
    this.fileSystemArn = Stack.of(this).formatArn({ service: 'elasticfilesystem', resource: 'file-system', resourceName: attrs.fileSystemId });
    this.datasetDirectory = attrs.datasetDirectory ?? DEFAULT_DATASET_DIRECTORY;
    if (!Token.isUnresolved(this.datasetDirectory) && deriveDirectoryPath(this, [this.datasetDirectory]) !== this.datasetDirectory) {
      fail(`datasetDirectory ${JSON.stringify(this.datasetDirectory)} must be absolute and normalized, e.g. /datasets.`);
    }
    this.connections = new ec2.Connections({ securityGroups: [attrs.securityGroup], defaultPort: FileSystemPorts.NFS });
    this.trainingSubnets = { subnets: attrs.subnets };
    if (attrs.writerAccessPointId) {
      const fileSystem = efs.FileSystem.fromFileSystemAttributes(this, 'FileSystem', {
        fileSystemId: attrs.fileSystemId,
        securityGroup: attrs.securityGroup,
      });
      this.writerAccessPoint = efs.AccessPoint.fromAccessPointAttributes(this, 'WriterAccessPoint', {
        accessPointId: attrs.writerAccessPointId,
        fileSystem,
      });
    }
  }
}
