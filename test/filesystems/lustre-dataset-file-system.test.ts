import { App, CfnParameter, Duration, Errors, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as fsx from 'aws-cdk-lib/aws-fsx';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  DataRepositoryEvent, DatasetFileSystemType, LustreDatasetFileSystem, LustreDatasetFileSystemOptions, LustreLogLevel,
  LustreMetadataConfiguration, TrainingNetwork,
} from '../../lib';
import { infos, networkStack, rulesOf, securityGroupRules, warnings } from './support';

function lustre(options: LustreDatasetFileSystemOptions = {}, region: string | null = 'us-east-1') {
  const { stack, network } = networkStack(region);
  const fs = new LustreDatasetFileSystem(stack, 'Datasets', { network, ...options });
  return { stack, network, fs };
}

describe('LustreDatasetFileSystem defaults (us-east-1)', () => {
  const { stack, network, fs } = lustre();
  fs.allowClient(network);
  const sageMakerRole = new iam.Role(stack, 'SageMakerRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  fs.grantDescribe(sageMakerRole);
  const template = Template.fromStack(stack);
  const fsLogicalId = stack.getLogicalId(fs.fileSystem);

  test('PERSISTENT_2, Lustre 2.15, SSD, 1200 GiB, 125 MB/s/TiB, LZ4, automatic metadata, no backups, encrypted with the AWS managed key', () => {
    template.hasResource('AWS::FSx::FileSystem', {
      Properties: {
        FileSystemType: 'LUSTRE',
        FileSystemTypeVersion: '2.15',
        StorageType: 'SSD',
        StorageCapacity: 1200,
        SubnetIds: [{ Ref: stack.getLogicalId(network.trainingSubnetList()[0].node.defaultChild as ec2.CfnSubnet) }],
        SecurityGroupIds: [{ 'Fn::GetAtt': [stack.getLogicalId(fs.securityGroup.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] }],
        KmsKeyId: Match.absent(),
        LustreConfiguration: {
          DeploymentType: 'PERSISTENT_2',
          PerUnitStorageThroughput: 125,
          DataCompressionType: 'LZ4',
          MetadataConfiguration: { Mode: 'AUTOMATIC' },
          AutomaticBackupRetentionDays: 0,
          EfaEnabled: Match.absent(),
          ImportPath: Match.absent(),
          AutoImportPolicy: Match.absent(),
          LogConfiguration: {
            Level: 'WARN_ERROR',
            // Partition-aware: the log-group ARN without ILogGroup.logGroupArn's ':*' suffix.
            Destination: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:', { Ref: 'AWS::AccountId' }, ':log-group:', { Ref: stack.getLogicalId(fs.logGroup!.node.defaultChild as logs.CfnLogGroup) }]] },
          },
        },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(fs.fileSystemType).toBe(DatasetFileSystemType.FSX_LUSTRE);
  });

  test('logs to a /aws/fsx log group kept for a year and retained', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: Match.stringLikeRegexp('^/aws/fsx/lustre/Test/TestDatasets[0-9A-F]{8}$'), RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
  });

  test('exposes id, mount name and a partition-aware DNS name', () => {
    expect(stack.resolve(fs.fileSystemId)).toEqual({ Ref: fsLogicalId });
    expect(stack.resolve(fs.mountName)).toEqual({ 'Fn::GetAtt': [fsLogicalId, 'LustreMountName'] });
    expect(stack.resolve(fs.dnsName)).toEqual({ 'Fn::Join': ['', [{ Ref: fsLogicalId }, '.fsx.us-east-1.', { Ref: 'AWS::URLSuffix' }]] });
  });

  test('only the Lustre ports: TCP 988 and 1018-1023 within the group and with the client, in both directions', () => {
    const rules = rulesOf(template, 'DatasetsSecurityGroup');
    const expected = [];
    for (const [from, to] of [[988, 988], [1018, 1023]]) {
      expected.push(
        { direction: 'ingress', group: 'DatasetsSecurityGroup', peer: 'DatasetsSecurityGroup', protocol: 'tcp', from, to },
        { direction: 'egress', group: 'DatasetsSecurityGroup', peer: 'DatasetsSecurityGroup', protocol: 'tcp', from, to },
        { direction: 'ingress', group: 'DatasetsSecurityGroup', peer: 'NetworkTrainingSecurityGroup', protocol: 'tcp', from, to },
        { direction: 'egress', group: 'DatasetsSecurityGroup', peer: 'NetworkTrainingSecurityGroup', protocol: 'tcp', from, to },
        { direction: 'ingress', group: 'NetworkTrainingSecurityGroup', peer: 'DatasetsSecurityGroup', protocol: 'tcp', from, to },
        // The training group's egress is closed, so the client side needs its own outbound rule.
        { direction: 'egress', group: 'NetworkTrainingSecurityGroup', peer: 'DatasetsSecurityGroup', protocol: 'tcp', from, to },
      );
    }
    expect(rules).toEqual(expected.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
  });

  test('the file-system group has no CIDR rule and no all-outbound rule', () => {
    expect(securityGroupRules(template).filter((r) => r.group === 'DatasetsSecurityGroup' && r.peer.startsWith('CIDR'))).toEqual([]);
  });

  test('training subnets are the subnets of the file system AZ only', () => {
    expect(fs.trainingSubnets.subnets).toEqual([network.trainingSubnetList()[0]]);
    expect(fs.availabilityZone).toBe(network.trainingSubnetList()[0].availabilityZone);
  });

  test('grantDescribe grants fsx:DescribeFileSystems on * (the action has no resource type; an ARN would never match)', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'fsx:DescribeFileSystems', Effect: 'Allow', Resource: '*' }] },
      Roles: [{ Ref: stack.getLogicalId(sageMakerRole.node.defaultChild as iam.CfnRole) }],
    });
  });
});

describe('LustreDatasetFileSystem placement', () => {
  test('with two training subnets in the file system AZ, training jobs get both and none of the other AZ', () => {
    const stack = new Stack(new App(), 'Placement', { env: { region: 'us-east-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      // Assigned to the AZs in turn: a1 and a2 in us-east-1a, b1 and b2 in us-east-1b.
      isolatedSubnetIds: ['subnet-07e4448f1099cd713', 'subnet-0ced2d1476fff679f', 'subnet-0b45608bab2bddf24', 'subnet-02caae48ed35a4f6b'],
      isolatedSubnetRouteTableIds: ['rtb-a1', 'rtb-b1', 'rtb-a2', 'rtb-b2'],
    });
    const network = new TrainingNetwork(stack, 'Network', { vpc, interfaceEndpoints: [] });
    const fs = new LustreDatasetFileSystem(stack, 'Datasets', { network });
    expect(fs.trainingSubnets.subnets!.map((s) => s.subnetId)).toEqual(['subnet-07e4448f1099cd713', 'subnet-0b45608bab2bddf24']);
    const other = new LustreDatasetFileSystem(stack, 'Other', { network, subnet: network.trainingSubnetList()[1] });
    expect(other.trainingSubnets.subnets!.map((s) => s.subnetId)).toEqual(['subnet-0ced2d1476fff679f', 'subnet-02caae48ed35a4f6b']);
  });
});

describe('LustreDatasetFileSystem options', () => {
  test('a KMS key, user-provisioned metadata IOPS, 500 MB/s/TiB, 4800 GiB and EFA', () => {
    const { stack, network } = networkStack('us-east-1');
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const fs = new LustreDatasetFileSystem(stack, 'Datasets', {
      network, kmsKey: key, metadataConfiguration: LustreMetadataConfiguration.userProvisioned(24000),
      perUnitStorageThroughput: 500, storageCapacityGiB: 4800, efaEnabled: true,
    });
    fs.allowClient(network);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::FSx::FileSystem', {
      KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] },
      StorageCapacity: 4800,
      LustreConfiguration: { PerUnitStorageThroughput: 500, MetadataConfiguration: { Mode: 'USER_PROVISIONED', Iops: 24000 }, EfaEnabled: true },
    });
    const allTraffic = rulesOf(template, 'DatasetsSecurityGroup').filter((r) => r.protocol === '-1');
    expect(allTraffic).toEqual([
      { direction: 'egress', group: 'DatasetsSecurityGroup', peer: 'DatasetsSecurityGroup', protocol: '-1' },
      { direction: 'egress', group: 'DatasetsSecurityGroup', peer: 'NetworkTrainingSecurityGroup', protocol: '-1' },
      { direction: 'egress', group: 'NetworkTrainingSecurityGroup', peer: 'DatasetsSecurityGroup', protocol: '-1' },
      { direction: 'ingress', group: 'DatasetsSecurityGroup', peer: 'DatasetsSecurityGroup', protocol: '-1' },
      { direction: 'ingress', group: 'DatasetsSecurityGroup', peer: 'NetworkTrainingSecurityGroup', protocol: '-1' },
      { direction: 'ingress', group: 'NetworkTrainingSecurityGroup', peer: 'DatasetsSecurityGroup', protocol: '-1' },
    ]);
  });

  test('logLevel DISABLED writes Level DISABLED and creates no log group', () => {
    const { stack } = lustre({ logLevel: LustreLogLevel.DISABLED });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::FSx::FileSystem', { LustreConfiguration: { LogConfiguration: { Level: 'DISABLED', Destination: Match.absent() } } });
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^/aws/fsx') }, 0);
  });

  test('an existing /aws/fsx log group is used as is', () => {
    const { stack, network } = networkStack('us-east-1');
    const group = logs.LogGroup.fromLogGroupName(stack, 'Existing', '/aws/fsx/team');
    new LustreDatasetFileSystem(stack, 'Datasets', { network, logGroup: group, logLevel: LustreLogLevel.ERROR_ONLY });
    Template.fromStack(stack).hasResourceProperties('AWS::FSx::FileSystem', {
      LustreConfiguration: { LogConfiguration: { Level: 'ERROR_ONLY', Destination: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:', { Ref: 'AWS::AccountId' }, ':log-group:/aws/fsx/team']] } } },
    });
  });

  test('PERSISTENT_1 HDD gets a NONE drive cache and 12 MB/s/TiB by default', () => {
    const { stack } = lustre({ deploymentType: fsx.LustreDeploymentType.PERSISTENT_1, storageType: fsx.StorageType.HDD, storageCapacityGiB: 6000 });
    Template.fromStack(stack).hasResourceProperties('AWS::FSx::FileSystem', {
      StorageType: 'HDD', LustreConfiguration: { DeploymentType: 'PERSISTENT_1', PerUnitStorageThroughput: 12, DriveCacheType: 'NONE', MetadataConfiguration: Match.absent() },
    });
  });

  test('SCRATCH_2 has no throughput and no backup setting', () => {
    const { stack } = lustre({ deploymentType: fsx.LustreDeploymentType.SCRATCH_2, storageCapacityGiB: 2400 });
    Template.fromStack(stack).hasResourceProperties('AWS::FSx::FileSystem', {
      LustreConfiguration: { DeploymentType: 'SCRATCH_2', PerUnitStorageThroughput: Match.absent(), AutomaticBackupRetentionDays: Match.absent() },
    });
  });

  test('a legacy import path on PERSISTENT_1 without associations', () => {
    const { stack } = lustre({
      deploymentType: fsx.LustreDeploymentType.PERSISTENT_1, importPath: 's3://legacy/data', exportPath: 's3://legacy/export',
      autoImportPolicy: fsx.LustreAutoImportPolicy.NEW_CHANGED,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::FSx::FileSystem', {
      LustreConfiguration: { ImportPath: 's3://legacy/data', ExportPath: 's3://legacy/export', AutoImportPolicy: 'NEW_CHANGED' },
    });
  });
});

describe('LustreDatasetFileSystem validation: every rule fails synthesis with what to change', () => {
  const P1 = fsx.LustreDeploymentType.PERSISTENT_1;
  const S1 = fsx.LustreDeploymentType.SCRATCH_1;
  const S2 = fsx.LustreDeploymentType.SCRATCH_2;
  const HDD = fsx.StorageType.HDD;
  test.each<[string, LustreDatasetFileSystemOptions, RegExp]>([
    // Capacity per deployment type.
    ['P2 capacity not 1200/2400/x2400', { storageCapacityGiB: 3600 }, /storageCapacityGiB 3600 is not valid for PERSISTENT_2 SSD: use 1200, 2400 or a multiple of 2400 \(next valid: 4800\)/],
    ['P2 capacity below the minimum', { storageCapacityGiB: 600 }, /storageCapacityGiB 600 is not valid for PERSISTENT_2 SSD: .* \(next valid: 1200\)/],
    ['capacity not whole', { storageCapacityGiB: 1200.5 }, /storageCapacityGiB must be a positive whole number of GiB \(got 1200.5\)/],
    ['SCRATCH_1 capacity', { deploymentType: S1, storageCapacityGiB: 4800 }, /not valid for SCRATCH_1: use 1200, 2400 or a multiple of 3600 \(next valid: 7200\)/],
    ['SCRATCH_2 capacity', { deploymentType: S2, storageCapacityGiB: 3600 }, /not valid for SCRATCH_2 SSD: use 1200, 2400 or a multiple of 2400/],
    ['P1 SSD capacity', { deploymentType: P1, storageCapacityGiB: 1800 }, /not valid for PERSISTENT_1 SSD/],
    ['P1 HDD 12 capacity', { deploymentType: P1, storageType: HDD, storageCapacityGiB: 1800 }, /not valid for PERSISTENT_1 HDD at 12 MB\/s\/TiB: use a multiple of 6000 \(next valid: 6000\)/],
    ['P1 HDD 40 capacity', { deploymentType: P1, storageType: HDD, perUnitStorageThroughput: 40, storageCapacityGiB: 2000 }, /at 40 MB\/s\/TiB: use a multiple of 1800 \(next valid: 3600\)/],
    // Throughput per type.
    ['P2 throughput', { perUnitStorageThroughput: 200 }, /perUnitStorageThroughput is 200; it must be one of 125, 250, 500, 1000. PERSISTENT_2 SSD file systems take only these/],
    ['P1 SSD throughput', { deploymentType: P1, perUnitStorageThroughput: 125 }, /perUnitStorageThroughput is 125; it must be one of 50, 100, 200. PERSISTENT_1 SSD/],
    ['P1 HDD throughput', { deploymentType: P1, storageType: HDD, storageCapacityGiB: 6000, perUnitStorageThroughput: 50 }, /perUnitStorageThroughput is 50; it must be one of 12, 40. PERSISTENT_1 HDD/],
    ['scratch throughput', { deploymentType: S2, perUnitStorageThroughput: 125 }, /perUnitStorageThroughput applies to PERSISTENT_1 and PERSISTENT_2 only \(got 125 with SCRATCH_2\)/],
    // Storage type.
    ['Intelligent-Tiering', { storageType: fsx.StorageType.INTELLIGENT_TIERING }, /INTELLIGENT_TIERING is not supported: FSx cannot link Intelligent-Tiering file systems to S3/],
    ['HDD without PERSISTENT_1', { storageType: HDD }, /storageType HDD needs deploymentType PERSISTENT_1 \(got PERSISTENT_2\)/],
    ['drive cache on SSD', { driveCacheType: fsx.DriveCacheType.READ }, /driveCacheType applies to PERSISTENT_1 HDD file systems only/],
    // Versions and metadata.
    ['2.10 on PERSISTENT_2', { fileSystemTypeVersion: fsx.FileSystemTypeVersion.V_2_10 }, /Lustre 2.10 does not run on PERSISTENT_2/],
    ['metadata with 2.12', { fileSystemTypeVersion: fsx.FileSystemTypeVersion.V_2_12 }, /a metadata configuration needs Lustre 2.15 \(got 2.12\)/],
    ['metadata on PERSISTENT_1', { deploymentType: P1, metadataConfiguration: LustreMetadataConfiguration.automatic() }, /metadataConfiguration applies to PERSISTENT_2 only \(got PERSISTENT_1\)/],
    ['metadata IOPS 2000', { metadataConfiguration: LustreMetadataConfiguration.userProvisioned(2000) }, /metadata IOPS 2000 is not valid: use 1500, 3000, 6000, 12000 or a multiple of 12000 up to 192000/],
    ['metadata IOPS 18000', { metadataConfiguration: LustreMetadataConfiguration.userProvisioned(18000) }, /metadata IOPS 18000 is not valid/],
    ['metadata IOPS over 192000', { metadataConfiguration: LustreMetadataConfiguration.userProvisioned(204000) }, /metadata IOPS 204000 is not valid/],
    ['EFA without PERSISTENT_2', { deploymentType: P1, efaEnabled: true }, /efaEnabled needs PERSISTENT_2 SSD, Lustre 2.15 and a metadata configuration/],
    // Backups.
    ['backups over 90 days', { automaticBackupRetention: Duration.days(91) }, /automaticBackupRetention is 91 days; it must be 0 to 90 whole days. FSx keeps automatic backups for up to 90 days/],
    ['backups on scratch', { deploymentType: S2, automaticBackupRetention: Duration.days(7) }, /SCRATCH_2 file systems have no automatic backups/],
    ['backup window without backups', { dailyAutomaticBackupStartTime: new fsx.DailyAutomaticBackupStartTime({ hour: 1, minute: 0 }) }, /dailyAutomaticBackupStartTime needs automaticBackupRetention of at least 1 day/],
    // Legacy S3 link.
    ['legacy export without import', { deploymentType: P1, exportPath: 's3://b/x' }, /exportPath, autoImportPolicy and importedFileChunkSizeMiB need importPath/],
    ['legacy import on PERSISTENT_2', { importPath: 's3://b/x' }, /not supported on PERSISTENT_2. Link S3 with a data repository association instead/],
    ['legacy import with associations', { deploymentType: P1, importPath: 's3://b/x', dataRepositoryAssociations: [{ fileSystemPath: '/d', bucket: s3.Bucket.fromBucketName(new Stack(), 'B', 'legacy-bucket') }] },
      /importPath\/exportPath\/autoImportPolicy cannot be combined with data repository associations/],
    ['legacy import path shape', { deploymentType: P1, importPath: 'bucket/x' }, /importPath "bucket\/x" must look like s3:\/\/bucket\/optional-prefix/],
    ['legacy export in another bucket', { deploymentType: P1, importPath: 's3://a/x', exportPath: 's3://b/y' }, /must be in the same bucket as importPath \(s3:\/\/a\/…\)/],
    ['legacy chunk size', { deploymentType: P1, importPath: 's3://a/x', importedFileChunkSizeMiB: 600000 }, /importedFileChunkSizeMiB is 600000; it must be a whole number from 1 to 512000/],
    // Placement and paths.
    ['subnet outside the network', { subnet: ec2.Subnet.fromSubnetAttributes(new Stack(), 'S', { subnetId: 'subnet-elsewhere', availabilityZone: 'us-east-1a' }) },
      /subnet subnet-elsewhere is not a training subnet of the network. Pick one of/],
    ['relative dataset directory', { datasetDirectory: 'datasets' }, /datasetDirectory "datasets" must be absolute/],
    ['unnormalized dataset directory', { datasetDirectory: '/datasets/' }, /datasetDirectory "\/datasets\/" is not normalized; use "\/datasets"/],
    // Logging.
    ['a log group outside /aws/fsx', { logGroup: logs.LogGroup.fromLogGroupName(new Stack(), 'G', '/team/logs'), logLevel: LustreLogLevel.WARN_ERROR },
      /FSx writes only to log groups whose name starts with \/aws\/fsx/],
    ['log options with logging off', { logLevel: LustreLogLevel.DISABLED, logRetention: logs.RetentionDays.ONE_MONTH }, /logGroup, logRetention and logEncryptionKey need logging/],
  ])('%s', (_name, options, message) => {
    expect(() => lustre(options)).toThrow(message);
  });

  test('messages name the construct', () => {
    expect(() => lustre({ storageCapacityGiB: 100 })).toThrow(/^LustreDatasetFileSystem Test\/Datasets: /);
  });

  test.each([
    ['fileSystemId', { fileSystemId: 'fs-XYZ' }, /fileSystemId is "fs-XYZ"; it is not an FSx file-system id .*Copy FileSystemId from DescribeFileSystems/],
    ['mountName', { mountName: '/abcd' }, /mountName is "\/abcd"; it is not a Lustre mount name .* Copy LustreMountName from DescribeFileSystems/],
    ['securityGroupId', { securityGroupId: 'group-1' }, /securityGroupId is "group-1"; it is not a security group id/],
    ['datasetDirectory', { datasetDirectory: 'datasets' }, /datasetDirectory "datasets" must be absolute/],
  ])('imported file systems validate %s', (_name, override, message) => {
    const stack = new Stack(new App(), 'Imports', { env: { region: 'us-east-1' } });
    const attrs = { fileSystemId: 'fs-0123abcd', mountName: 'abcd1234', securityGroupId: 'sg-12345678', subnetId: 'subnet-0e00891ec135cb1e5', availabilityZone: 'us-east-1a' };
    let thrown: unknown;
    try {
      LustreDatasetFileSystem.fromLustreDatasetFileSystemAttributes(stack, 'A', { ...attrs, ...override });
    } catch (error) {
      thrown = error;
    }
    expect(Errors.isValidationError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(message);
  });

  test('imported attributes that are tokens (SSM parameters) pass validation', () => {
    const stack = new Stack(new App(), 'Tokens', { env: { region: 'us-east-1' } });
    const p = (name: string) => new CfnParameter(stack, name, { type: 'String' }).valueAsString;
    const imported = LustreDatasetFileSystem.fromLustreDatasetFileSystemAttributes(stack, 'Imported', {
      fileSystemId: p('Id'), mountName: p('Mount'), securityGroupId: p('Sg'), subnetId: p('Subnet'), availabilityZone: p('Az'), dnsName: p('Dns'),
    });
    expect(stack.resolve(imported.fileSystemId)).toEqual({ Ref: 'Id' });
    expect(stack.resolve(imported.dnsName)).toEqual({ Ref: 'Dns' });
    expect(stack.resolve(imported.securityGroup.securityGroupId)).toEqual({ Ref: 'Sg' });
    expect(stack.resolve(imported.subnet.subnetId)).toEqual({ Ref: 'Subnet' });
    expect(stack.resolve(imported.availabilityZone)).toEqual({ Ref: 'Az' });
    expect(stack.resolve(imported.trainingSubnets.subnets!.map((s) => s.subnetId))).toEqual([{ Ref: 'Subnet' }]);
  });

  test('an imported file system opens the same Lustre ports on its security group, and jobs get the training subnets of its AZ', () => {
    const { stack, network } = networkStack('us-east-1');
    const sg = new ec2.SecurityGroup(stack, 'ImportedSg', { vpc: network.vpc, allowAllOutbound: false });
    const subnet = network.trainingSubnetList()[1];
    const imported = LustreDatasetFileSystem.fromLustreDatasetFileSystemAttributes(stack, 'Imported', {
      fileSystemId: 'fs-0123abcd', mountName: 'abcd1234', network,
      securityGroupId: sg.securityGroupId, subnetId: subnet.subnetId, availabilityZone: subnet.availabilityZone,
      dataRepositoryPath: 's3://datasets-bucket/datasets/',
    });
    imported.allowClient(network);
    expect(imported.trainingSubnets.subnets!.map((s) => s.subnetId)).toEqual([subnet.subnetId]);
    expect(imported.availabilityZone).toBe(subnet.availabilityZone);
    const ports = rulesOf(Template.fromStack(stack), 'ImportedSg').map((r) => [r.from, r.to]);
    expect(new Set(ports.map((p) => p.join('-')))).toEqual(new Set(['988-988', '1018-1023']));
  });
});

describe('LustreDatasetFileSystem region rules (capability table)', () => {
  test('a token region is an error that asks for an explicit region', () => {
    expect(() => lustre({}, null)).toThrow(/the stack has no concrete region .* Set env: \{ region: 'us-east-1' \}/);
  });

  test.each(['cn-north-1', 'cn-northwest-1'])('%s: SageMaker cannot read FSx channels, so it fails and names the way out', (region) => {
    expect(() => lustre({}, region)).toThrow(new RegExp(`SageMaker training jobs cannot read FSx for Lustre channels in ${region} .*Use EfsDatasetFileSystem, or DatasetFileSystems.forRegion\\(\\)`));
  });

  test('ap-southeast-6 has no FSx in CloudFormation', () => {
    expect(() => lustre({}, 'ap-southeast-6')).toThrow(/CloudFormation cannot create FSx for Lustre file systems in ap-southeast-6/);
  });

  test.each([fsx.LustreDeploymentType.SCRATCH_1, fsx.LustreDeploymentType.SCRATCH_2])('%s is not available in China (with the SageMaker override)', (deploymentType) => {
    expect(() => lustre({ deploymentType, assumeSageMakerFsxChannelSupported: true }, 'cn-north-1'))
      .toThrow(new RegExp(`${deploymentType} is not available in cn-north-1 .*Use deploymentType: PERSISTENT_2`));
  });

  test('cn-north-1 with the override: PERSISTENT_2 with metadata, a warning that the override is unverified', () => {
    const { stack } = lustre({ assumeSageMakerFsxChannelSupported: true }, 'cn-north-1');
    Template.fromStack(stack).hasResourceProperties('AWS::FSx::FileSystem', { LustreConfiguration: { MetadataConfiguration: { Mode: 'AUTOMATIC' }, LogConfiguration: Match.absent() } });
    expect(warnings(stack)).toEqual(expect.arrayContaining([expect.stringMatching(/assumeSageMakerFsxChannelSupported is set for cn-north-1, but .*Test a training job/)]));
  });

  test.each(['cn-northwest-1', 'us-gov-west-1', 'us-gov-east-1'])('%s: never emits MetadataConfiguration, EfaEnabled or LogConfiguration (older schema)', (region) => {
    const { stack } = lustre({ assumeSageMakerFsxChannelSupported: true }, region);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::FSx::FileSystem', {
      FileSystemTypeVersion: '2.15',
      LustreConfiguration: { MetadataConfiguration: Match.absent(), EfaEnabled: Match.absent(), LogConfiguration: Match.absent() },
    });
    expect(infos(stack)).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`MetadataConfiguration is not emitted in ${region}`))]));
  });

  test.each<[string, LustreDatasetFileSystemOptions, RegExp]>([
    ['explicit metadata', { metadataConfiguration: LustreMetadataConfiguration.automatic() }, /metadataConfiguration cannot be emitted in us-gov-west-1: the region's AWS::FSx::FileSystem schema has no MetadataConfiguration/],
    ['EFA', { efaEnabled: true }, /efaEnabled cannot be emitted in us-gov-west-1: the region's AWS::FSx::FileSystem schema has no EfaEnabled/],
    ['logging', { logLevel: LustreLogLevel.WARN_ERROR }, /logLevel cannot be emitted in us-gov-west-1: the region's AWS::FSx::FileSystem schema has no LogConfiguration/],
  ])('us-gov-west-1 rejects %s', (_name, options, message) => {
    expect(() => lustre({ assumeSageMakerFsxChannelSupported: true, ...options }, 'us-gov-west-1')).toThrow(message);
  });

  test('us-gov-west-1 without the override warns that SageMaker FSx channels are unverified there', () => {
    const { stack } = lustre({}, 'us-gov-west-1');
    expect(warnings(stack)).toEqual(expect.arrayContaining([expect.stringMatching(/Whether SageMaker reads FSx for Lustre channels in us-gov-west-1 is unverified/)]));
  });

  test('eu-west-1: LogConfiguration is only emitted on request, with a warning (not verified for the region)', () => {
    const quiet = lustre({}, 'eu-west-1');
    Template.fromStack(quiet.stack).hasResourceProperties('AWS::FSx::FileSystem', { LustreConfiguration: { LogConfiguration: Match.absent(), MetadataConfiguration: { Mode: 'AUTOMATIC' } } });
    const requested = lustre({ logLevel: LustreLogLevel.WARN_ERROR }, 'eu-west-1');
    Template.fromStack(requested.stack).hasResourceProperties('AWS::FSx::FileSystem', { LustreConfiguration: { LogConfiguration: { Level: 'WARN_ERROR' } } });
    expect(warnings(requested.stack)).toEqual(expect.arrayContaining([expect.stringMatching(/LogConfiguration is emitted as requested, but whether eu-west-1's CloudFormation schema has it is unverified/)]));
  });
});

describe('LustreDataRepositoryAssociation', () => {
  function withBucket(options: LustreDatasetFileSystemOptions = {}, region = 'us-east-1') {
    const made = lustre(options, region);
    const bucket = new s3.Bucket(made.stack, 'Bucket');
    return { ...made, bucket };
  }

  test('links the bucket prefix to the directory with auto-import NEW/CHANGED/DELETED and a metadata import on create', () => {
    const { stack, fs, bucket } = withBucket();
    const association = fs.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket, bucketPrefix: 'datasets' });
    Template.fromStack(stack).hasResource('AWS::FSx::DataRepositoryAssociation', {
      Properties: {
        FileSystemId: { Ref: stack.getLogicalId(fs.fileSystem) },
        FileSystemPath: '/datasets',
        DataRepositoryPath: { 'Fn::Join': ['', ['s3://', { Ref: stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket) }, '/datasets/']] },
        BatchImportMetaDataOnCreate: true,
        S3: { AutoImportPolicy: { Events: ['NEW', 'CHANGED', 'DELETED'] }, AutoExportPolicy: Match.absent() },
        ImportedFileChunkSize: Match.absent(),
      },
      DeletionPolicy: 'Retain',
    });
    expect(association.bucketPrefix).toBe('datasets/');
    expect(stack.resolve(association.associationId)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(association.resource), 'AssociationId'] });
  });

  test('configurable events and chunk size; associations are created one after another', () => {
    const { stack, fs, bucket } = withBucket();
    const first = fs.addDataRepositoryAssociation('A', { fileSystemPath: '/a', bucket, bucketPrefix: 'a/' });
    const second = fs.addDataRepositoryAssociation('B', {
      fileSystemPath: '/b', bucket, bucketPrefix: 'b/', autoImportEvents: [DataRepositoryEvent.NEW], autoExportEvents: [DataRepositoryEvent.NEW, DataRepositoryEvent.CHANGED],
      batchImportMetaDataOnCreate: false, importedFileChunkSizeMiB: 2048,
    });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::FSx::DataRepositoryAssociation', {
      Properties: { FileSystemPath: '/b', BatchImportMetaDataOnCreate: false, ImportedFileChunkSize: 2048, S3: { AutoImportPolicy: { Events: ['NEW'] }, AutoExportPolicy: { Events: ['NEW', 'CHANGED'] } } },
      DependsOn: [stack.getLogicalId(first.resource)],
    });
    expect(fs.dataRepositoryAssociations).toEqual([first, second]);
  });

  test('no import and no export: no S3 block', () => {
    const { stack, fs, bucket } = withBucket();
    fs.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket, autoImportEvents: [] });
    Template.fromStack(stack).hasResourceProperties('AWS::FSx::DataRepositoryAssociation', { S3: Match.absent(), DataRepositoryPath: Match.objectLike({}) });
  });

  type Case = [string, (ctx: ReturnType<typeof withBucket>) => unknown, RegExp];
  test.each<Case>([
    ['a relative file-system path', ({ fs, bucket }) => fs.addDataRepositoryAssociation('X', { fileSystemPath: 'datasets', bucket }), /fileSystemPath is "datasets"; it must start with \/\. Use e\.g\. \/datasets/],
    ['an unnormalized file-system path', ({ fs, bucket }) => fs.addDataRepositoryAssociation('X', { fileSystemPath: '/a//b', bucket }), /empty segment/],
    ['a file-system path over 4096', ({ fs, bucket }) => fs.addDataRepositoryAssociation('X', { fileSystemPath: `/${'a'.repeat(4096)}`, bucket }), /fileSystemPath is 4097 characters long; it must be at most 4096 characters/],
    ['overlapping file-system paths', ({ fs, bucket }) => {
      fs.addDataRepositoryAssociation('A', { fileSystemPath: '/ns1', bucket, bucketPrefix: 'a/' });
      fs.addDataRepositoryAssociation('B', { fileSystemPath: '/ns1/ns2', bucket, bucketPrefix: 'b/' });
    }, /fileSystemPath \/ns1\/ns2 overlaps \/ns1 of association A; associations of one file system need disjoint directories/],
    ['/ next to another association', ({ fs, bucket }) => {
      fs.addDataRepositoryAssociation('A', { fileSystemPath: '/ns1', bucket, bucketPrefix: 'a/' });
      fs.addDataRepositoryAssociation('Root', { fileSystemPath: '/', bucket, bucketPrefix: 'b/' });
    }, /'\/' links the whole file system and must be its only data repository association/],
    ['overlapping prefixes in one bucket', ({ fs, bucket }) => {
      fs.addDataRepositoryAssociation('A', { fileSystemPath: '/a', bucket, bucketPrefix: 'data/' });
      fs.addDataRepositoryAssociation('B', { fileSystemPath: '/b', bucket, bucketPrefix: 'data/images/' });
    }, /bucket prefix 'data\/images\/' overlaps prefix 'data\/' of association A in the same bucket/],
    ['a whole bucket next to a prefix of it', ({ fs, bucket }) => {
      fs.addDataRepositoryAssociation('A', { fileSystemPath: '/a', bucket, bucketPrefix: 'data/' });
      fs.addDataRepositoryAssociation('B', { fileSystemPath: '/b', bucket });
    }, /bucket prefix '' overlaps prefix 'data\/'/],
    ['more than 8', ({ fs, bucket }) => {
      for (let i = 0; i < 9; i++) fs.addDataRepositoryAssociation(`A${i}`, { fileSystemPath: `/d${i}`, bucket, bucketPrefix: `d${i}/` });
    }, /association 'A8': a file system takes at most 8 data repository associations/],
    ['a prefix with a leading slash', ({ fs, bucket }) => fs.addDataRepositoryAssociation('X', { fileSystemPath: '/d', bucket, bucketPrefix: '/datasets/' }), /bucketPrefix is "\/datasets\/"; it must not start with \//],
    ['a prefix with ..', ({ fs, bucket }) => fs.addDataRepositoryAssociation('X', { fileSystemPath: '/d', bucket, bucketPrefix: 'a/../b/' }), /must not contain '.', '..' or empty segments/],
    ['an event twice', ({ fs, bucket }) => fs.addDataRepositoryAssociation('X', { fileSystemPath: '/d', bucket, autoImportEvents: [DataRepositoryEvent.NEW, DataRepositoryEvent.NEW] }),
      /autoImportEvents lists an event more than once \(NEW, NEW\)/],
    ['a chunk size over 512000', ({ fs, bucket }) => fs.addDataRepositoryAssociation('X', { fileSystemPath: '/d', bucket, importedFileChunkSizeMiB: 512001 }), /importedFileChunkSizeMiB is 512001; it must be a whole number from 1 to 512000/],
    ['auto-import from a bucket in another region', ({ fs, stack }) => fs.addDataRepositoryAssociation('X', {
      fileSystemPath: '/d', bucket: s3.Bucket.fromBucketAttributes(stack, 'Far', { bucketName: 'far-bucket', region: 'eu-west-1' }),
    }), /automatic import needs the bucket in the file system's region \(us-east-1\), but the bucket is in eu-west-1/],
  ])('rejects %s', (_name, act, message) => {
    const ctx = withBucket();
    expect(() => act(ctx)).toThrow(message);
  });

  test('auto-export only works across regions', () => {
    const { fs, stack } = withBucket();
    expect(() => fs.addDataRepositoryAssociation('X', {
      fileSystemPath: '/d', autoImportEvents: [], autoExportEvents: [DataRepositoryEvent.NEW],
      bucket: s3.Bucket.fromBucketAttributes(stack, 'Far', { bucketName: 'far-bucket', region: 'eu-west-1' }),
    })).not.toThrow();
  });

  test.each<[string, LustreDatasetFileSystemOptions, RegExp]>([
    ['SCRATCH_1', { deploymentType: fsx.LustreDeploymentType.SCRATCH_1 }, /SCRATCH_1 file systems do not support data repository associations/],
    ['Lustre 2.10', { deploymentType: fsx.LustreDeploymentType.PERSISTENT_1, fileSystemTypeVersion: fsx.FileSystemTypeVersion.V_2_10 }, /data repository associations need Lustre 2.12 or 2.15 \(got 2.10\)/],
    ['automatic backups', { automaticBackupRetention: Duration.days(7) }, /FSx cannot link a file system with automatic backups \(automaticBackupRetention 7 days\) to S3. Set automaticBackupRetention to Duration.days\(0\)/],
    ['a legacy import path', { deploymentType: fsx.LustreDeploymentType.PERSISTENT_1, importPath: 's3://legacy/x' }, /legacy importPath\/exportPath\/autoImportPolicy link, which FSx does not combine with data repository associations/],
  ])('a file system with %s takes no association', (_name, options, message) => {
    const { fs, bucket } = withBucket(options);
    expect(() => fs.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket })).toThrow(message);
  });

  test('associations given as props are created like added ones', () => {
    const { stack, network } = networkStack('us-east-1');
    const bucket = new s3.Bucket(stack, 'Bucket');
    const fs = new LustreDatasetFileSystem(stack, 'Datasets', { network, dataRepositoryAssociations: [{ fileSystemPath: '/datasets', bucket, bucketPrefix: 'datasets/' }] });
    expect(fs.dataRepositoryAssociations.map((a) => a.node.id)).toEqual(['DataRepositoryAssociation1']);
    Template.fromStack(stack).resourceCountIs('AWS::FSx::DataRepositoryAssociation', 1);
  });
});
