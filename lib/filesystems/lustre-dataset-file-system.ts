import { Annotations, ArnFormat, Aws, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeFindings } from '../nag/acknowledge';
import { throwValidation } from '../validation';
import { FileSystemPorts, ITrainingNetwork } from '../network';
import { connectionsInStackOf } from '../network/cross-stack-connections';
import { Availability, CapabilityFact, RegionCapabilities, regionCapabilities } from '../regions/capability-table';
import { addCfnLintException } from './cfn-lint-exceptions';
import { DataRepositoryAssociationOptions, LustreDataRepositoryAssociation } from './data-repository-association';
import {
  DatasetFileSystemType, FileSystemAccessMode, FileSystemTrainingChannel, IDatasetFileSystem, buildTrainingChannel, deriveDirectoryPath,
} from './dataset-file-system';

/** FSx for Lustre metadata performance (PERSISTENT_2 only; it can only be set when the file system is created). */
export class LustreMetadataConfiguration {
  /** FSx provisions and scales metadata IOPS with the storage capacity (SSD only). */
  public static automatic(): LustreMetadataConfiguration {
    return new LustreMetadataConfiguration('AUTOMATIC');
  }

  /**
   * A fixed number of metadata IOPS: 1500, 3000, 6000, 12000, or a multiple of 12000 up to 192000.
   */
  public static userProvisioned(iops: number): LustreMetadataConfiguration {
    return new LustreMetadataConfiguration('USER_PROVISIONED', iops);
  }

  private constructor(
    /** `AUTOMATIC` or `USER_PROVISIONED`. */
    public readonly mode: string,
    /** The metadata IOPS with `USER_PROVISIONED`. */
    public readonly iops?: number,
  ) {}
}

/** Which Lustre data-repository events FSx writes to CloudWatch Logs. */
export enum LustreLogLevel {
  /** No logging. */
  DISABLED = 'DISABLED',
  /** Warnings only. */
  WARN_ONLY = 'WARN_ONLY',
  /** Errors only. */
  ERROR_ONLY = 'ERROR_ONLY',
  /** Warnings and errors. */
  WARN_ERROR = 'WARN_ERROR',
}

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

/** An FSx for Lustre dataset file system, new or imported. */
export interface ILustreDatasetFileSystem extends IDatasetFileSystem {
  /** The Lustre mount name (a token for a new file system): SageMaker paths start with it. */
  readonly mountName: string;
  /** The DNS name clients mount. */
  readonly dnsName: string;
  /** The dataset directory on the file system, e.g. `/datasets`. */
  readonly datasetDirectory: string;
  /** The file system's security group. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The subnet the file system lives in. */
  readonly subnet: ec2.ISubnet;
  /** The file system's Availability Zone. */
  readonly availabilityZone: string;
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

const MAX_DATA_REPOSITORY_ASSOCIATIONS = 8;
const DEFAULT_DATASET_DIRECTORY = '/datasets';

abstract class LustreDatasetFileSystemBase extends Construct implements ILustreDatasetFileSystem {
  public abstract readonly fileSystemId: string;
  public abstract readonly mountName: string;
  public abstract readonly dnsName: string;
  public abstract readonly datasetDirectory: string;
  public abstract readonly trainingSubnets: ec2.SubnetSelection;
  public abstract readonly connections: ec2.Connections;
  public abstract readonly securityGroup: ec2.ISecurityGroup;
  public abstract readonly subnet: ec2.ISubnet;
  public abstract readonly availabilityZone: string;
  public readonly fileSystemType = DatasetFileSystemType.FSX_LUSTRE;

  public get datasetRootDirectory(): string {
    return deriveDirectoryPath(this, [this.mountName, this.datasetDirectory]);
  }

  public directoryPath(datasetPath: string): string {
    return deriveDirectoryPath(this, [this.mountName, this.datasetDirectory, datasetPath]);
  }

  public trainingChannel(channelName: string, datasetPath: string, accessMode?: FileSystemAccessMode): FileSystemTrainingChannel {
    return buildTrainingChannel(this, channelName, datasetPath, accessMode);
  }

  public allowClient(client: ec2.IConnectable): void {
    FileSystemPorts.allowLustre(client, this);
  }

  public grantDescribe(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['fsx:DescribeFileSystems'],
      // DescribeFileSystems has no resource type: IAM authorizes it on * only (a file-system ARN never matches).
      resourceArns: ['*'],
    });
  }
}

/**
 * An FSx for Lustre file system for SageMaker training datasets: PERSISTENT_2, Lustre 2.15, LZ4,
 * automatic metadata configuration, encrypted at rest, in one training subnet, with a security group
 * that admits only Lustre traffic (TCP 988 and 1018–1023) within itself and from the clients it is
 * opened to, S3 data repository associations, and Lustre logging to CloudWatch Logs where supported.
 *
 * Every rule of the FSx API that CloudFormation would only report at deploy time fails synthesis
 * here with a message that says what to change. The minimum, 1.2 TiB, is billed in full.
 *
 * @example
 * const datasets = new LustreDatasetFileSystem(this, 'Datasets', { network });
 * datasets.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket, bucketPrefix: 'datasets/' });
 * datasets.allowClient(network);
 * const channel = datasets.trainingChannel('train', 'cifar10/train');
 */
export class LustreDatasetFileSystem extends LustreDatasetFileSystemBase {
  /** Imports an existing FSx for Lustre file system. */
  public static fromLustreDatasetFileSystemAttributes(scope: Construct, id: string, attrs: LustreDatasetFileSystemAttributes): ILustreDatasetFileSystem {
    return new ImportedLustreDatasetFileSystem(scope, id, attrs);
  }

  /** Whether `x` is a {@link LustreDatasetFileSystem} created in this app. */
  public static isLustreDatasetFileSystem(x: unknown): x is LustreDatasetFileSystem {
    return x instanceof LustreDatasetFileSystem;
  }

  /** The L1 file system. */
  public readonly fileSystem: fsx.CfnFileSystem;
  /** The file system's security group (Lustre rules only). */
  public readonly securityGroup: ec2.ISecurityGroup;
  public readonly connections: ec2.Connections;
  public readonly fileSystemId: string;
  public readonly mountName: string;
  public readonly dnsName: string;
  public readonly datasetDirectory: string;
  /** The subnet the file system lives in. */
  public readonly subnet: ec2.ISubnet;
  /** The file system's Availability Zone. */
  public readonly availabilityZone: string;
  public readonly trainingSubnets: ec2.SubnetSelection;
  /** The deployment type. */
  public readonly deploymentType: fsx.LustreDeploymentType;
  /** The Lustre version. */
  public readonly fileSystemTypeVersion: fsx.FileSystemTypeVersion;
  /** The storage type. */
  public readonly storageType: fsx.StorageType;
  /** Days automatic backups are kept (0: off). */
  public readonly automaticBackupRetentionDays: number;
  /** The legacy import path, if any. */
  public readonly importPath?: string;
  /** The log group FSx logs to, if logging is emitted. */
  public readonly logGroup?: logs.ILogGroup;
  /** Whether EFA is enabled. */
  public readonly efaEnabled: boolean;
  /** The data repository associations, in creation order. */
  public readonly dataRepositoryAssociations: LustreDataRepositoryAssociation[] = [];
  /** What the capability table says about the stack's region. */
  public readonly regionCapabilities: RegionCapabilities;

  private readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: LustreDatasetFileSystemProps) {
    super(scope, id);
    const fail = (message: string): never => {
      throw new Error(`LustreDatasetFileSystem ${this.node.path}: ${message}`);
    };

    const region = Stack.of(this).region;
    if (Token.isUnresolved(region)) {
      fail('the stack has no concrete region (env.region is unset or a token), so the library cannot check whether SageMaker reads FSx ' +
        'for Lustre channels there or which FSx CloudFormation properties exist. Set env: { region: \'us-east-1\' } (or another region) on the stack.');
    }
    const caps = regionCapabilities(region);
    this.regionCapabilities = caps;
    const factText = (f: CapabilityFact) => `${f.availability}: ${f.source}`;

    if (caps.fsxLustreFileSystem.availability === Availability.UNAVAILABLE) {
      fail(`CloudFormation cannot create FSx for Lustre file systems in ${region} (${factText(caps.fsxLustreFileSystem)}). Use EfsDatasetFileSystem here.`);
    }
    if (caps.fsxLustreFileSystem.availability === Availability.UNVERIFIED) {
      Annotations.of(this).addWarningV2('cdk-sagemaker-datasets:fsxUnverified',
        `FSx for Lustre in ${region} is unverified (${factText(caps.fsxLustreFileSystem)}).`);
    }
    const channel = caps.sageMakerFsxLustreChannel;
    if (channel.availability !== Availability.AVAILABLE) {
      if (props.assumeSageMakerFsxChannelSupported) {
        Annotations.of(this).addWarningV2('cdk-sagemaker-datasets:sageMakerFsxAssumed',
          `assumeSageMakerFsxChannelSupported is set for ${region}, but the capability table says ${factText(channel)}. Test a training job that reads this file system before relying on it.`);
      } else if (channel.availability === Availability.UNAVAILABLE) {
        fail(`SageMaker training jobs cannot read FSx for Lustre channels in ${region} (${factText(channel)}). ` +
          'Use EfsDatasetFileSystem, or DatasetFileSystems.forRegion() which picks EFS here; set assumeSageMakerFsxChannelSupported: true only after verifying it.');
      } else {
        Annotations.of(this).addWarningV2('cdk-sagemaker-datasets:sageMakerFsxUnverified',
          `Whether SageMaker reads FSx for Lustre channels in ${region} is unverified (${factText(channel)}). Test a training job before relying on it.`);
      }
    }

    const deploymentType = props.deploymentType ?? fsx.LustreDeploymentType.PERSISTENT_2;
    const storageType = props.storageType ?? fsx.StorageType.SSD;
    const version = props.fileSystemTypeVersion ?? fsx.FileSystemTypeVersion.V_2_15;
    const isScratch = deploymentType === fsx.LustreDeploymentType.SCRATCH_1 || deploymentType === fsx.LustreDeploymentType.SCRATCH_2;
    const isP2 = deploymentType === fsx.LustreDeploymentType.PERSISTENT_2;
    this.deploymentType = deploymentType;
    this.storageType = storageType;
    this.fileSystemTypeVersion = version;

    if (isScratch && caps.scratchDeploymentTypes.availability === Availability.UNAVAILABLE) {
      fail(`${deploymentType} is not available in ${region} (${factText(caps.scratchDeploymentTypes)}). Use deploymentType: PERSISTENT_2.`);
    }
    if (isP2 && caps.persistent2DeploymentType.availability === Availability.UNAVAILABLE) {
      fail(`PERSISTENT_2 is not available in ${region} (${factText(caps.persistent2DeploymentType)}).`);
    }

    // Storage type.
    if (storageType === fsx.StorageType.INTELLIGENT_TIERING) {
      fail('storageType INTELLIGENT_TIERING is not supported: FSx cannot link Intelligent-Tiering file systems to S3 with data repository associations. Use fsx.StorageType.SSD.');
    }
    if (storageType === fsx.StorageType.HDD && deploymentType !== fsx.LustreDeploymentType.PERSISTENT_1) {
      fail(`storageType HDD needs deploymentType PERSISTENT_1 (got ${deploymentType}). Use fsx.StorageType.SSD, or PERSISTENT_1.`);
    }
    if (props.driveCacheType !== undefined && storageType !== fsx.StorageType.HDD) {
      fail('driveCacheType applies to PERSISTENT_1 HDD file systems only. Remove it, or set storageType: fsx.StorageType.HDD.');
    }

    // Throughput.
    const throughput = props.perUnitStorageThroughput ?? defaultThroughput(deploymentType, storageType);
    if (isScratch && props.perUnitStorageThroughput !== undefined) {
      fail(`perUnitStorageThroughput applies to PERSISTENT_1 and PERSISTENT_2 only (got ${props.perUnitStorageThroughput} with ${deploymentType}). Remove it.`);
    }
    if (throughput !== undefined) {
      const allowed = allowedThroughputs(deploymentType, storageType);
      if (!allowed.includes(throughput)) {
        fail(`perUnitStorageThroughput ${throughput} MB/s/TiB is not valid for ${deploymentType} ${storageType}; use one of ${allowed.join(', ')}.`);
      }
    }

    // Capacity.
    const capacity = props.storageCapacityGiB ?? 1200;
    const capacityProblem = checkStorageCapacity(capacity, deploymentType, storageType, throughput);
    if (capacityProblem) {
      fail(capacityProblem);
    }

    // Lustre version and metadata configuration.
    if (version === fsx.FileSystemTypeVersion.V_2_10 && isP2) {
      fail('Lustre 2.10 does not run on PERSISTENT_2 (CreateFileSystem fails). Use fsx.FileSystemTypeVersion.V_2_15.');
    }
    let metadata: LustreMetadataConfiguration | undefined;
    if (props.metadataConfiguration && !isP2) {
      fail(`metadataConfiguration applies to PERSISTENT_2 only (got ${deploymentType}). Remove it, or use PERSISTENT_2.`);
    }
    if (isP2) {
      const metadataFact = caps.lustreMetadataConfiguration;
      if (props.metadataConfiguration) {
        if (metadataFact.availability === Availability.UNAVAILABLE) {
          fail(`metadataConfiguration cannot be emitted in ${region}: the region's AWS::FSx::FileSystem schema has no MetadataConfiguration (${factText(metadataFact)}). Remove it.`);
        }
        if (metadataFact.availability === Availability.UNVERIFIED) {
          Annotations.of(this).addWarningV2('cdk-sagemaker-datasets:metadataUnverified',
            `MetadataConfiguration is emitted as requested, but whether ${region}'s CloudFormation schema has it is unverified (${factText(metadataFact)}).`);
        }
        metadata = props.metadataConfiguration;
      } else if (metadataFact.availability === Availability.AVAILABLE) {
        metadata = LustreMetadataConfiguration.automatic();
      } else {
        Annotations.of(this).addInfo(`MetadataConfiguration is not emitted in ${region} (${factText(metadataFact)}); FSx uses its default metadata performance.`);
      }
    }
    if (metadata) {
      validateMetadata(metadata, storageType, fail);
      if (version !== fsx.FileSystemTypeVersion.V_2_15) {
        fail(`a metadata configuration needs Lustre 2.15 (got ${version}). Use fsx.FileSystemTypeVersion.V_2_15.`);
      }
    }

    // EFA.
    if (props.efaEnabled) {
      const efaFact = caps.lustreEfa;
      if (efaFact.availability === Availability.UNAVAILABLE) {
        fail(`efaEnabled cannot be emitted in ${region}: the region's AWS::FSx::FileSystem schema has no EfaEnabled (${factText(efaFact)}). Remove it.`);
      }
      if (efaFact.availability === Availability.UNVERIFIED) {
        Annotations.of(this).addWarningV2('cdk-sagemaker-datasets:efaUnverified', `EfaEnabled is emitted, but whether ${region}'s schema has it is unverified (${factText(efaFact)}).`);
      }
      if (!isP2 || !metadata || version !== fsx.FileSystemTypeVersion.V_2_15 || storageType !== fsx.StorageType.SSD) {
        fail('efaEnabled needs PERSISTENT_2 SSD, Lustre 2.15 and a metadata configuration. Adjust deploymentType, fileSystemTypeVersion and metadataConfiguration, or remove efaEnabled.');
      }
    }

    // Backups.
    const backupDays = props.automaticBackupRetention?.toDays() ?? 0;
    if (!Number.isInteger(backupDays) || backupDays < 0 || backupDays > 90) {
      fail(`automaticBackupRetention must be 0 to 90 whole days (got ${backupDays}).`);
    }
    if (isScratch && backupDays > 0) {
      fail(`${deploymentType} file systems have no automatic backups. Remove automaticBackupRetention, or use a PERSISTENT type.`);
    }
    if (props.dailyAutomaticBackupStartTime && backupDays === 0) {
      fail('dailyAutomaticBackupStartTime needs automaticBackupRetention of at least 1 day.');
    }
    this.automaticBackupRetentionDays = backupDays;

    // Legacy S3 link.
    validateLegacyLink(props, deploymentType, fail);
    this.importPath = props.importPath;

    // Placement.
    const trainingSubnetList = props.network.trainingSubnetList();
    const subnet = props.subnet ?? trainingSubnetList[0];
    if (props.subnet && !Token.isUnresolved(props.subnet.subnetId)
      && !trainingSubnetList.some((s) => s.subnetId === props.subnet!.subnetId)) {
      fail(`subnet ${props.subnet.subnetId} is not a training subnet of the network. Pick one of ${trainingSubnetList.map((s) => s.subnetId).join(', ')}.`);
    }
    this.subnet = subnet;
    this.availabilityZone = subnet.availabilityZone;
    this.trainingSubnets = props.network.subnetsInAvailabilityZone(subnet.availabilityZone);

    this.datasetDirectory = props.datasetDirectory ?? DEFAULT_DATASET_DIRECTORY;
    validateAbsoluteDirectory(this, 'datasetDirectory', this.datasetDirectory);

    // Security group: Lustre ports only, between groups only.
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.network.vpc,
      description: 'FSx for Lustre dataset file system: Lustre (TCP 988, 1018-1023) within the group and with its clients only',
      allowAllOutbound: false,
    });
    this.connections = this.securityGroup.connections;
    FileSystemPorts.allowLustreServers(this.securityGroup);
    if (props.efaEnabled) {
      FileSystemPorts.allowEfa(this.securityGroup);
    }
    this.efaEnabled = props.efaEnabled ?? false;

    // Logging.
    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logging = this.configureLogging(props, caps, region, fail);
    this.logGroup = logging.logGroup;
    const logConfiguration = logging.configuration;

    this.fileSystem = new fsx.CfnFileSystem(this, 'Resource', {
      fileSystemType: 'LUSTRE',
      fileSystemTypeVersion: version,
      storageCapacity: capacity,
      storageType,
      subnetIds: [subnet.subnetId],
      securityGroupIds: [this.securityGroup.securityGroupId],
      kmsKeyId: props.kmsKey?.keyArn,
      lustreConfiguration: {
        deploymentType,
        perUnitStorageThroughput: throughput,
        dataCompressionType: props.dataCompressionType ?? fsx.LustreDataCompressionType.LZ4,
        metadataConfiguration: metadata ? { mode: metadata.mode, iops: metadata.iops } : undefined,
        efaEnabled: props.efaEnabled ? true : undefined,
        automaticBackupRetentionDays: isScratch ? undefined : backupDays,
        dailyAutomaticBackupStartTime: props.dailyAutomaticBackupStartTime?.toTimestamp(),
        weeklyMaintenanceStartTime: props.weeklyMaintenanceStartTime?.toTimestamp(),
        driveCacheType: storageType === fsx.StorageType.HDD ? props.driveCacheType ?? fsx.DriveCacheType.NONE : undefined,
        importPath: props.importPath,
        exportPath: props.exportPath,
        autoImportPolicy: props.autoImportPolicy,
        importedFileChunkSize: props.importedFileChunkSizeMiB,
        logConfiguration,
      },
    });
    this.fileSystem.applyRemovalPolicy(this.removalPolicy);
    if (logConfiguration) {
      addCfnLintException(this.fileSystem, 'E3002',
        'LustreConfiguration.LogConfiguration is in the CloudFormation resource specification (aws-cdk-lib 2.276 CfnFileSystem) but not in cfn-lint 1.51.0\'s FSx schema.');
    }
    if (capacity > 65536) {
      addCfnLintException(this.fileSystem, 'E3034',
        'cfn-lint 1.51.0 caps AWS::FSx::FileSystem StorageCapacity at 65536 GiB, a Windows File Server limit; Lustre file systems are larger.');
    }
    this.fileSystemId = this.fileSystem.ref;
    this.mountName = this.fileSystem.attrLustreMountName;
    this.dnsName = `${this.fileSystemId}.fsx.${region}.${Aws.URL_SUFFIX}`;

    for (const [index, options] of (props.dataRepositoryAssociations ?? []).entries()) {
      this.addDataRepositoryAssociation(`DataRepositoryAssociation${index + 1}`, options);
    }
  }

  /**
   * Opens TCP 988 and 1018–1023 between `client` and the file system in both directions; with EFA
   * also all traffic in both directions, which EFA requires between the file system's group and
   * its clients' groups (FSx for Lustre guide, limit-access-security-groups).
   */
  public allowClient(client: ec2.IConnectable): void {
    super.allowClient(client);
    if (this.efaEnabled) {
      const local = connectionsInStackOf(this, client);
      local.connections.allowFrom(client, ec2.Port.allTraffic(), 'EFA: all traffic from file-system clients');
      client.connections.allowFrom(local, ec2.Port.allTraffic(), 'EFA: all traffic from the file system to its clients');
    }
  }

  /**
   * Links an S3 bucket prefix to a file-system path (up to 8 per file system). Files written under
   * the prefix appear below `fileSystemPath` (auto-import NEW, CHANGED and DELETED by default), and
   * FSx writes an S3 event notification named `FSx` on the bucket; synthesis fails if anything in
   * the app would delete or overlap it.
   */
  public addDataRepositoryAssociation(id: string, options: DataRepositoryAssociationOptions): LustreDataRepositoryAssociation {
    const fail = (message: string): never => {
      throw new Error(`LustreDatasetFileSystem ${this.node.path}: data repository association '${id}': ${message}`);
    };
    if (this.dataRepositoryAssociations.length >= MAX_DATA_REPOSITORY_ASSOCIATIONS) {
      fail(`a file system takes at most ${MAX_DATA_REPOSITORY_ASSOCIATIONS} data repository associations. Link a common parent prefix instead.`);
    }
    if (this.deploymentType === fsx.LustreDeploymentType.SCRATCH_1) {
      fail('SCRATCH_1 file systems do not support data repository associations. Use PERSISTENT_2 (or SCRATCH_2 / PERSISTENT_1).');
    }
    if (this.fileSystemTypeVersion === fsx.FileSystemTypeVersion.V_2_10) {
      fail('data repository associations need Lustre 2.12 or 2.15 (got 2.10). Use fsx.FileSystemTypeVersion.V_2_15.');
    }
    if (this.importPath !== undefined) {
      fail('the file system uses the legacy importPath/exportPath/autoImportPolicy link, which FSx does not combine with data repository associations. Remove importPath, exportPath and autoImportPolicy.');
    }
    if (this.automaticBackupRetentionDays > 0) {
      fail(`FSx cannot link a file system with automatic backups (automaticBackupRetention ${this.automaticBackupRetentionDays} days) to S3. Set automaticBackupRetention to Duration.days(0); the data lives in S3.`);
    }
    if (this.regionCapabilities.dataRepositoryAssociation.availability === Availability.UNAVAILABLE) {
      fail(`CloudFormation has no AWS::FSx::DataRepositoryAssociation in ${this.regionCapabilities.region} (${this.regionCapabilities.dataRepositoryAssociation.source}).`);
    }
    const association = new LustreDataRepositoryAssociation(this, id, {
      ...options,
      fileSystem: this,
      existing: this.dataRepositoryAssociations,
      removalPolicy: options.removalPolicy ?? this.removalPolicy,
    });
    const previous = this.dataRepositoryAssociations[this.dataRepositoryAssociations.length - 1];
    if (previous) {
      // FSx works on one association request at a time; create them one after another.
      association.resource.node.addDependency(previous.resource);
    }
    this.dataRepositoryAssociations.push(association);
    return association;
  }

  private configureLogging(props: LustreDatasetFileSystemProps, caps: RegionCapabilities, region: string,
    fail: (message: string) => never): { configuration?: fsx.CfnFileSystem.LogConfigurationProperty; logGroup?: logs.ILogGroup } {
    const logFact = caps.lustreLogConfiguration;
    const requested = props.logLevel;
    let level: LustreLogLevel | undefined;
    if (requested === undefined) {
      if (logFact.availability === Availability.AVAILABLE) {
        level = LustreLogLevel.WARN_ERROR;
      } else {
        Annotations.of(this).addInfo(`LogConfiguration is not emitted in ${region} (${logFact.availability}: ${logFact.source}). Set logLevel to emit it.`);
      }
    } else if (logFact.availability === Availability.UNAVAILABLE) {
      if (requested !== LustreLogLevel.DISABLED) {
        fail(`logLevel cannot be emitted in ${region}: the region's AWS::FSx::FileSystem schema has no LogConfiguration (${logFact.source}). Remove logLevel.`);
      }
    } else {
      if (logFact.availability === Availability.UNVERIFIED) {
        Annotations.of(this).addWarningV2('cdk-sagemaker-datasets:logConfigurationUnverified',
          `LogConfiguration is emitted as requested, but whether ${region}'s CloudFormation schema has it is unverified (${logFact.source}).`);
      }
      level = requested;
    }
    if ((props.logGroup || props.logRetention || props.logEncryptionKey) && (level === undefined || level === LustreLogLevel.DISABLED)) {
      fail('logGroup, logRetention and logEncryptionKey need logging: set logLevel to WARN_ONLY, ERROR_ONLY or WARN_ERROR.');
    }
    if (props.logGroup && (props.logRetention || props.logEncryptionKey)) {
      fail('logRetention and logEncryptionKey shape a new log group; remove them when passing logGroup.');
    }
    if (level === undefined) {
      return {};
    }
    if (level === LustreLogLevel.DISABLED) {
      return { configuration: { level } };
    }
    let logGroup = props.logGroup;
    if (logGroup) {
      if (!Token.isUnresolved(logGroup.logGroupName) && !logGroup.logGroupName.startsWith('/aws/fsx')) {
        fail(`logGroup ${logGroup.logGroupName} cannot receive FSx logs: FSx writes only to log groups whose name starts with /aws/fsx. Use a group named /aws/fsx/….`);
      }
    } else {
      const created = new logs.LogGroup(this, 'LogGroup', {
        // FSx writes only to log groups whose name starts with /aws/fsx (LustreLogCreateConfiguration.Destination).
        logGroupName: `/aws/fsx/lustre/${Stack.of(this).stackName}/${Names.uniqueId(this)}`,
        retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
        encryptionKey: props.logEncryptionKey,
        removalPolicy: this.removalPolicy,
      });
      if (!props.logEncryptionKey) {
        acknowledgeFindings(created, ['HIPAA.Security-CloudWatchLogGroupEncrypted', 'NIST.800.53.R5-CloudWatchLogGroupEncrypted', 'PCI.DSS.321-CloudWatchLogGroupEncrypted'],
          'CloudWatch Logs encrypts FSx event logs at rest with a service-owned key; pass logEncryptionKey for a customer managed key.');
      }
      logGroup = created;
    }
    return {
      logGroup,
      configuration: {
        level,
        // The log-group ARN without the ':*' suffix that ILogGroup.logGroupArn carries.
        destination: Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      },
    };
  }
}

class ImportedLustreDatasetFileSystem extends LustreDatasetFileSystemBase {
  public readonly fileSystemId: string;
  public readonly mountName: string;
  public readonly dnsName: string;
  public readonly datasetDirectory: string;
  public readonly trainingSubnets: ec2.SubnetSelection;
  public readonly connections: ec2.Connections;
  public readonly securityGroup: ec2.ISecurityGroup;
  public readonly subnet: ec2.ISubnet;
  public readonly availabilityZone: string;
  public readonly dataRepositoryPath?: string;

  constructor(scope: Construct, id: string, attrs: LustreDatasetFileSystemAttributes) {
    super(scope, id);
    const fail = (name: string, message: string): never =>
      throwValidation(this, name, `LustreDatasetFileSystem.fromLustreDatasetFileSystemAttributes ${this.node.path}: ${message}`);
    if (!Token.isUnresolved(attrs.fileSystemId) && !/^fs-[0-9a-f]{8,}$/.test(attrs.fileSystemId)) {
      fail('InvalidFileSystemId', `fileSystemId ${JSON.stringify(attrs.fileSystemId)} is not an FSx file-system id (fs- followed by at least 8 lowercase hex digits).`);
    }
    if (!Token.isUnresolved(attrs.mountName) && !/^[A-Za-z0-9_-]{1,8}$/.test(attrs.mountName)) {
      fail('InvalidMountName', `mountName ${JSON.stringify(attrs.mountName)} is not a Lustre mount name (1-8 of A-Z a-z 0-9 _ -; 'fsx' for SCRATCH_1). Copy LustreMountName from DescribeFileSystems.`);
    }
    if (!Token.isUnresolved(attrs.securityGroupId) && !/^sg-[0-9a-f]+$/.test(attrs.securityGroupId)) {
      fail('InvalidSecurityGroupId', `securityGroupId ${JSON.stringify(attrs.securityGroupId)} is not a security group id (sg-…).`);
    }
    this.fileSystemId = attrs.fileSystemId;
    this.mountName = attrs.mountName;
    this.dnsName = attrs.dnsName ?? `${attrs.fileSystemId}.fsx.${Stack.of(this).region}.${Aws.URL_SUFFIX}`;
    this.datasetDirectory = attrs.datasetDirectory ?? DEFAULT_DATASET_DIRECTORY;
    this.dataRepositoryPath = attrs.dataRepositoryPath;
    validateAbsoluteDirectory(this, 'datasetDirectory', this.datasetDirectory);
    // The Lustre group restricts outbound traffic (rules to clients are written explicitly).
    this.securityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'SecurityGroup', attrs.securityGroupId, { allowAllOutbound: false, mutable: true });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup] });
    this.subnet = ec2.Subnet.fromSubnetAttributes(this, 'Subnet', { subnetId: attrs.subnetId, availabilityZone: attrs.availabilityZone });
    this.availabilityZone = attrs.availabilityZone;
    const networkSubnets = attrs.network && !Token.isUnresolved(attrs.availabilityZone)
      ? attrs.network.trainingSubnetList().filter((subnet) => subnet.availabilityZone === attrs.availabilityZone)
      : [];
    this.trainingSubnets = { subnets: networkSubnets.length > 0 ? networkSubnets : [this.subnet] };
  }
}

function defaultThroughput(deploymentType: fsx.LustreDeploymentType, storageType: fsx.StorageType): number | undefined {
  switch (deploymentType) {
    case fsx.LustreDeploymentType.PERSISTENT_2: return 125;
    case fsx.LustreDeploymentType.PERSISTENT_1: return storageType === fsx.StorageType.HDD ? 12 : 50;
    default: return undefined;
  }
}

function allowedThroughputs(deploymentType: fsx.LustreDeploymentType, storageType: fsx.StorageType): number[] {
  if (deploymentType === fsx.LustreDeploymentType.PERSISTENT_2) return [125, 250, 500, 1000];
  if (deploymentType === fsx.LustreDeploymentType.PERSISTENT_1) return storageType === fsx.StorageType.HDD ? [12, 40] : [50, 100, 200];
  return [];
}

/** The FSx StorageCapacity rules (FSx API model, aws-facts.md §4.1); undefined when valid. */
function checkStorageCapacity(capacity: number, deploymentType: fsx.LustreDeploymentType, storageType: fsx.StorageType, throughput: number | undefined): string | undefined {
  if (Token.isUnresolved(capacity)) return undefined;
  if (!Number.isInteger(capacity) || capacity <= 0) {
    return `storageCapacityGiB must be a positive whole number of GiB (got ${capacity}).`;
  }
  if (deploymentType === fsx.LustreDeploymentType.SCRATCH_1) {
    return capacity === 1200 || capacity === 2400 || capacity % 3600 === 0 ? undefined
      : `storageCapacityGiB ${capacity} is not valid for SCRATCH_1: use 1200, 2400 or a multiple of 3600 (next valid: ${nextValid(capacity, 3600)}).`;
  }
  if (storageType === fsx.StorageType.HDD) {
    const step = throughput === 40 ? 1800 : 6000;
    return capacity % step === 0 ? undefined
      : `storageCapacityGiB ${capacity} is not valid for PERSISTENT_1 HDD at ${throughput} MB/s/TiB: use a multiple of ${step} (next valid: ${Math.ceil(capacity / step) * step}).`;
  }
  return capacity === 1200 || capacity === 2400 || capacity % 2400 === 0 ? undefined
    : `storageCapacityGiB ${capacity} is not valid for ${deploymentType} SSD: use 1200, 2400 or a multiple of 2400 (next valid: ${nextValid(capacity, 2400)}).`;
}

function nextValid(capacity: number, step: number): number {
  if (capacity <= 1200) return 1200;
  if (capacity <= 2400) return 2400;
  return Math.ceil(capacity / step) * step;
}

function validateMetadata(metadata: LustreMetadataConfiguration, storageType: fsx.StorageType, fail: (message: string) => never): void {
  if (metadata.mode === 'AUTOMATIC') {
    if (storageType !== fsx.StorageType.SSD) {
      fail('metadata mode AUTOMATIC needs SSD storage. Use LustreMetadataConfiguration.userProvisioned(iops).');
    }
    return;
  }
  const iops = metadata.iops;
  if (iops === undefined || Token.isUnresolved(iops)) return;
  const valid = [1500, 3000, 6000, 12000].includes(iops) || (Number.isInteger(iops) && iops % 12000 === 0 && iops >= 12000 && iops <= 192000);
  if (!valid) {
    fail(`metadata IOPS ${iops} is not valid: use 1500, 3000, 6000, 12000 or a multiple of 12000 up to 192000.`);
  }
}

function validateLegacyLink(props: LustreDatasetFileSystemOptions, deploymentType: fsx.LustreDeploymentType, fail: (message: string) => never): void {
  const { importPath, exportPath, autoImportPolicy, importedFileChunkSizeMiB } = props;
  const legacy = importPath !== undefined || exportPath !== undefined || autoImportPolicy !== undefined || importedFileChunkSizeMiB !== undefined;
  if (!legacy) return;
  if (importPath === undefined) {
    fail('exportPath, autoImportPolicy and importedFileChunkSizeMiB need importPath. Prefer a data repository association (addDataRepositoryAssociation).');
  }
  if ((props.dataRepositoryAssociations ?? []).length > 0) {
    fail('importPath/exportPath/autoImportPolicy cannot be combined with data repository associations. Remove importPath and link S3 with dataRepositoryAssociations only.');
  }
  if (deploymentType === fsx.LustreDeploymentType.PERSISTENT_2) {
    fail('importPath, exportPath, autoImportPolicy and importedFileChunkSizeMiB are not supported on PERSISTENT_2. Link S3 with a data repository association instead.');
  }
  if (!Token.isUnresolved(importPath)) {
    if (!/^s3:\/\/[^/]+/.test(importPath!)) {
      fail(`importPath ${JSON.stringify(importPath)} must look like s3://bucket/optional-prefix.`);
    }
    if (importPath!.length > 900) {
      fail(`importPath is ${importPath!.length} characters long; at most 900.`);
    }
    if (exportPath !== undefined && !Token.isUnresolved(exportPath)) {
      const bucketOf = (p: string) => p.replace(/^s3:\/\//, '').split('/')[0];
      if (!exportPath.startsWith('s3://') || bucketOf(exportPath) !== bucketOf(importPath!)) {
        fail(`exportPath ${JSON.stringify(exportPath)} must be in the same bucket as importPath (s3://${bucketOf(importPath!)}/…).`);
      }
    }
  }
  if (importedFileChunkSizeMiB !== undefined && (!Number.isInteger(importedFileChunkSizeMiB) || importedFileChunkSizeMiB < 1 || importedFileChunkSizeMiB > 512000)) {
    fail(`importedFileChunkSizeMiB must be 1 to 512000 (got ${importedFileChunkSizeMiB}).`);
  }
}

/** Throws unless `path` is an absolute, normalized directory (`/`, `/datasets`, `/a/b`). */
function validateAbsoluteDirectory(scope: IConstruct, name: string, path: string): void {
  if (Token.isUnresolved(path)) return;
  if (!path.startsWith('/')) {
    throwValidation(scope, 'RelativeDirectory', `${scope.node.path}: ${name} ${JSON.stringify(path)} must be absolute (start with /).`);
  }
  const normalized = deriveDirectoryPath(scope, [path]);
  if (normalized !== path) {
    throwValidation(scope, 'UnnormalizedDirectory', `${scope.node.path}: ${name} ${JSON.stringify(path)} is not normalized; use ${JSON.stringify(normalized)}.`);
  }
}
