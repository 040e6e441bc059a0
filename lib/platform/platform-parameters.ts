import { Aws, CfnOutput, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { DatasetStorage, DatasetStorageType } from '../filesystems';
import { ITrainingNetwork } from '../network';
import { throwValidation } from '../validation';
import {
  EFS_RECORD, LUSTRE_RECORD, NETWORK_RECORD, PlatformParameter, defaultParameterPrefix, joinValues, platformParameterName, relativeDirectory, validateParameterPrefix, writeRecord,
} from './platform-parameter-layout';

/** Properties of {@link DatasetPlatformParameters}. */
export interface DatasetPlatformParametersProps {
  /**
   * The path the parameters go under: `/` followed by levels of letters, digits, `_`, `.`, `-`,
   * without a trailing `/`, not under `/aws` or `/ssm`. Team stacks pass the same prefix to
   * `DatasetPlatformHandles.fromParameters`.
   * @default '/cdk-sagemaker-datasets/<stack name>'
   */
  readonly parameterPrefix?: string;

  /**
   * The prefix of the export names of the stack outputs (`<prefix>-VpcId`, …), for `Fn.importValue`
   * in other stacks of the account and region. CloudFormation export names hold letters, digits,
   * `-` and `:`. Exported values cannot change while a stack imports them.
   * @default - the outputs are not exported
   */
  readonly exportNamePrefix?: string;

  /** The training network. */
  readonly network: ITrainingNetwork;

  /** Where training jobs read datasets: the tier and its file system. */
  readonly storage: DatasetStorage;

  /** The bucket that holds the datasets. */
  readonly datasetBucket: s3.IBucket;

  /**
   * The bucket users upload datasets to (the ingestion's).
   * @default - not published
   */
  readonly uploadBucket?: s3.IBucket;

  /**
   * The training-job launcher function.
   * @default - not published
   */
  readonly launcherFunction?: lambda.IFunction;

  /**
   * The bus the platform's events go to.
   * @default - not published
   */
  readonly eventBus?: events.IEventBus;

  /**
   * The `source` of the platform's events.
   * @default - not published
   */
  readonly eventSource?: string;
}

const EXPORT_NAME_PREFIX = /^[A-Za-z0-9:-]{1,200}$/;
/** Records for the importer: parameters without a stack output of their own (their fields have one each). */
const IMPORT_RECORDS = [PlatformParameter.NETWORK_IMPORT, PlatformParameter.LUSTRE_IMPORT, PlatformParameter.EFS_IMPORT];

/**
 * Publishes every handle a team's stack needs to use a dataset platform from another app: SSM
 * String parameters under one prefix (the layout is {@link PlatformParameter}) and a stack output
 * per parameter (optionally exported). `DatasetPlatformStack` adds one; a platform composed by hand
 * adds its own.
 *
 * @example
 * const storage = DatasetStorage.forRegion(this, 'Datasets', { network, datasetBucket });
 * new DatasetPlatformParameters(this, 'Handles', {
 *   parameterPrefix: '/cdk-sagemaker-datasets/vision',
 *   network, storage, datasetBucket,
 * });
 */
export class DatasetPlatformParameters extends Construct {
  /** The prefix a stack's parameters go under when none is given: `/cdk-sagemaker-datasets/<stack name>`. */
  public static defaultParameterPrefix(stackName: string): string {
    return defaultParameterPrefix(stackName);
  }

  /** The full SSM parameter name of one handle: `<parameterPrefix>/<parameter>`. */
  public static parameterNameUnder(parameterPrefix: string, parameter: PlatformParameter): string {
    return platformParameterName(parameterPrefix, parameter);
  }

  /** The path the parameters are under. */
  public readonly parameterPrefix: string;

  /** The parameters written, by handle. */
  private readonly written = new Map<PlatformParameter, ssm.StringParameter>();

  constructor(scope: Construct, id: string, props: DatasetPlatformParametersProps) {
    super(scope, id);
    this.parameterPrefix = validateParameterPrefix(this, 'DatasetPlatformParameters',
      props.parameterPrefix ?? defaultParameterPrefix(Stack.of(this).stackName));
    if (props.exportNamePrefix !== undefined && !Token.isUnresolved(props.exportNamePrefix) && !EXPORT_NAME_PREFIX.test(props.exportNamePrefix)) {
      throwValidation(this, 'InvalidExportNamePrefix', `DatasetPlatformParameters ${this.node.path}: exportNamePrefix is ${JSON.stringify(props.exportNamePrefix)}; ` +
        'CloudFormation export names hold only letters, digits, \'-\' and \':\' (1-200 characters here). Use e.g. \'DatasetPlatform-us-east-1\'.');
    }
    const publish = (parameter: PlatformParameter, value: string) => this.publish(parameter, value, props.exportNamePrefix, !IMPORT_RECORDS.includes(parameter));

    this.publishNetwork(props.network, publish);
    this.publishStorage(props.storage, publish);
    publish(PlatformParameter.DATASET_BUCKET_NAME, props.datasetBucket.bucketName);
    publish(PlatformParameter.DATASET_BUCKET_ARN, props.datasetBucket.bucketArn);
    if (props.uploadBucket) {
      publish(PlatformParameter.UPLOAD_BUCKET_NAME, props.uploadBucket.bucketName);
      publish(PlatformParameter.UPLOAD_BUCKET_ARN, props.uploadBucket.bucketArn);
    }
    if (props.launcherFunction) {
      publish(PlatformParameter.LAUNCHER_FUNCTION_ARN, props.launcherFunction.functionArn);
      publish(PlatformParameter.LAUNCHER_FUNCTION_NAME, props.launcherFunction.functionName);
    }
    if (props.eventBus) {
      publish(PlatformParameter.EVENT_BUS_NAME, props.eventBus.eventBusName);
      publish(PlatformParameter.EVENT_BUS_ARN, props.eventBus.eventBusArn);
    }
    if (props.eventSource !== undefined) {
      publish(PlatformParameter.EVENT_SOURCE, props.eventSource);
    }
  }

  /** The full SSM name of one handle under this construct's prefix. */
  public parameterName(parameter: PlatformParameter): string {
    return platformParameterName(this.parameterPrefix, parameter);
  }

  /** The SSM parameter holding `parameter`, or undefined when this platform does not publish it. */
  public parameter(parameter: PlatformParameter): ssm.IStringParameter | undefined {
    return this.written.get(parameter);
  }

  /** The handles published, in publishing order. */
  public get publishedParameters(): PlatformParameter[] {
    return [...this.written.keys()];
  }

  private publishNetwork(network: ITrainingNetwork, publish: (parameter: PlatformParameter, value: string) => void): void {
    const subnets = network.trainingSubnetList();
    if (subnets.length === 0) {
      throwValidation(this, 'NoTrainingSubnets', `DatasetPlatformParameters ${this.node.path}: the network has no training subnets to publish. ` +
        'Give the network private subnets (TrainingNetwork selects them from the VPC).');
    }
    const isolated = new Set(network.vpc.isolatedSubnets.map((subnet) => subnet.subnetId));
    // Both TrainingNetwork and its imports carry the id (ITrainingNetwork does not declare it).
    const s3PrefixListId = (network as Partial<{ s3PrefixListId: string }>).s3PrefixListId;
    if (s3PrefixListId === undefined) {
      throwValidation(this, 'NoS3PrefixList', `DatasetPlatformParameters ${this.node.path}: the network does not expose s3PrefixListId, which team stacks ` +
        'need to reach S3. Pass a TrainingNetwork (new or from fromTrainingNetworkAttributes).');
    }
    const record = {
      vpcId: network.vpc.vpcId,
      trainingSecurityGroupId: network.trainingSecurityGroup.securityGroupId,
      endpointSecurityGroupId: network.endpointSecurityGroup?.securityGroupId ?? '',
      trainingSubnetIds: subnets.map((subnet) => subnet.subnetId),
      availabilityZones: subnets.map((subnet) => subnet.availabilityZone),
      trainingSubnetRouteTableIds: subnets.map((subnet) => subnet.routeTable.routeTableId),
      s3PrefixListId,
    };
    publish(PlatformParameter.VPC_ID, record.vpcId);
    publish(PlatformParameter.AVAILABILITY_ZONES, joinValues(',', record.availabilityZones));
    publish(PlatformParameter.TRAINING_SUBNET_IDS, joinValues(',', record.trainingSubnetIds));
    publish(PlatformParameter.TRAINING_SUBNET_ROUTE_TABLE_IDS, joinValues(',', record.trainingSubnetRouteTableIds));
    publish(PlatformParameter.TRAINING_SUBNET_COUNT, String(subnets.length));
    publish(PlatformParameter.TRAINING_SUBNETS_HAVE_EGRESS, String(!subnets.every((subnet) => isolated.has(subnet.subnetId))));
    publish(PlatformParameter.TRAINING_SECURITY_GROUP_ID, record.trainingSecurityGroupId);
    if (network.endpointSecurityGroup) {
      publish(PlatformParameter.ENDPOINT_SECURITY_GROUP_ID, record.endpointSecurityGroupId);
    }
    publish(PlatformParameter.S3_PREFIX_LIST_ID, s3PrefixListId);
    if (network.interfaceEndpointServices.length > 0) {
      publish(PlatformParameter.INTERFACE_ENDPOINTS, network.interfaceEndpointServices.join(','));
    }
    publish(PlatformParameter.NETWORK_IMPORT, writeRecord(NETWORK_RECORD, record));
  }

  private publishStorage(storage: DatasetStorage, publish: (parameter: PlatformParameter, value: string) => void): void {
    publish(PlatformParameter.STORAGE_TYPE, storage.storageType);
    publish(PlatformParameter.S3_INPUT_MODE, storage.s3InputMode);
    const lustre = storage.lustreFileSystem;
    const efsFs = storage.efsFileSystem;
    if (storage.storageType === DatasetStorageType.FSX_LUSTRE) {
      if (!lustre) {
        return this.unpublishable(storage);
      }
      const record = {
        fileSystemId: lustre.fileSystemId,
        mountName: lustre.mountName,
        dnsName: lustre.dnsName,
        securityGroupId: lustre.securityGroup.securityGroupId,
        subnetId: lustre.subnet.subnetId,
        availabilityZone: lustre.availabilityZone,
        datasetDirectory: relativeDirectory(lustre.datasetDirectory),
      };
      publish(PlatformParameter.LUSTRE_FILE_SYSTEM_ID, record.fileSystemId);
      publish(PlatformParameter.LUSTRE_MOUNT_NAME, record.mountName);
      publish(PlatformParameter.LUSTRE_DNS_NAME, record.dnsName);
      publish(PlatformParameter.LUSTRE_SECURITY_GROUP_ID, record.securityGroupId);
      publish(PlatformParameter.LUSTRE_SUBNET_ID, record.subnetId);
      publish(PlatformParameter.LUSTRE_AVAILABILITY_ZONE, record.availabilityZone);
      publish(PlatformParameter.LUSTRE_DATASET_DIRECTORY, lustre.datasetDirectory);
      publish(PlatformParameter.LUSTRE_IMPORT, writeRecord(LUSTRE_RECORD, record));
    } else if (storage.storageType === DatasetStorageType.EFS) {
      if (!efsFs) {
        return this.unpublishable(storage);
      }
      const subnets = efsFs.trainingSubnets.subnets ?? [];
      const securityGroup = efsFs.connections.securityGroups[0] as ec2.ISecurityGroup | undefined;
      if (subnets.length === 0 || !securityGroup) {
        return this.unpublishable(storage);
      }
      const record = {
        fileSystemId: efsFs.fileSystemId,
        securityGroupId: securityGroup.securityGroupId,
        writerAccessPointId: efsFs.writerAccessPoint?.accessPointId ?? '',
        subnetIds: subnets.map((subnet) => subnet.subnetId),
        availabilityZones: subnets.map((subnet) => subnet.availabilityZone),
        datasetDirectory: relativeDirectory(efsFs.datasetDirectory),
      };
      publish(PlatformParameter.EFS_FILE_SYSTEM_ID, record.fileSystemId);
      publish(PlatformParameter.EFS_DNS_NAME, `${efsFs.fileSystemId}.efs.${Stack.of(this).region}.${Aws.URL_SUFFIX}`);
      publish(PlatformParameter.EFS_SECURITY_GROUP_ID, record.securityGroupId);
      publish(PlatformParameter.EFS_SUBNET_IDS, joinValues(',', record.subnetIds));
      publish(PlatformParameter.EFS_AVAILABILITY_ZONES, joinValues(',', record.availabilityZones));
      publish(PlatformParameter.EFS_DATASET_DIRECTORY, efsFs.datasetDirectory);
      if (efsFs.writerAccessPoint) {
        publish(PlatformParameter.EFS_WRITER_ACCESS_POINT_ID, record.writerAccessPointId);
      }
      publish(PlatformParameter.EFS_IMPORT, writeRecord(EFS_RECORD, record));
    }
  }

  private unpublishable(storage: DatasetStorage): never {
    return throwValidation(this, 'UnpublishableFileSystem', `DatasetPlatformParameters ${this.node.path}: the ${storage.storageType} file system ` +
      `${storage.fileSystem?.node.path} does not expose what a team needs to import it (FSx for Lustre: ILustreDatasetFileSystem; EFS: ` +
      'IEfsDatasetFileSystem with its subnets and security group). Pass a LustreDatasetFileSystem or EfsDatasetFileSystem, new or imported.');
  }

  private publish(parameter: PlatformParameter, value: string, exportNamePrefix: string | undefined, output: boolean): void {
    const id = constructIdOf(parameter);
    const parameterName = this.parameterName(parameter);
    this.written.set(parameter, new ssm.StringParameter(this, id, {
      parameterName,
      stringValue: value,
      description: `cdk-sagemaker-datasets platform handle: ${parameter}`,
      tier: ssm.ParameterTier.STANDARD,
    }));
    if (!output) return;
    const cfnOutput = new CfnOutput(this, `${id}Output`, {
      value,
      description: `SSM parameter ${parameterName}`,
      exportName: exportNamePrefix === undefined ? undefined : `${exportNamePrefix}-${id}`,
    });
    // Stable, readable output names (`<id of this construct><handle>`) instead of hashed ones.
    cfnOutput.overrideLogicalId(`${this.node.id.replace(/[^A-Za-z0-9]/g, '')}${id}`);
  }
}

/** The export-name suffix (and construct id) of a handle: its enum key in PascalCase (`VPC_ID` → `VpcId`). */
export function constructIdOf(parameter: PlatformParameter): string {
  const key = Object.entries(PlatformParameter).find(([, value]) => value === parameter)![0];
  return key.toLowerCase().replace(/(^|_)([a-z])/g, (_match, _sep, letter: string) => letter.toUpperCase());
}
