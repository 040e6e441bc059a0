import { Duration, IResource, Resource, ResourceProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { fileSystemMetric, fileSystemThroughput } from '../monitoring/platform-metrics';
import { FileSystemPorts } from '../network';
import {
  DatasetFileSystemType, FileSystemAccessMode, FileSystemTrainingChannel, IDatasetFileSystem, buildTrainingChannel, deriveDirectoryPath,
} from './dataset-file-system';

/** An FSx for Lustre dataset file system, new or imported. */
export interface ILustreDatasetFileSystem extends IDatasetFileSystem, IResource {
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

/**
 * What new and imported FSx for Lustre dataset file systems share.
 * @internal
 */
export abstract class LustreDatasetFileSystemBase extends Resource implements ILustreDatasetFileSystem {
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

  constructor(scope: Construct, id: string, props: ResourceProps = {}) {
    super(scope, id, props);
  }

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

  /** An `AWS/FSx` metric of this file system (dimension `FileSystemId`), Sum per 5 minutes unless `props` say otherwise. */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return fileSystemMetric(this.fileSystemId, metricName, props);
  }

  /**
   * Free data storage in bytes: `FreeDataStorageCapacity`, Sum over the storage targets per minute
   * (FSx reports it every minute; a longer period would add up samples).
   */
  public metricFreeDataStorageCapacity(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('FreeDataStorageCapacity', { period: Duration.minutes(1), unit: cloudwatch.Unit.BYTES, ...props });
  }

  /** Client throughput in MB/s: (`DataReadBytes` + `DataWriteBytes`) per second of the period. */
  public metricThroughput(props?: cloudwatch.MathExpressionOptions): cloudwatch.MathExpression {
    return fileSystemThroughput(this.fileSystemId, props);
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
