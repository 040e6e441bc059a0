import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import { Construct } from 'constructs';
import { FileSystemPorts } from '../network';
import { rethrowInScope } from '../validation';
import { EfsDatasetFileSystemBase } from './efs-dataset-file-system-base';
import { EfsDatasetFileSystemAttributes } from './efs-props';
import { checkEfsAttributes } from './efs-validation';

const DEFAULT_DATASET_DIRECTORY = '/datasets';

/** An existing EFS file system, from `EfsDatasetFileSystem.fromEfsDatasetFileSystemAttributes`. */
export class ImportedEfsDatasetFileSystem extends EfsDatasetFileSystemBase {
  public readonly fileSystemId: string;
  public readonly fileSystemArn: string;
  public readonly datasetDirectory: string;
  public readonly writerAccessPoint?: efs.IAccessPoint;
  public readonly trainingSubnets: ec2.SubnetSelection;
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, attrs: EfsDatasetFileSystemAttributes) {
    const fileSystemArn = Stack.of(scope).formatArn({ service: 'elasticfilesystem', resource: 'file-system', resourceName: attrs.fileSystemId });
    // Like aws-cdk-lib's imports, the resource's environment comes from its ARN.
    super(scope, id, { environmentFromArn: fileSystemArn });
    rethrowInScope(this, 'EfsDatasetFileSystem.fromEfsDatasetFileSystemAttributes', () => checkEfsAttributes(attrs));
    this.fileSystemId = attrs.fileSystemId;
    this.fileSystemArn = fileSystemArn;
    this.datasetDirectory = attrs.datasetDirectory ?? DEFAULT_DATASET_DIRECTORY;
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
