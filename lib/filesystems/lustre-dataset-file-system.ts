import { Annotations, ArnFormat, Aws, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { freeStoragePercent } from '../monitoring/platform-metrics';
import { acknowledgeFindings } from '../nag/acknowledge';
import { FileSystemPorts } from '../network';
import { connectionsInStackOf } from '../network/cross-stack-connections';
import { RegionCapabilities, regionCapabilities } from '../regions/capability-table';
import { rethrowInScope, throwValidation } from '../validation';
import { addCfnLintException } from './cfn-lint-exceptions';
import { DataRepositoryAssociationOptions, LustreDataRepositoryAssociation } from './data-repository-association';
import { ImportedLustreDatasetFileSystem } from './imported-lustre-dataset-file-system';
import { ILustreDatasetFileSystem, LustreDatasetFileSystemBase } from './lustre-dataset-file-system-base';
import { LustreDatasetFileSystemAttributes, LustreDatasetFileSystemProps } from './lustre-props';
import { LustreLogLevel } from './lustre-settings';
import {
  checkAbsoluteDirectory, checkCanAddDataRepositoryAssociation, resolveLustreSettings,
} from './lustre-validation';

const LUSTRE_DATASET_FILE_SYSTEM_SYMBOL = Symbol.for('cdk-sagemaker-datasets.LustreDatasetFileSystem');
const DEFAULT_DATASET_DIRECTORY = '/datasets';

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

  /**
   * Whether `x` is a {@link LustreDatasetFileSystem} (not an imported one). Checks a marker, not
   * `instanceof`, so it holds when the app loads two copies of this library.
   */
  public static isLustreDatasetFileSystem(x: unknown): x is LustreDatasetFileSystem {
    return x !== null && typeof x === 'object' && LUSTRE_DATASET_FILE_SYSTEM_SYMBOL in x;
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
  /** The storage capacity in GiB. */
  public readonly storageCapacityGiB: number;

  private readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: LustreDatasetFileSystemProps) {
    super(scope, id);
    Object.defineProperty(this, LUSTRE_DATASET_FILE_SYSTEM_SYMBOL, { value: true });
    const fail = (name: string, message: string): never => throwValidation(this, name, `LustreDatasetFileSystem ${this.node.path}: ${message}`);

    const region = Stack.of(this).region;
    if (Token.isUnresolved(region)) {
      fail('UnresolvedRegion', 'the stack has no concrete region (env.region is unset or a token), so the library cannot check whether SageMaker reads FSx ' +
        'for Lustre channels there or which FSx CloudFormation properties exist. Set env: { region: \'us-east-1\' } (or another region) on the stack.');
    }
    const caps = regionCapabilities(region);
    this.regionCapabilities = caps;
    const settings = rethrowInScope(this, 'LustreDatasetFileSystem', () => resolveLustreSettings(props, caps));
    this.storageCapacityGiB = settings.storageCapacityGiB;
    for (const warning of settings.warnings) Annotations.of(this).addWarningV2(warning.id, warning.message);
    for (const info of settings.infos) Annotations.of(this).addInfo(info);
    const { deploymentType, storageType, fileSystemTypeVersion: version, metadata, scratch } = settings;
    this.deploymentType = deploymentType;
    this.storageType = storageType;
    this.fileSystemTypeVersion = version;
    this.automaticBackupRetentionDays = settings.automaticBackupRetentionDays;
    this.importPath = props.importPath;

    // Placement.
    const trainingSubnetList = props.network.trainingSubnetList();
    const subnet = props.subnet ?? trainingSubnetList[0];
    if (props.subnet && !Token.isUnresolved(props.subnet.subnetId)
      && !trainingSubnetList.some((s) => s.subnetId === props.subnet!.subnetId)) {
      fail('InvalidSubnet', `subnet ${props.subnet.subnetId} is not a training subnet of the network. Pick one of ${trainingSubnetList.map((s) => s.subnetId).join(', ')}.`);
    }
    this.subnet = subnet;
    this.availabilityZone = subnet.availabilityZone;
    this.trainingSubnets = props.network.subnetsInAvailabilityZone(subnet.availabilityZone);

    this.datasetDirectory = props.datasetDirectory ?? DEFAULT_DATASET_DIRECTORY;
    rethrowInScope(this, 'LustreDatasetFileSystem', () => checkAbsoluteDirectory('datasetDirectory', this.datasetDirectory));

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
    const logging = this.configureLogging(props, settings.logLevel);
    this.logGroup = logging.logGroup;
    const logConfiguration = logging.configuration;

    this.fileSystem = new fsx.CfnFileSystem(this, 'Resource', {
      fileSystemType: 'LUSTRE',
      fileSystemTypeVersion: version,
      storageCapacity: settings.storageCapacityGiB,
      storageType,
      subnetIds: [subnet.subnetId],
      securityGroupIds: [this.securityGroup.securityGroupId],
      kmsKeyId: props.kmsKey?.keyArn,
      lustreConfiguration: {
        deploymentType,
        perUnitStorageThroughput: settings.perUnitStorageThroughput,
        dataCompressionType: props.dataCompressionType ?? fsx.LustreDataCompressionType.LZ4,
        metadataConfiguration: metadata ? { mode: metadata.mode, iops: metadata.iops } : undefined,
        efaEnabled: props.efaEnabled ? true : undefined,
        automaticBackupRetentionDays: scratch ? undefined : settings.automaticBackupRetentionDays,
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
    if (!Token.isUnresolved(settings.storageCapacityGiB) && settings.storageCapacityGiB > 65536) {
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

  /** Free data storage in percent of `storageCapacityGiB` (the FSx free-storage alarm's metric). */
  public metricFreeDataStoragePercent(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return freeStoragePercent(this.fileSystemId, this.storageCapacityGiB, props);
  }

  /**
   * Links an S3 bucket prefix to a file-system path (up to 8 per file system). Files written under
   * the prefix appear below `fileSystemPath` (auto-import NEW, CHANGED and DELETED by default), and
   * FSx writes an S3 event notification named `FSx` on the bucket; synthesis fails if anything in
   * the app would delete or overlap it.
   */
  public addDataRepositoryAssociation(id: string, options: DataRepositoryAssociationOptions): LustreDataRepositoryAssociation {
    rethrowInScope(this, 'LustreDatasetFileSystem', () => checkCanAddDataRepositoryAssociation(id, {
      existingAssociations: this.dataRepositoryAssociations.length,
      deploymentType: this.deploymentType,
      fileSystemTypeVersion: this.fileSystemTypeVersion,
      importPath: this.importPath,
      automaticBackupRetentionDays: this.automaticBackupRetentionDays,
    }, this.regionCapabilities));
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

  private configureLogging(props: LustreDatasetFileSystemProps, level: LustreLogLevel | undefined): { configuration?: fsx.CfnFileSystem.LogConfigurationProperty; logGroup?: logs.ILogGroup } {
    if (level === undefined) {
      return {};
    }
    if (level === LustreLogLevel.DISABLED) {
      return { configuration: { level } };
    }
    let logGroup = props.logGroup;
    if (!logGroup) {
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
