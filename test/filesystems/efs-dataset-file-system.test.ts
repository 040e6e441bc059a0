import { Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  DatasetFileSystemType, EfsDatasetFileSystem, EfsDatasetFileSystemOptions, FileSystemAccessMode, TrainingNetwork, TrainingSubnetMode,
} from '../../lib';
import { libraryWarnings, networkStack, rulesOf, securityGroupRules } from './support';

function efsFs(options: EfsDatasetFileSystemOptions = {}, region: string | null = 'cn-north-1') {
  const { stack, network } = networkStack(region);
  const fs = new EfsDatasetFileSystem(stack, 'Datasets', { network, ...options });
  return { stack, network, fs };
}

function writer(stack: Stack, network: TrainingNetwork, fileSystem: lambda.FileSystem): lambda.Function {
  return new lambda.Function(stack, 'Writer', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    vpc: network.vpc,
    vpcSubnets: network.trainingSubnets,
    filesystem: fileSystem,
  });
}

describe('EfsDatasetFileSystem defaults (cn-north-1)', () => {
  const { stack, network, fs } = efsFs();
  fs.allowClient(network);
  const mount = fs.lambdaMount();
  const fn = writer(stack, network, mount.fileSystem);
  const sageMakerRole = new iam.Role(stack, 'SageMakerRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  fs.grantDescribe(sageMakerRole);
  const template = Template.fromStack(stack);
  const fsLogicalId = stack.getLogicalId(fs.fileSystem.node.defaultChild as efs.CfnFileSystem);
  const apArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':elasticfilesystem:cn-north-1:', { Ref: 'AWS::AccountId' }, ':access-point/', { Ref: stack.getLogicalId(fs.writerAccessPoint!.node.defaultChild as efs.CfnAccessPoint) }]] };
  const fsArn = { 'Fn::GetAtt': [fsLogicalId, 'Arn'] };

  test('encrypted, elastic, general purpose, automatic backups, retained', () => {
    template.hasResource('AWS::EFS::FileSystem', {
      Properties: { Encrypted: true, ThroughputMode: 'elastic', PerformanceMode: 'generalPurpose', BackupPolicy: { Status: 'ENABLED' } },
      DeletionPolicy: 'Retain',
    });
    expect(fs.fileSystemType).toBe(DatasetFileSystemType.EFS);
  });

  test('the file-system policy lets clients mount read-only through mount targets, with no write or root access', () => {
    template.hasResourceProperties('AWS::EFS::FileSystem', {
      FileSystemPolicy: {
        Version: '2012-10-17',
        Statement: [{
          Sid: 'TrainingJobsMountThroughMountTargets',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'elasticfilesystem:ClientMount',
          Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
        }],
      },
    });
  });

  test('one mount target per AZ of the training subnets, behind the file system group', () => {
    template.resourceCountIs('AWS::EFS::MountTarget', 2);
    for (const subnet of network.trainingSubnetList()) {
      template.hasResourceProperties('AWS::EFS::MountTarget', {
        FileSystemId: { Ref: fsLogicalId },
        SubnetId: { Ref: stack.getLogicalId(subnet.node.defaultChild as ec2.CfnSubnet) },
        SecurityGroups: [{ 'Fn::GetAtt': [stack.getLogicalId(fs.securityGroup.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] }],
      });
    }
    expect(fs.trainingSubnets.subnets).toEqual(network.trainingSubnetList());
  });

  test('the writer access point roots at /datasets and lets EFS create it with owner and permissions', () => {
    template.hasResourceProperties('AWS::EFS::AccessPoint', {
      FileSystemId: { Ref: fsLogicalId },
      PosixUser: { Uid: '1000', Gid: '1000' },
      RootDirectory: { Path: '/datasets', CreationInfo: { OwnerUid: '1000', OwnerGid: '1000', Permissions: '755' } },
    });
  });

  test('only NFS: TCP 2049 from the training group and the writer Lambda to the mount targets, nothing else', () => {
    const rules = rulesOf(template, 'DatasetsSecurityGroup');
    const writerGroup = stack.getLogicalId(fn.connections.securityGroups[0].node.defaultChild as ec2.CfnSecurityGroup).replace(/[0-9A-F]{8}$/, '');
    expect(rules).toEqual([
      // The training group's egress is closed, so it carries its own outbound NFS rule.
      { direction: 'egress', group: 'NetworkTrainingSecurityGroup', peer: 'DatasetsSecurityGroup', protocol: 'tcp', from: 2049, to: 2049 },
      { direction: 'ingress', group: 'DatasetsSecurityGroup', peer: 'NetworkTrainingSecurityGroup', protocol: 'tcp', from: 2049, to: 2049 },
      { direction: 'ingress', group: 'DatasetsSecurityGroup', peer: writerGroup, protocol: 'tcp', from: 2049, to: 2049 },
    ]);
    expect(securityGroupRules(template).filter((r) => r.group === 'DatasetsSecurityGroup' && r.direction === 'egress')).toEqual([]);
  });

  test('the writer Lambda mounts the access point at /mnt/datasets, after the mount targets', () => {
    template.hasResource('AWS::Lambda::Function', {
      Properties: { FileSystemConfigs: [{ Arn: apArn, LocalMountPath: '/mnt/datasets' }] },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^DatasetsEfsMountTarget')]),
    });
    expect(mount.localMountPath).toBe('/mnt/datasets');
    expect(mount.datasetRootDirectory).toBe('/datasets');
  });

  test('the writer Lambda may mount and write through the writer access point only (no wildcard resource)', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          Effect: 'Allow',
          Resource: fsArn,
          Condition: { StringEquals: { 'elasticfilesystem:AccessPointArn': apArn }, Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
        }]),
      },
      Roles: [{ Ref: stack.getLogicalId(fn.role!.node.defaultChild as iam.CfnRole) }],
    });
  });

  test('grantDescribe grants DescribeFileSystems and DescribeMountTargets on this file system', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: ['elasticfilesystem:DescribeFileSystems', 'elasticfilesystem:DescribeMountTargets'], Effect: 'Allow', Resource: fsArn }] },
      Roles: [{ Ref: stack.getLogicalId(sageMakerRole.node.defaultChild as iam.CfnRole) }],
    });
  });

  test('cn-north-1: Lambda EFS mounting is not covered by the Lambda guide, so lambdaMount warns', () => {
    expect(libraryWarnings(stack)).toEqual([expect.stringMatching(/Whether Lambda mounts EFS in cn-north-1 is unverified/)]);
  });
});

describe('EfsDatasetFileSystem options', () => {
  test('read-write training access adds ClientWrite (still no root access) and allows rw channels', () => {
    const { stack, fs } = efsFs({ trainingAccessMode: FileSystemAccessMode.READ_WRITE });
    Template.fromStack(stack).hasResourceProperties('AWS::EFS::FileSystem', {
      FileSystemPolicy: { Statement: [Match.objectLike({ Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'] })] },
    });
    expect(fs.trainingChannel('out', 'results', FileSystemAccessMode.READ_WRITE).accessMode).toBe('rw');
  });

  test('custom directory, owner, permissions, provisioned throughput, no backups', () => {
    const { stack } = efsFs({
      datasetDirectory: '/team/datasets', writerOwner: { uid: 2000, gid: 3000 }, datasetDirectoryPermissions: '0750',
      throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputPerSecond: Size.mebibytes(100), enableAutomaticBackups: false,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EFS::AccessPoint', {
      PosixUser: { Uid: '2000', Gid: '3000' },
      RootDirectory: { Path: '/team/datasets', CreationInfo: { OwnerUid: '2000', OwnerGid: '3000', Permissions: '0750' } },
    });
    template.hasResourceProperties('AWS::EFS::FileSystem', { ThroughputMode: 'provisioned', ProvisionedThroughputInMibps: 100, BackupPolicy: Match.absent() });
  });

  test('one mount target per AZ when the network has several training subnets in an AZ', () => {
    const { stack } = networkStack('us-east-1');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      isolatedSubnetIds: ['subnet-07e4448f1099cd713', 'subnet-0ced2d1476fff679f', 'subnet-0b45608bab2bddf24', 'subnet-02caae48ed35a4f6b'],
      isolatedSubnetRouteTableIds: ['rtb-a1', 'rtb-b1', 'rtb-a2', 'rtb-b2'],
    });
    const network = new TrainingNetwork(stack, 'Existing', { vpc, interfaceEndpoints: [] });
    const fs = new EfsDatasetFileSystem(stack, 'Datasets', { network });
    const template = Template.fromStack(stack);
    expect(Object.values(template.findResources('AWS::EFS::MountTarget')).map((r) => r.Properties.SubnetId).sort()).toEqual(['subnet-07e4448f1099cd713', 'subnet-0ced2d1476fff679f']);
    expect(fs.trainingSubnets.subnets!.map((s) => s.subnetId)).toEqual(['subnet-07e4448f1099cd713', 'subnet-0ced2d1476fff679f', 'subnet-0b45608bab2bddf24', 'subnet-02caae48ed35a4f6b']);
  });

  test('a NAT-egress network works the same', () => {
    const { stack } = networkStack('us-east-1');
    const network = new TrainingNetwork(stack, 'Nat', { subnetMode: TrainingSubnetMode.NAT_EGRESS });
    new EfsDatasetFileSystem(stack, 'Datasets', { network });
    Template.fromStack(stack).resourceCountIs('AWS::EFS::MountTarget', 2);
  });

  test('us-east-1: Lambda mounts EFS there, so no warning', () => {
    const { stack, fs } = efsFs({}, 'us-east-1');
    fs.lambdaMount('/mnt/data');
    expect(libraryWarnings(stack)).toEqual([]);
  });

  test('a token region skips the region checks', () => {
    expect(() => efsFs({}, null)).not.toThrow();
  });
});

describe('EfsDatasetFileSystem validation', () => {
  test.each<[string, EfsDatasetFileSystemOptions, RegExp]>([
    ['a relative directory', { datasetDirectory: 'datasets' }, /datasetDirectory "datasets" cannot be an access point root: use an absolute path of at most 4 levels/],
    ['five levels', { datasetDirectory: '/a/b/c/d/e' }, /datasetDirectory "\/a\/b\/c\/d\/e" cannot be an access point root/],
    ['a trailing slash', { datasetDirectory: '/datasets/' }, /cannot be an access point root/],
    ['a dot segment', { datasetDirectory: '/a/../b' }, /cannot be an access point root/],
    ['over 100 characters', { datasetDirectory: `/${'a'.repeat(100)}` }, /cannot be an access point root/],
    ['a negative uid', { writerOwner: { uid: -1, gid: 1000 } }, /writerOwner.uid is -1; it must be a whole number from 0 to 4294967295/],
    ['a huge gid', { writerOwner: { uid: 1000, gid: 4294967296 } }, /writerOwner.gid is 4294967296; it must be a whole number from 0 to 4294967295/],
    ['non-octal permissions', { datasetDirectoryPermissions: '789' }, /datasetDirectoryPermissions is "789"; it must be 3 or 4 octal digits/],
    ['elastic with MAX_IO', { performanceMode: efs.PerformanceMode.MAX_IO }, /performanceMode MAX_IO does not work with elastic throughput/],
    ['provisioned without a rate', { throughputMode: efs.ThroughputMode.PROVISIONED }, /throughputMode PROVISIONED needs provisionedThroughputPerSecond/],
    ['a rate without provisioned', { provisionedThroughputPerSecond: Size.mebibytes(10) }, /provisionedThroughputPerSecond needs throughputMode: efs.ThroughputMode.PROVISIONED/],
  ])('rejects %s', (_name, options, message) => {
    expect(() => efsFs(options)).toThrow(message);
  });

  test('messages name the construct', () => {
    expect(() => efsFs({ datasetDirectoryPermissions: 'x' })).toThrow(/^EfsDatasetFileSystem Test\/Datasets: /);
  });

  test.each<[string, string, RegExp]>([
    ['/efs/datasets', 'us-east-1', /Lambda mounts file systems at \/mnt\/<name>/],
    ['/mnt/datasets', 'ap-southeast-5', /Lambda cannot mount EFS in ap-southeast-5 .*Write datasets from another compute service/],
  ])('lambdaMount(%s) in %s fails', (path, region, message) => {
    const { fs } = efsFs({}, region);
    expect(() => fs.lambdaMount(path)).toThrow(message);
  });

  test('us-isob-west-1 has no EFS endpoint', () => {
    expect(() => efsFs({}, 'us-isob-west-1')).toThrow(/CloudFormation cannot create EFS file systems in us-isob-west-1/);
  });
});

describe('imported EFS', () => {
  const { stack, network } = networkStack('us-east-1');
  const securityGroup = new ec2.SecurityGroup(stack, 'ImportedSg', { vpc: network.vpc, allowAllOutbound: false });
  const imported = EfsDatasetFileSystem.fromEfsDatasetFileSystemAttributes(stack, 'Imported', {
    fileSystemId: 'fs-0123456789abcdef0', securityGroup, subnets: network.trainingSubnetList(), writerAccessPointId: 'fsap-0123456789abcdef0',
  });
  imported.allowClient(network);
  const fn = writer(stack, network, imported.lambdaMount().fileSystem);
  const template = Template.fromStack(stack);

  test('opens 2049 only, from the training group and the Lambda', () => {
    const writerGroup = stack.getLogicalId(fn.connections.securityGroups[0].node.defaultChild as ec2.CfnSecurityGroup).replace(/[0-9A-F]{8}$/, '');
    expect(rulesOf(template, 'ImportedSg')).toEqual([
      { direction: 'egress', group: 'NetworkTrainingSecurityGroup', peer: 'ImportedSg', protocol: 'tcp', from: 2049, to: 2049 },
      { direction: 'ingress', group: 'ImportedSg', peer: 'NetworkTrainingSecurityGroup', protocol: 'tcp', from: 2049, to: 2049 },
      { direction: 'ingress', group: 'ImportedSg', peer: writerGroup, protocol: 'tcp', from: 2049, to: 2049 },
    ]);
  });

  test('mounts the imported access point with a partition-aware ARN and scoped grants', () => {
    const apArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':elasticfilesystem:us-east-1:', { Ref: 'AWS::AccountId' }, ':access-point/fsap-0123456789abcdef0']] };
    template.hasResourceProperties('AWS::Lambda::Function', { FileSystemConfigs: [{ Arn: apArn, LocalMountPath: '/mnt/datasets' }] });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':elasticfilesystem:us-east-1:', { Ref: 'AWS::AccountId' }, ':file-system/fs-0123456789abcdef0']] },
          Condition: { StringEquals: { 'elasticfilesystem:AccessPointArn': apArn }, Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
        })]),
      },
    });
  });

  test('grantWriterAccess grants the same to any principal', () => {
    const other = new Stack();
    const role = new iam.Role(other, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    expect(imported.grantWriterAccess(role).success).toBe(true);
  });

  test('without a writer access point, lambdaMount and grantWriterAccess say what is missing', () => {
    const bare = EfsDatasetFileSystem.fromEfsDatasetFileSystemAttributes(stack, 'Bare', {
      fileSystemId: 'fs-0123abcd', securityGroup, subnets: network.trainingSubnetList(),
    });
    expect(() => bare.lambdaMount()).toThrow(/lambdaMount\(\) needs the writer access point; import the file system with writerAccessPointId/);
    expect(() => bare.grantWriterAccess(new iam.Role(new Stack(), 'R', { assumedBy: new iam.AccountRootPrincipal() }))).toThrow(/grantWriterAccess\(\) needs the writer access point/);
  });

  test.each<[string, object, RegExp]>([
    ['a bad id', { fileSystemId: 'efs-1' }, /fileSystemId is "efs-1"; it is not an EFS file-system id/],
    ['no subnets', { subnets: [] }, /subnets is empty; list the subnets training jobs may use/],
    ['a relative directory', { datasetDirectory: 'datasets' }, /datasetDirectory "datasets" must be absolute and normalized/],
  ])('rejects %s', (_name, override, message) => {
    expect(() => EfsDatasetFileSystem.fromEfsDatasetFileSystemAttributes(new Stack(), 'X', {
      fileSystemId: 'fs-0123abcd', securityGroup, subnets: network.trainingSubnetList(), ...override,
    })).toThrow(message);
  });
});
