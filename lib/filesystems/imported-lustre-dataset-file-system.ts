import { Aws, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { rethrowInScope } from '../validation';
import { LustreDatasetFileSystemBase } from './lustre-dataset-file-system-base';
import { LustreDatasetFileSystemAttributes } from './lustre-props';
import { checkLustreAttributes } from './lustre-validation';

const DEFAULT_DATASET_DIRECTORY = '/datasets';

/** An existing FSx for Lustre file system, from `LustreDatasetFileSystem.fromLustreDatasetFileSystemAttributes`. */
export class ImportedLustreDatasetFileSystem extends LustreDatasetFileSystemBase {
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
    // Like aws-cdk-lib's imports, the resource's environment comes from its ARN (the importing stack's account and region).
    super(scope, id, {
      environmentFromArn: Stack.of(scope).formatArn({ service: 'fsx', resource: 'file-system', resourceName: attrs.fileSystemId }),
    });
    rethrowInScope(this, 'LustreDatasetFileSystem.fromLustreDatasetFileSystemAttributes', () => checkLustreAttributes(attrs));
    this.fileSystemId = attrs.fileSystemId;
    this.mountName = attrs.mountName;
    this.dnsName = attrs.dnsName ?? `${attrs.fileSystemId}.fsx.${this.env.region}.${Aws.URL_SUFFIX}`;
    this.datasetDirectory = attrs.datasetDirectory ?? DEFAULT_DATASET_DIRECTORY;
    this.dataRepositoryPath = attrs.dataRepositoryPath;
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
