import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  DatasetStorage, DatasetStorageType, EfsDatasetFileSystem, IDatasetFileSystem, IEfsDatasetFileSystem, ILustreDatasetFileSystem,
  LustreDatasetFileSystem, S3InputMode,
} from '../filesystems';
import { ITrainingNetwork, TrainingEndpoint, TrainingNetwork } from '../network';
import { integerIn, throwValidation } from '../validation';
import {
  EFS_RECORD, LUSTRE_RECORD, NETWORK_RECORD, absoluteDirectory, PlatformParameter, platformParameterName, readField, readListField, validateParameterPrefix,
} from './platform-parameter-layout';

/**
 * Properties of {@link DatasetPlatformHandles.fromParameters}.
 *
 * The parameters' values are resolved by CloudFormation at deploy time (they are tokens at synth),
 * but the shape of what they describe must be known at synth: how many training subnets the VPC
 * has (a VPC import needs one subnet object per subnet), which kind of file system to import, and
 * which interface endpoints exist (constructs decide at synth whether to warn). Those come from
 * these props; the platform publishes its own values under the same prefix
 * (`network/training-subnet-count`, `storage/type`, `network/interface-endpoints`,
 * `network/training-subnets-have-egress`) to copy them from. A mismatch fails the team's deploy, never
 * silently: a wrong storage type names the parameter that does not exist, and a subnet count larger
 * than the platform's fails selecting a list item that does not exist (a smaller one uses the first
 * subnets only).
 */
export interface DatasetPlatformImportProps {
  /** The prefix the platform published its parameters under (the platform's `parameterPrefix`). */
  readonly parameterPrefix: string;

  /**
   * Where the platform's training jobs read datasets: the platform's `storage/type` parameter.
   * FSx for Lustre and EFS import the file system; S3 imports none.
   */
  readonly storageType: DatasetStorageType;

  /**
   * How many training subnets the platform's network has (its `network/training-subnet-count`), 1–16.
   * @default 2 (DatasetPlatformStack's default network: one isolated subnet in each of two AZs)
   */
  readonly trainingSubnetCount?: number;

  /**
   * The interface endpoints the platform's VPC has (its `network/interface-endpoints`). Nothing is
   * created in the team's stack; constructs use these and warn about any other they need.
   * @default - every TrainingEndpoint (DatasetPlatformStack's default isolated network)
   */
  readonly interfaceEndpoints?: TrainingEndpoint[];

  /**
   * Whether the platform's training subnets have a route out (its `network/training-subnets-have-egress`).
   * @default false
   */
  readonly trainingSubnetsHaveEgress?: boolean;

  /**
   * The dataset directory on the file system, to override the one the platform published.
   * @default - the platform's, read at deploy time from its published parameters
   */
  readonly datasetDirectory?: string;

  /**
   * With EFS: whether the platform published a writer access point (`storage/efs/writer-access-point-id`);
   * without one the imported file system cannot mount into Lambda functions.
   * @default true (DatasetPlatformStack's EFS always has one)
   */
  readonly efsWriterAccessPoint?: boolean;

  /**
   * How S3 channels read a dataset version when a launch request names none (the platform's
   * `storage/s3-input-mode`).
   * @default S3InputMode.FAST_FILE
   */
  readonly s3InputMode?: S3InputMode;
}

const DEFAULT_TRAINING_SUBNET_COUNT = 2;

/**
 * A dataset platform's handles in a team's stack, rebuilt from the SSM parameters the platform
 * published ({@link DatasetPlatformParameters}): the training network, the dataset storage and its
 * file system, the buckets, the launcher and the event bus. Nothing is created but the stack
 * parameters that read the values (`AWS::SSM::Parameter::Value<String>`), each added only when its
 * handle is first used: no VPC endpoint, security group or file system.
 *
 * @example
 * const platform = DatasetPlatformHandles.fromParameters(this, 'Platform', {
 *   parameterPrefix: '/cdk-sagemaker-datasets/DatasetPlatform-us-east-1',
 *   storageType: DatasetStorageType.FSX_LUSTRE,
 * });
 * new TrainingJobLauncher(this, 'Launcher', {
 *   network: platform.network,
 *   datasetBucket: platform.datasetBucket,
 *   fileSystem: platform.fileSystem,
 *   trainingImageRepositories: [repository],
 *   eventBus: platform.eventBus,
 *   jobNamePrefix: 'vision',
 * });
 */
export class DatasetPlatformHandles extends Construct {
  /** Reads a platform's handles from the SSM parameters under `parameterPrefix`. */
  public static fromParameters(scope: Construct, id: string, props: DatasetPlatformImportProps): DatasetPlatformHandles {
    return new DatasetPlatformHandles(scope, id, props);
  }

  /** The prefix the handles are read from. */
  public readonly parameterPrefix: string;

  /** Where the platform's training jobs read datasets. */
  public readonly storageType: DatasetStorageType;

  /** How many training subnets are imported. */
  public readonly trainingSubnetCount: number;

  private readonly props: DatasetPlatformImportProps;
  private readonly cache = new Map<string, unknown>();

  private constructor(scope: Construct, id: string, props: DatasetPlatformImportProps) {
    super(scope, id);
    this.props = props;
    this.parameterPrefix = validateParameterPrefix(this, 'DatasetPlatformHandles.fromParameters', props.parameterPrefix);
    if (!Object.values(DatasetStorageType).includes(props.storageType)) {
      throwValidation(this, 'InvalidStorageType', `DatasetPlatformHandles.fromParameters ${this.node.path}: storageType is ${JSON.stringify(props.storageType)}; ` +
        'use a DatasetStorageType member (the platform publishes its own at <parameterPrefix>/storage/type).');
    }
    if (Token.isUnresolved(props.trainingSubnetCount)) {
      throwValidation(this, 'TrainingSubnetCountToken', `DatasetPlatformHandles.fromParameters ${this.node.path}: trainingSubnetCount is a token; ` +
        'it must be a number at synth (one subnet is imported per count). Copy the platform\'s <parameterPrefix>/network/training-subnet-count.');
    }
    this.storageType = props.storageType;
    this.trainingSubnetCount = integerIn({ scope: this, construct: 'DatasetPlatformHandles.fromParameters' }, 'trainingSubnetCount',
      props.trainingSubnetCount ?? DEFAULT_TRAINING_SUBNET_COUNT, 1, 16,
      'Copy the platform\'s <parameterPrefix>/network/training-subnet-count (DatasetPlatformStack\'s default network has 2).');
  }

  /** The platform's training network: VPC, training subnets, security groups and declared endpoints. */
  public get network(): ITrainingNetwork {
    return this.once('network', () => {
      const endpoints = this.props.interfaceEndpoints ?? Object.values(TrainingEndpoint);
      const record = this.value(PlatformParameter.NETWORK_IMPORT);
      const field = (name: typeof NETWORK_RECORD[number]) => readField(NETWORK_RECORD, record, name);
      const list = (name: typeof NETWORK_RECORD[number]) => readListField(NETWORK_RECORD, record, name, this.trainingSubnetCount);
      return TrainingNetwork.fromTrainingNetworkAttributes(this, 'Network', {
        vpcId: field('vpcId'),
        availabilityZones: list('availabilityZones'),
        trainingSubnetIds: list('trainingSubnetIds'),
        trainingSubnetRouteTableIds: list('trainingSubnetRouteTableIds'),
        trainingSecurityGroupId: field('trainingSecurityGroupId'),
        endpointSecurityGroupId: endpoints.length > 0 ? field('endpointSecurityGroupId') : undefined,
        interfaceEndpoints: endpoints,
        trainingSubnetsHaveEgress: this.props.trainingSubnetsHaveEgress,
        s3PrefixListId: field('s3PrefixListId'),
      });
    });
  }

  /** The dataset storage: the tier, its file system (none in the S3 tier) and the S3 input mode. */
  public get storage(): DatasetStorage {
    return this.once('storage', () => {
      const s3InputMode = this.props.s3InputMode ?? S3InputMode.FAST_FILE;
      switch (this.storageType) {
        case DatasetStorageType.FSX_LUSTRE:
          return DatasetStorage.fromFileSystem(this.importLustre(), s3InputMode);
        case DatasetStorageType.EFS:
          return DatasetStorage.fromFileSystem(this.importEfs(), s3InputMode);
        default:
          return DatasetStorage.s3(s3InputMode);
      }
    });
  }

  /** The dataset file system; undefined in the S3 tier. */
  public get fileSystem(): IDatasetFileSystem | undefined {
    return this.storage.fileSystem;
  }

  /** The file system as FSx for Lustre (mount name, DNS name, security group, subnet, AZ); undefined unless FSx for Lustre. */
  public get lustreFileSystem(): ILustreDatasetFileSystem | undefined {
    return this.storage.lustreFileSystem;
  }

  /** The file system as EFS (ARN, dataset directory, writer access point); undefined unless EFS. */
  public get efsFileSystem(): IEfsDatasetFileSystem | undefined {
    return this.storage.efsFileSystem;
  }

  /** The bucket that holds the datasets. */
  public get datasetBucket(): s3.IBucket {
    return this.once('datasetBucket', () => s3.Bucket.fromBucketName(this, 'DatasetBucket', this.value(PlatformParameter.DATASET_BUCKET_NAME)));
  }

  /** The bucket users upload datasets to. */
  public get uploadBucket(): s3.IBucket {
    return this.once('uploadBucket', () => s3.Bucket.fromBucketName(this, 'UploadBucket', this.value(PlatformParameter.UPLOAD_BUCKET_NAME)));
  }

  /** The platform's training-job launcher function (grant a team role `grantInvoke` on it). */
  public get launcherFunction(): lambda.IFunction {
    return this.once('launcherFunction', () => lambda.Function.fromFunctionAttributes(this, 'LauncherFunction', {
      functionArn: this.value(PlatformParameter.LAUNCHER_FUNCTION_ARN),
      sameEnvironment: true,
    }));
  }

  /** The bus the platform's events go to. */
  public get eventBus(): events.IEventBus {
    return this.once('eventBus', () => events.EventBus.fromEventBusArn(this, 'EventBus', this.value(PlatformParameter.EVENT_BUS_ARN)));
  }

  /** The `source` of the platform's events. */
  public get eventSource(): string {
    return this.value(PlatformParameter.EVENT_SOURCE);
  }

  /** The value of one published handle (a token resolved at deploy time). */
  public value(parameter: PlatformParameter): string {
    return ssm.StringParameter.valueForStringParameter(this, platformParameterName(this.parameterPrefix, parameter));
  }

  private importLustre(): ILustreDatasetFileSystem {
    const record = this.value(PlatformParameter.LUSTRE_IMPORT);
    const field = (name: typeof LUSTRE_RECORD[number]) => readField(LUSTRE_RECORD, record, name);
    return LustreDatasetFileSystem.fromLustreDatasetFileSystemAttributes(this, 'FileSystem', {
      fileSystemId: field('fileSystemId'),
      mountName: field('mountName'),
      dnsName: field('dnsName'),
      securityGroupId: field('securityGroupId'),
      subnetId: field('subnetId'),
      availabilityZone: field('availabilityZone'),
      datasetDirectory: this.props.datasetDirectory ?? absoluteDirectory(field('datasetDirectory')),
      network: this.network,
    });
  }

  private importEfs(): IEfsDatasetFileSystem {
    const record = this.value(PlatformParameter.EFS_IMPORT);
    const field = (name: typeof EFS_RECORD[number]) => readField(EFS_RECORD, record, name);
    const subnetIds = readListField(EFS_RECORD, record, 'subnetIds', this.trainingSubnetCount);
    const zones = readListField(EFS_RECORD, record, 'availabilityZones', this.trainingSubnetCount);
    return EfsDatasetFileSystem.fromEfsDatasetFileSystemAttributes(this, 'FileSystem', {
      fileSystemId: field('fileSystemId'),
      securityGroup: ec2.SecurityGroup.fromSecurityGroupId(this, 'FileSystemSecurityGroup', field('securityGroupId'), {
        allowAllOutbound: false,
        mutable: true,
      }),
      subnets: subnetIds.map((subnetId, index) => ec2.Subnet.fromSubnetAttributes(this, `FileSystemSubnet${index}`, { subnetId, availabilityZone: zones[index] })),
      datasetDirectory: this.props.datasetDirectory ?? absoluteDirectory(field('datasetDirectory')),
      writerAccessPointId: (this.props.efsWriterAccessPoint ?? true) ? field('writerAccessPointId') : undefined,
    });
  }

  private once<T>(key: string, create: () => T): T {
    if (!this.cache.has(key)) {
      this.cache.set(key, create());
    }
    return this.cache.get(key) as T;
  }
}
