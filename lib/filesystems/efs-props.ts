import { RemovalPolicy, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ITrainingNetwork } from '../network';
import { FileSystemAccessMode } from './dataset-file-system';

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
