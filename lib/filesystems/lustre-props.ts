import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { ITrainingNetwork } from '../network';
import { DataRepositoryAssociationOptions } from './data-repository-association';
import { LustreLogLevel, LustreMetadataConfiguration } from './lustre-settings';

/** Options of a {@link LustreDatasetFileSystem}, everything but the network. */
export interface LustreDatasetFileSystemOptions {
  /**
   * The training subnet the file system lives in. It fixes the file system's Availability Zone,
   * and training jobs get only the training subnets of that AZ.
   * @default - the first training subnet of the network
   */
  readonly subnet?: ec2.ISubnet;

  /**
   * Storage capacity in GiB. SSD (SCRATCH_2, PERSISTENT_1, PERSISTENT_2): 1200, 2400 or a multiple
   * of 2400; SCRATCH_1: 1200, 2400 or a multiple of 3600; PERSISTENT_1 HDD: a multiple of 6000
   * (12 MB/s/TiB) or 1800 (40 MB/s/TiB). 1200 GiB is the minimum and is billed in full.
   * @default 1200
   */
  readonly storageCapacityGiB?: number;

  /**
   * The deployment type. SCRATCH types are not available in the China regions.
   * @default fsx.LustreDeploymentType.PERSISTENT_2
   */
  readonly deploymentType?: fsx.LustreDeploymentType;

  /**
   * SSD, or HDD (PERSISTENT_1 only). Intelligent-Tiering is not supported: FSx cannot link it to S3.
   * @default fsx.StorageType.SSD
   */
  readonly storageType?: fsx.StorageType;

  /**
   * Throughput per TiB of storage in MB/s. PERSISTENT_2: 125, 250, 500 or 1000; PERSISTENT_1 SSD:
   * 50, 100 or 200; PERSISTENT_1 HDD: 12 or 40; not for SCRATCH types.
   * @default - 125 (PERSISTENT_2), 50 (PERSISTENT_1 SSD), 12 (PERSISTENT_1 HDD), none (SCRATCH)
   */
  readonly perUnitStorageThroughput?: number;

  /**
   * The Lustre version. Data repository associations need 2.12 or 2.15; a metadata configuration
   * needs 2.15; PERSISTENT_2 does not run 2.10.
   * @default fsx.FileSystemTypeVersion.V_2_15
   */
  readonly fileSystemTypeVersion?: fsx.FileSystemTypeVersion;

  /**
   * Data compression.
   * @default fsx.LustreDataCompressionType.LZ4
   */
  readonly dataCompressionType?: fsx.LustreDataCompressionType;

  /**
   * Metadata performance (PERSISTENT_2 only). It can only be set at creation. Not emitted where the
   * region's CloudFormation schema lacks `MetadataConfiguration` (cn-northwest-1, us-gov-*).
   * @default - LustreMetadataConfiguration.automatic() for PERSISTENT_2 where the region's schema has it
   */
  readonly metadataConfiguration?: LustreMetadataConfiguration;

  /**
   * Elastic Fabric Adapter and GPUDirect Storage support. Needs PERSISTENT_2, Lustre 2.15, a metadata
   * configuration and a region whose schema has `EfaEnabled`; the file system's security group then
   * allows all traffic within itself and with its clients.
   * @default false
   */
  readonly efaEnabled?: boolean;

  /**
   * The KMS key for encryption at rest (always on).
   * @default - the AWS managed key aws/fsx
   */
  readonly kmsKey?: kms.IKey;

  /**
   * The directory (file-system path) that holds the datasets: the channel `DirectoryPath` is
   * `/<mountName><datasetDirectory>/<dataset path>`. Link it to S3 with a data repository association
   * whose `fileSystemPath` is the same.
   * @default '/datasets'
   */
  readonly datasetDirectory?: string;

  /**
   * Data repository associations to create with the file system (up to 8). More can be added with
   * {@link LustreDatasetFileSystem.addDataRepositoryAssociation}.
   * @default - none
   */
  readonly dataRepositoryAssociations?: DataRepositoryAssociationOptions[];

  /**
   * How long automatic daily backups are kept (0–90 days). FSx cannot back up file systems linked to
   * S3 by a data repository association, and scratch file systems have no backups; the data lives in
   * S3.
   * @default Duration.days(0)
   */
  readonly automaticBackupRetention?: Duration;

  /**
   * When the daily backup starts (needs `automaticBackupRetention`).
   * @default - FSx picks a time
   */
  readonly dailyAutomaticBackupStartTime?: fsx.DailyAutomaticBackupStartTime;

  /**
   * When weekly maintenance starts.
   * @default - FSx picks a time
   */
  readonly weeklyMaintenanceStartTime?: fsx.LustreMaintenanceTime;

  /**
   * The read cache of PERSISTENT_1 HDD file systems.
   * @default - fsx.DriveCacheType.NONE for HDD
   */
  readonly driveCacheType?: fsx.DriveCacheType;

  /**
   * Legacy S3 link for SCRATCH and PERSISTENT_1 (`s3://bucket/prefix`). Cannot be combined with data
   * repository associations or PERSISTENT_2; prefer a data repository association.
   * @default - none
   */
  readonly importPath?: string;

  /**
   * Legacy export path; needs `importPath` in the same bucket.
   * @default - none
   */
  readonly exportPath?: string;

  /**
   * Legacy automatic import; needs `importPath`.
   * @default - none
   */
  readonly autoImportPolicy?: fsx.LustreAutoImportPolicy;

  /**
   * Legacy stripe size of imported files in MiB (1–512000); needs `importPath`.
   * @default - 1024
   */
  readonly importedFileChunkSizeMiB?: number;

  /**
   * Which data-repository events FSx logs to CloudWatch Logs.
   * @default - LustreLogLevel.WARN_ERROR where the region's schema has `LogConfiguration` (see the
   * capability table); not emitted elsewhere
   */
  readonly logLevel?: LustreLogLevel;

  /**
   * The log group FSx logs to; its name must start with `/aws/fsx`.
   * @default - a new log group `/aws/fsx/lustre/<unique id>`
   */
  readonly logGroup?: logs.ILogGroup;

  /**
   * How long a new log group keeps events.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * A customer managed key for a new log group. Its key policy must let CloudWatch Logs use it.
   * @default - CloudWatch Logs encrypts with a service-owned key
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * Use FSx for Lustre even where the capability table says SageMaker cannot read FSx channels (the
   * China regions, per a 2021 report no stored AWS source confirms or refutes). Unverified: test a
   * training job in the region first.
   * @default false
   */
  readonly assumeSageMakerFsxChannelSupported?: boolean;

  /**
   * What happens to the file system (and its log group) when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Properties of a {@link LustreDatasetFileSystem}. */
export interface LustreDatasetFileSystemProps extends LustreDatasetFileSystemOptions {
  /** The training network: the file system goes into one of its subnets. */
  readonly network: ITrainingNetwork;
}

/** What identifies an existing FSx for Lustre file system (the platform's, as `DatasetPlatformStack` publishes it). */
export interface LustreDatasetFileSystemAttributes {
  /** The file-system id (`fs-…`). */
  readonly fileSystemId: string;
  /** The mount name (`LustreMountName`; `fsx` for SCRATCH_1). */
  readonly mountName: string;
  /** The id of the file system's security group. */
  readonly securityGroupId: string;
  /** The subnet the file system lives in. */
  readonly subnetId: string;
  /** The file system's Availability Zone (the subnet's). */
  readonly availabilityZone: string;
  /**
   * The training network, to give training jobs every training subnet in the file system's AZ.
   * @default - training jobs get only `subnetId`
   */
  readonly network?: ITrainingNetwork;
  /**
   * The DNS name.
   * @default - `<fileSystemId>.fsx.<region>.<url suffix>`
   */
  readonly dnsName?: string;
  /**
   * The dataset directory on the file system.
   * @default '/datasets'
   */
  readonly datasetDirectory?: string;
  /**
   * The S3 location the dataset directory is linked to by a data repository association, e.g.
   * `s3://bucket/datasets/`.
   * @default - unknown
   */
  readonly dataRepositoryPath?: string;
}

