import { Annotations, IResource, Resource, ResourceProps, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IDependable } from 'constructs';
import { efsDirectoryPathFromLambdaPath, validateLambdaMountPath } from '../../contract/sagemaker-channel';
import { FileSystemPorts } from '../network';
import { Availability, regionCapabilities } from '../regions/capability-table';
import {
  DatasetFileSystemType, FileSystemAccessMode, FileSystemTrainingChannel, IDatasetFileSystem, buildTrainingChannel, deriveDirectoryPath,
} from './dataset-file-system';
import { throwValidation } from '../validation';

const DEFAULT_LAMBDA_MOUNT_PATH = '/mnt/datasets';

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
export interface IEfsDatasetFileSystem extends IDatasetFileSystem, IResource {
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

/**
 * What new and imported EFS dataset file systems share.
 * @internal
 */
export abstract class EfsDatasetFileSystemBase extends Resource implements IEfsDatasetFileSystem {
  public abstract readonly fileSystemId: string;
  public abstract readonly fileSystemArn: string;
  public abstract readonly datasetDirectory: string;
  public abstract readonly writerAccessPoint?: efs.IAccessPoint;
  public abstract readonly trainingSubnets: ec2.SubnetSelection;
  public abstract readonly connections: ec2.Connections;
  public readonly fileSystemType = DatasetFileSystemType.EFS;
  protected trainingAccessMode?: FileSystemAccessMode;
  protected mountTargetsAvailable: IDependable[] = [];

  constructor(scope: Construct, id: string, props: ResourceProps = {}) {
    super(scope, id, props);
  }

  public get datasetRootDirectory(): string {
    return deriveDirectoryPath(this, [this.datasetDirectory]);
  }

  public directoryPath(datasetPath: string): string {
    return deriveDirectoryPath(this, [this.datasetDirectory, datasetPath]);
  }

  public trainingChannel(channelName: string, datasetPath: string, accessMode?: FileSystemAccessMode): FileSystemTrainingChannel {
    if (accessMode === FileSystemAccessMode.READ_WRITE && this.trainingAccessMode === FileSystemAccessMode.READ_ONLY) {
      throwValidation(this, 'ReadWriteChannelRefused', `EfsDatasetFileSystem ${this.node.path}: channel '${channelName}' asks for read-write, but the file-system policy lets training jobs ` +
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
        throwValidation(this, (error as Error).name, `EfsDatasetFileSystem ${this.node.path}: ${(error as Error).message}`);
      }
    }
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region)) {
      const lambdaEfs = regionCapabilities(region).lambdaEfsMount;
      if (lambdaEfs.availability === Availability.UNAVAILABLE) {
        throwValidation(this, 'LambdaEfsUnavailable', `EfsDatasetFileSystem ${this.node.path}: Lambda cannot mount EFS in ${region} (${lambdaEfs.source}). ` +
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
      throwValidation(this, (error as Error).name, `EfsDatasetFileSystem ${this.node.path}: ${(error as Error).message}`);
    }
  }

  private requireWriterAccessPoint(method: string): efs.IAccessPoint {
    if (!this.writerAccessPoint) {
      throwValidation(this, 'NoWriterAccessPoint', `EfsDatasetFileSystem ${this.node.path}: ${method}() needs the writer access point; import the file system with writerAccessPointId.`);
    }
    return this.writerAccessPoint;
  }
}

/** `lambda.FileSystem` with a scoped policy: the static factories grant ClientMount on `*`. */
class WriterLambdaFileSystem extends lambda.FileSystem {
  constructor(config: lambda.FileSystemConfig) {
    super(config);
  }
}
