import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  DataRepositoryEvent, DatasetFileSystemType, HyperPodCluster, HyperPodClusterOptions, HyperPodDeepHealthCheck, HyperPodNodeRecovery,
  LustreDatasetFileSystem, TrainingEndpoint, TrainingNetwork, TrainingSubnetMode,
} from '../../lib';
import { rulesOf } from '../filesystems/support';
import { clusterStack } from './support';

const logicalIdOf = (stack: Stack, construct: { node: { defaultChild?: unknown } } | unknown) =>
  stack.getLogicalId((construct as { node: { defaultChild: never } }).node.defaultChild);

function clusterProperties(template: Template): Record<string, unknown> {
  const clusters = Object.values(template.findResources('AWS::SageMaker::Cluster'));
  expect(clusters).toHaveLength(1);
  return (clusters[0] as { Properties: Record<string, unknown> }).Properties;
}

function groups(template: Template): Array<Record<string, unknown>> {
  return clusterProperties(template).InstanceGroups as Array<Record<string, unknown>>;
}

describe('HyperPodCluster defaults (FSx for Lustre, us-east-1)', () => {
  const { stack, cluster, fileSystem, template } = clusterStack();

  test('one controller (ml.m5.xlarge) and one EFA worker group (ml.g5.8xlarge), Slurm node types and partition from the API', () => {
    expect(groups(template()).map((g) => [g.InstanceGroupName, g.InstanceType, g.InstanceCount, g.SlurmConfig])).toEqual([
      ['controller', 'ml.m5.xlarge', 1, { NodeType: 'Controller' }],
      ['workers-1', 'ml.g5.8xlarge', 1, { NodeType: 'Compute', PartitionNames: ['workers-1'] }],
    ]);
    expect(cluster.instanceGroupNames).toEqual(['controller', 'workers-1']);
    for (const group of groups(template())) {
      expect(group).not.toHaveProperty('ThreadsPerCore');
      expect(group).not.toHaveProperty('InstanceStorageConfigs');
      expect(group).not.toHaveProperty('OnStartDeepHealthChecks');
    }
  });

  test('Slurm orchestration with API-managed configuration and automatic node recovery', () => {
    const props = clusterProperties(template());
    expect(props.Orchestrator).toEqual({ Slurm: { SlurmConfigStrategy: 'Managed' } });
    expect(props.NodeRecovery).toBe('Automatic');
    expect(props.ClusterName).toBe(cluster.clusterName);
    expect(cluster.clusterName).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
  });

  test('placed in the training subnet of the file system\'s Availability Zone, behind its own security group', () => {
    const fsx = Object.values(template().findResources('AWS::FSx::FileSystem'))[0] as { Properties: { SubnetIds: unknown[] } };
    const props = clusterProperties(template());
    expect(props.VpcConfig).toEqual({
      SecurityGroupIds: [{ 'Fn::GetAtt': [stack.getLogicalId(cluster.securityGroup.node.defaultChild as never), 'GroupId'] }],
      Subnets: fsx.Properties.SubnetIds,
    });
    expect(cluster.subnet.availabilityZone).toBe((fileSystem as LustreDatasetFileSystem).availabilityZone);
  });

  test('every group runs on_create.sh from the lifecycle-script prefix in the lifecycle bucket, with the execution role', () => {
    const bucketId = stack.getLogicalId(cluster.lifecycleScriptsBucket.node.defaultChild as never);
    for (const group of groups(template())) {
      expect(group.LifeCycleConfig).toEqual({
        OnCreate: 'on_create.sh',
        SourceS3Uri: { 'Fn::Join': ['', ['s3://', { Ref: bucketId }, `/hyperpod/${cluster.clusterName}/`]] },
      });
      expect(group.ExecutionRole).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(cluster.executionRole.node.defaultChild as never), 'Arn'] });
    }
  });

  test('the scripts and the generated cluster.env are deployed with prune, before the cluster', () => {
    template().hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: stack.getLogicalId(cluster.lifecycleScriptsBucket.node.defaultChild as never) },
      DestinationBucketKeyPrefix: `hyperpod/${cluster.clusterName}/`,
      Prune: true,
      SourceObjectKeys: Match.arrayWith([Match.stringLikeRegexp('\\.zip$'), Match.stringLikeRegexp('\\.zip$')]),
    });
    const clusterResource = Object.values(template().findResources('AWS::SageMaker::Cluster'))[0] as { DependsOn: string[] };
    const deploymentId = Object.keys(template().findResources('Custom::CDKBucketDeployment'))[0];
    expect(clusterResource.DependsOn).toEqual(expect.arrayContaining([deploymentId, stack.getLogicalId(cluster.executionRole.node.defaultChild as never)]));
    expect(clusterResource.DependsOn.some((id) => /ExecutionRoleDefaultPolicy/.test(id))).toBe(true);
  });

  test('cluster.env mounts the Lustre file system from its DNS and mount names at /fsx, 5 attempts 15 s apart, no results', () => {
    const settings = stack.resolve(cluster.lifecycleScripts.settings);
    const lustre = fileSystem as LustreDatasetFileSystem;
    expect(settings).toEqual({
      fileSystemType: DatasetFileSystemType.FSX_LUSTRE,
      dnsName: stack.resolve(lustre.dnsName),
      lustreMountName: { 'Fn::GetAtt': [stack.getLogicalId(lustre.fileSystem), 'LustreMountName'] },
      datasetMountPath: '/fsx',
      mountAttempts: 5,
      mountRetryDelaySeconds: 15,
    });
    expect(cluster.datasetMountPath).toBe('/fsx');
    expect(cluster.resultsMountPath).toBeUndefined();
    template().resourceCountIs('AWS::FSx::DataRepositoryAssociation', 0);
  });

  test('security group: all traffic from and to itself (ingress and egress), Lustre ports with the file system, nothing from a CIDR', () => {
    const rules = rulesOf(template(), 'ClusterSecurityGroup');
    expect(rules).toEqual(expect.arrayContaining([
      { direction: 'ingress', group: 'ClusterSecurityGroup', peer: 'ClusterSecurityGroup', protocol: '-1', from: undefined, to: undefined },
      { direction: 'egress', group: 'ClusterSecurityGroup', peer: 'ClusterSecurityGroup', protocol: '-1', from: undefined, to: undefined },
      { direction: 'ingress', group: 'DatasetsSecurityGroup', peer: 'ClusterSecurityGroup', protocol: 'tcp', from: 988, to: 988 },
      { direction: 'ingress', group: 'DatasetsSecurityGroup', peer: 'ClusterSecurityGroup', protocol: 'tcp', from: 1018, to: 1023 },
      { direction: 'ingress', group: 'ClusterSecurityGroup', peer: 'DatasetsSecurityGroup', protocol: 'tcp', from: 988, to: 988 },
      { direction: 'ingress', group: 'ClusterSecurityGroup', peer: 'DatasetsSecurityGroup', protocol: 'tcp', from: 1018, to: 1023 },
    ]));
    expect(rules.filter((rule) => rule.direction === 'ingress' && rule.peer.startsWith('CIDR'))).toEqual([]);
    expect(rules.filter((rule) => rule.group === 'ClusterSecurityGroup' && rule.direction === 'ingress').map((rule) => rule.peer).sort())
      .toEqual(['ClusterSecurityGroup', 'DatasetsSecurityGroup', 'DatasetsSecurityGroup']);
  });

  test('interface endpoints for Session Manager and CloudWatch metrics in the cluster subnet, HTTPS from the cluster only', () => {
    expect(cluster.interfaceEndpoints).toHaveLength(2);
    for (const service of ['ssmmessages', 'monitoring']) {
      template().hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.us-east-1.${service}`,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        SubnetIds: [{ Ref: Match.stringLikeRegexp('TrainingSubnet1') }],
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ClusterEndpointSecurityGroup'), 'GroupId'] }],
      });
    }
    expect(rulesOf(template(), 'ClusterEndpointSecurityGroup').filter((rule) => rule.group === 'ClusterEndpointSecurityGroup' && rule.direction === 'ingress'))
      .toEqual([{ direction: 'ingress', group: 'ClusterEndpointSecurityGroup', peer: 'ClusterSecurityGroup', protocol: 'tcp', from: 443, to: 443 }]);
  });

  test.each([
    ['ssmmessages', 'SessionManagerChannels', ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel']],
    ['monitoring', 'ClusterMetrics', 'cloudwatch:PutMetricData'],
  ])('the %s endpoint\'s policy allows only what the execution role does there, for principals of this account', (service, sid, actions) => {
    template().hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: `com.amazonaws.us-east-1.${service}`,
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: '*' }, Action: actions, Resource: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } } }] },
    });
    const role = Object.values(template().findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('ClusterExecutionRole') }] } }))
      .flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: Array<{ Sid?: string; Action: unknown }> } } }).Properties.PolicyDocument.Statement);
    expect(role.find((statement) => statement.Sid === sid)?.Action).toEqual(actions);
  });

  test('the network\'s interface endpoints admit the cluster on 443', () => {
    expect(rulesOf(template(), 'NetworkEndpointSecurityGroup')).toEqual(expect.arrayContaining([
      { direction: 'ingress', group: 'NetworkEndpointSecurityGroup', peer: 'ClusterSecurityGroup', protocol: 'tcp', from: 443, to: 443 },
    ]));
  });

  test('the execution role trusts SageMaker only and has no managed policies', () => {
    template().hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] },
      Description: Match.stringLikeRegexp('HyperPod cluster'),
      ManagedPolicyArns: Match.absent(),
    });
  });

  test('a new lifecycle bucket: SSE, versioned, public access blocked, TLS only', () => {
    const bucketId = stack.getLogicalId(cluster.lifecycleScriptsBucket.node.defaultChild as never);
    const bucket = template().toJSON().Resources[bucketId];
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.DeletionPolicy).toBe('Retain');
  });
});

describe('HyperPodCluster prop paths', () => {
  test('controller, login and workers: names, types, counts, threads per core, EBS volumes, partitions, deep health checks', () => {
    const { template } = clusterStack({
      props: {
        controller: { instanceType: 'ml.c5.xlarge', name: 'head', threadsPerCore: 2, ebsVolumeSizeGiB: 100 },
        login: { instanceType: 'ml.m5.large', instanceCount: 2 },
        workers: [
          { instanceType: 'ml.p5.48xlarge', instanceCount: 4, name: 'h100', partitionName: 'train', efa: true, threadsPerCore: 1, ebsVolumeSizeGiB: 500,
            deepHealthChecks: [HyperPodDeepHealthCheck.INSTANCE_STRESS, HyperPodDeepHealthCheck.INSTANCE_CONNECTIVITY] },
          { instanceType: 'ml.c5.2xlarge' },
        ],
      },
    });
    expect(groups(template()).map(({ ExecutionRole: _role, LifeCycleConfig: _lifecycle, ...rest }) => rest)).toEqual([
      { InstanceGroupName: 'head', InstanceType: 'ml.c5.xlarge', InstanceCount: 1, ThreadsPerCore: 2,
        InstanceStorageConfigs: [{ EbsVolumeConfig: { VolumeSizeInGB: 100 } }], SlurmConfig: { NodeType: 'Controller' } },
      { InstanceGroupName: 'login', InstanceType: 'ml.m5.large', InstanceCount: 2, SlurmConfig: { NodeType: 'Login' } },
      { InstanceGroupName: 'h100', InstanceType: 'ml.p5.48xlarge', InstanceCount: 4, ThreadsPerCore: 1,
        InstanceStorageConfigs: [{ EbsVolumeConfig: { VolumeSizeInGB: 500 } }], OnStartDeepHealthChecks: ['InstanceStress', 'InstanceConnectivity'],
        SlurmConfig: { NodeType: 'Compute', PartitionNames: ['train'] } },
      { InstanceGroupName: 'workers-2', InstanceType: 'ml.c5.2xlarge', InstanceCount: 1, SlurmConfig: { NodeType: 'Compute', PartitionNames: ['workers-2'] } },
    ]);
  });

  test('ebsVolumeKey encrypts every root volume and the extra volumes, in continuous provisioning; the execution role may create grants for AWS resources', () => {
    const app = new App();
    const stack = new Stack(app, 'Keyed', { env: { region: 'us-east-1' } });
    const network = new TrainingNetwork(stack, 'Network');
    const fileSystem = new LustreDatasetFileSystem(stack, 'Datasets', { network });
    const key = new kms.Key(stack, 'VolumeKey', { enableKeyRotation: true });
    new HyperPodCluster(stack, 'Cluster', { network, fileSystem, ebsVolumeKey: key, workers: [{ instanceType: 'ml.g5.8xlarge', ebsVolumeSizeGiB: 200 }] });
    const template = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as never), 'Arn'] };
    const root = { EbsVolumeConfig: { RootVolume: true, VolumeKmsKeyId: keyArn } };
    expect(groups(template).map((group) => group.InstanceStorageConfigs)).toEqual([
      [root],
      [root, { EbsVolumeConfig: { VolumeSizeInGB: 200, VolumeKmsKeyId: keyArn } }],
    ]);
    expect(clusterProperties(template).NodeProvisioningMode).toBe('Continuous');
    const statements = (Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('ClusterExecutionRole') }] } }))[0] as {
      Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }> } } }).Properties.PolicyDocument.Statement;
    const onKey = statements.filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(keyArn));
    expect(onKey).toEqual([
      expect.objectContaining({ Action: 'kms:DescribeKey' }),
      expect.objectContaining({ Sid: 'VolumeKeyGrantsForNodes', Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } }),
    ]);
  });

  test('without a key: AWS owned keys, standard provisioning, no key permissions', () => {
    const { template } = clusterStack({});
    expect(clusterProperties(template()).NodeProvisioningMode).toBeUndefined();
    expect(JSON.stringify(groups(template()))).not.toMatch(/VolumeKmsKeyId|RootVolume/);
  });

  test('clusterName and nodeRecovery', () => {
    const { template } = clusterStack({ props: { clusterName: 'vision-team', nodeRecovery: HyperPodNodeRecovery.NONE } });
    expect(clusterProperties(template())).toMatchObject({ ClusterName: 'vision-team', NodeRecovery: 'None' });
    template().hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'ClusterLogGroups', Resource: { 'Fn::Join': ['', Match.arrayWith([':log-group:/aws/sagemaker/Clusters/vision-team/*'])] } })]) },
    });
  });

  test('datasetMountPath, mountAttempts and mountRetryDelay go into cluster.env', () => {
    const { stack, cluster } = clusterStack({ props: { datasetMountPath: '/data/fsx', mountAttempts: 9, mountRetryDelay: Duration.seconds(30) } });
    expect(stack.resolve(cluster.lifecycleScripts.settings)).toMatchObject({ datasetMountPath: '/data/fsx', mountAttempts: 9, mountRetryDelaySeconds: 30 });
  });

  test('results: a data repository association at /results exporting to results/ (no import), mounted read-write at /results; the cluster waits for it', () => {
    const { stack, cluster, bucket, template } = clusterStack({ results: true });
    template().hasResourceProperties('AWS::FSx::DataRepositoryAssociation', {
      FileSystemPath: '/results',
      DataRepositoryPath: { 'Fn::Join': ['', ['s3://', { Ref: stack.getLogicalId(bucket.node.defaultChild as never) }, '/results/']] },
      S3: { AutoExportPolicy: { Events: ['NEW', 'CHANGED', 'DELETED'] }, AutoImportPolicy: Match.absent() },
    });
    expect(stack.resolve(cluster.lifecycleScripts.settings)).toMatchObject({ resultsFileSystemPath: '/results', resultsMountPath: '/results' });
    expect(cluster.resultsMountPath).toBe('/results');
    const clusterResource = Object.values(template().findResources('AWS::SageMaker::Cluster'))[0] as { DependsOn: string[] };
    expect(clusterResource.DependsOn).toContain(stack.getLogicalId(cluster.resultsAssociation!.resource));
  });

  test('results options: prefix, paths, events and removal policy', () => {
    const built = clusterStack({ results: false });
    const bucket = new s3.Bucket(built.stack, 'Results', { enforceSSL: true });
    const fs = built.fileSystem;
    const { cluster } = { cluster: new HyperPodCluster(built.stack, 'Second', {
      network: built.network, fileSystem: fs, clusterName: 'second',
      results: { bucket, bucketPrefix: 'out/team', fileSystemPath: '/out', mountPath: '/scratch/out', autoExportEvents: [DataRepositoryEvent.NEW], autoImportEvents: [DataRepositoryEvent.NEW] },
      removalPolicy: RemovalPolicy.DESTROY, createInterfaceEndpoints: false,
    }) };
    const template = Template.fromStack(built.stack);
    const dra = template.toJSON().Resources[built.stack.getLogicalId(cluster.resultsAssociation!.resource)];
    expect(dra.Properties).toMatchObject({
      FileSystemPath: '/out',
      DataRepositoryPath: { 'Fn::Join': ['', ['s3://', { Ref: built.stack.getLogicalId(bucket.node.defaultChild as never) }, '/out/team/']] },
      S3: { AutoExportPolicy: { Events: ['NEW'] }, AutoImportPolicy: { Events: ['NEW'] } },
    });
    expect(dra.DeletionPolicy).toBe('Delete');
    expect(built.stack.resolve(cluster.lifecycleScripts.settings)).toMatchObject({ resultsFileSystemPath: '/out', resultsMountPath: '/scratch/out' });
  });

  test('lifecycleScriptsBucket: the scripts go to the given bucket and no bucket is created', () => {
    const built = clusterStack({ props: { clusterName: 'given' } });
    const given = new s3.Bucket(built.stack, 'Given', { enforceSSL: true });
    const second = new HyperPodCluster(built.stack, 'Second', {
      network: built.network, fileSystem: built.fileSystem, clusterName: 'second', lifecycleScriptsBucket: given, createInterfaceEndpoints: false,
    });
    expect(second.lifecycleScriptsBucket).toBe(given);
    expect(second.node.tryFindChild('LifecycleScriptsBucket')).toBeUndefined();
    expect(built.stack.resolve(second.lifecycleScripts.sourceS3Uri)).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: built.stack.getLogicalId(given.node.defaultChild as never) }, '/hyperpod/second/']] });
  });

  test('createInterfaceEndpoints: false creates none; a NAT-egress network gets none by default', () => {
    expect(clusterStack({ props: { createInterfaceEndpoints: false } }).cluster.interfaceEndpoints).toEqual([]);
    const built = clusterStack();
    const natNetwork = new TrainingNetwork(built.stack, 'NatNetwork', { subnetMode: TrainingSubnetMode.NAT_EGRESS });
    const natFs = new LustreDatasetFileSystem(built.stack, 'NatDatasets', { network: natNetwork });
    const natCluster = new HyperPodCluster(built.stack, 'NatCluster', { network: natNetwork, fileSystem: natFs });
    expect(natCluster.interfaceEndpoints).toEqual([]);
  });

  test('EFS: NFS settings from the file-system id, TCP 2049 from the cluster to the mount targets', () => {
    const { stack, cluster, fileSystem, template } = clusterStack({ fileSystem: 'efs' });
    expect(stack.resolve(cluster.lifecycleScripts.settings)).toEqual({
      fileSystemType: DatasetFileSystemType.EFS,
      dnsName: { 'Fn::Join': ['', [{ Ref: stack.getLogicalId((fileSystem as unknown as { fileSystem: { node: { defaultChild: never } } }).fileSystem.node.defaultChild) }, '.efs.us-east-1.', { Ref: 'AWS::URLSuffix' }]] },
      datasetMountPath: '/fsx',
      mountAttempts: 5,
      mountRetryDelaySeconds: 15,
    });
    expect(rulesOf(template(), 'ClusterSecurityGroup')).toEqual(expect.arrayContaining([
      { direction: 'ingress', group: 'DatasetsSecurityGroup', peer: 'ClusterSecurityGroup', protocol: 'tcp', from: 2049, to: 2049 },
    ]));
    template().resourceCountIs('AWS::FSx::DataRepositoryAssociation', 0);
  });

  test('sessionTarget names a node for aws ssm start-session', () => {
    const { stack, cluster } = clusterStack();
    expect(stack.resolve(cluster.sessionTarget('controller', 'i-0abc'))).toEqual({
      'Fn::Join': ['', ['sagemaker-cluster:', { 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::GetAtt': [logicalIdOf(stack, cluster), 'ClusterArn'] }] }] }, '_controller-i-0abc']],
    });
  });

  test('isHyperPodInstanceType and isEfaInstanceType', () => {
    expect(HyperPodCluster.isHyperPodInstanceType('ml.p5.48xlarge')).toBe(true);
    expect(HyperPodCluster.isHyperPodInstanceType('p5.48xlarge')).toBe(false);
    expect(HyperPodCluster.isEfaInstanceType('ml.g5.8xlarge')).toBe(true);
    expect(HyperPodCluster.isEfaInstanceType('ml.g5.4xlarge')).toBe(false);
    expect(HyperPodCluster.isEfaInstanceType('ml.t3.medium')).toBe(false);
  });
});

describe('HyperPodCluster regions', () => {
  test('cn-north-1 (no AWS::SageMaker::Cluster) fails with the capability table\'s source', () => {
    expect(() => clusterStack({ region: 'cn-north-1', fileSystem: 'efs' }))
      .toThrow(/HyperPodCluster Test\/Cluster: SageMaker HyperPod clusters cannot be created in cn-north-1 \(UNAVAILABLE: the CloudFormation resource schemas AWS publishes for the China Regions \(as of cfn-lint 1\.51\.0\) have no AWS::SageMaker::Cluster.*Create the cluster in a HyperPod region/);
  });

  test('ap-northeast-2 fails too', () => {
    expect(() => clusterStack({ region: 'ap-northeast-2' })).toThrow(/cannot be created in ap-northeast-2 \(UNAVAILABLE: the CloudFormation resource schemas AWS publishes for ap-northeast-2 \(as of cfn-lint 1\.51\.0\) have no AWS::SageMaker::Cluster, so CloudFormation cannot create a HyperPod cluster there/);
  });

  test('a region whose schema data is a copy of us-east-1 gets a warning', () => {
    const { stack } = clusterStack({ region: 'us-isof-east-1', fileSystem: 'efs' });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AWS::SageMaker::Cluster in us-isof-east-1 is unverified'));
    expect(warnings).toHaveLength(1);
  });
});

type Case = [string, HyperPodClusterOptions, RegExp];
const CASES: Case[] = [
  ['unknown instance type', { workers: [{ instanceType: 'ml.g5.3xlarge' }] },
    /workers\[0\]\.instanceType is "ml\.g5\.3xlarge"; it is not a HyperPod instance type \(one of the instance types AWS::SageMaker::Cluster accepts\)\. Pick one of ml\.g5\.12xlarge, .*ml\.g5\.8xlarge/],
  ['EC2 instance type without ml.', { controller: { instanceType: 'm5.xlarge' } }, /controller\.instanceType is "m5\.xlarge"; it is not a HyperPod instance type \(one of the instance types AWS::SageMaker::Cluster accepts\)\. HyperPod instance types carry the 'ml\.' prefix: use 'ml\.m5\.xlarge'/],
  ['unknown family', { controller: { instanceType: 'ml.z9.large' } }, /controller\.instanceType is "ml\.z9\.large"; it is not a HyperPod instance type.*Use an 'ml\.' type such as ml\.m5\.xlarge/],
  ['EFA on a type without EFA', { workers: [{ instanceType: 'ml.g5.4xlarge', efa: true }] },
    /workers\[0\]\.efa is true but ml\.g5\.4xlarge has no Elastic Fabric Adapter .* Pick an EFA type such as ml\.g5\.12xlarge.*, or set efa: false/],
  ['zero workers', { workers: [{ instanceType: 'ml.g5.8xlarge', instanceCount: 0 }] }, /workers\[0\]\.instanceCount is 0; it must be a whole number from 1 to 6758\. Remove the group/],
  ['fractional count', { login: { instanceType: 'ml.m5.large', instanceCount: 1.5 } }, /login\.instanceCount is 1\.5; it must be a whole number/],
  ['two controllers', { controller: { instanceType: 'ml.m5.xlarge', instanceCount: 2 } }, /controller\.instanceCount is 2; a Slurm cluster has exactly one controller instance here\. Set instanceCount to 1/],
  ['threads per core 4', { workers: [{ instanceType: 'ml.g5.8xlarge', threadsPerCore: 4 }] }, /workers\[0\]\.threadsPerCore is 4; it must be one of 1, 2\. Use 1 \(multithreading off\) or 2 \(on\)/],
  ['EBS volume too large', { workers: [{ instanceType: 'ml.g5.8xlarge', ebsVolumeSizeGiB: 20000 }] }, /workers\[0\]\.ebsVolumeSizeGiB is 20000; it must be a whole number from 1 to 16384\. It is the GiB of the EBS volume/],
  ['bad group name', { workers: [{ instanceType: 'ml.g5.8xlarge', name: 'gpu_workers' }] }, /workers\[0\]\.name is "gpu_workers"; it is not a valid instance group name: 1-63 letters, digits and hyphens/],
  ['bad partition name', { workers: [{ instanceType: 'ml.g5.8xlarge', partitionName: 'gpu.big' }] }, /workers\[0\]\.partitionName is "gpu\.big"; it is not a valid Slurm partition name/],
  ['duplicate group name', { workers: [{ instanceType: 'ml.g5.8xlarge', name: 'controller' }] }, /instance group name "controller" is used twice; give every group its own name/],
  ['duplicate deep health check', { workers: [{ instanceType: 'ml.p5.48xlarge', deepHealthChecks: [HyperPodDeepHealthCheck.INSTANCE_STRESS, HyperPodDeepHealthCheck.INSTANCE_STRESS] }] },
    /workers\[0\]\.deepHealthChecks is \[InstanceStress, InstanceStress\]; it lists a check more than once\. List each/],
  ['no workers', { workers: [] }, /workers is empty; a Slurm cluster needs at least one worker group/],
  ['bad cluster name', { clusterName: 'team_a' }, /clusterName is "team_a"; it is not valid: 1-63 letters, digits and hyphens/],
  ['relative mount path', { datasetMountPath: 'fsx' }, /datasetMountPath is "fsx"; it must be an absolute, normalized directory other than \/ .*Use e\.g\. \/fsx\./],
  ['root mount path', { datasetMountPath: '/' }, /datasetMountPath is "\/"; it must be an absolute/],
  ['mount path with ..', { datasetMountPath: '/mnt/../fsx' }, /datasetMountPath is "\/mnt\/\.\.\/fsx"; it must be an absolute, normalized directory/],
  ['mount attempts 0', { mountAttempts: 0 }, /mountAttempts is 0; it must be a whole number from 1 to 60/],
  ['retry delay in milliseconds', { mountRetryDelay: Duration.millis(500) }, /mountRetryDelay is 500 millis; it must be whole seconds from 1 second to 5 minutes\. Use e\.g\. Duration\.seconds\(15\)/],
];

describe('HyperPodCluster prop validation: errors name the prop, the value, the rule and the fix', () => {
  test.each(CASES)('%s', (_name, props, message) => {
    expect(() => clusterStack({ props })).toThrow(message);
  });

  test('results overlapping the datasets are refused', () => {
    const built = clusterStack();
    const bucket = new s3.Bucket(built.stack, 'R', { enforceSSL: true });
    const make = (id: string, results: HyperPodClusterOptions['results'], extra: HyperPodClusterOptions = {}) => () =>
      new HyperPodCluster(built.stack, id, { network: built.network, fileSystem: built.fileSystem, createInterfaceEndpoints: false, results, ...extra });
    expect(make('A', { bucket, fileSystemPath: '/datasets/out' }))
      .toThrow(/results\.fileSystemPath \/datasets\/out overlaps the dataset directory \/datasets; results must not be written among the read-only datasets\. Use e\.g\. \/results/);
    expect(make('B', { bucket, mountPath: '/fsx/results' }))
      .toThrow(/results\.mountPath \/fsx\/results overlaps datasetMountPath \/fsx; the read-write results need their own mount point/);
    expect(make('C', { bucket, autoExportEvents: [] })).toThrow(/results\.autoExportEvents is empty, so nothing written to the results directory would reach S3/);
  });

  test('results on EFS are refused', () => {
    const built = clusterStack({ fileSystem: 'efs' });
    const bucket = new s3.Bucket(built.stack, 'R', { enforceSSL: true });
    expect(() => new HyperPodCluster(built.stack, 'Second', { network: built.network, fileSystem: built.fileSystem, results: { bucket }, createInterfaceEndpoints: false }))
      .toThrow(/results needs FSx for Lustre: an EFS file system is not linked to S3.*Remove results, or use a LustreDatasetFileSystem/);
  });
});

describe('HyperPodCluster in a team stack', () => {
  test('runs on the platform\'s imported network and FSx for Lustre: the file system\'s subnet, no new VPC or endpoint for the training services', () => {
    const stack = new Stack(new App(), 'Team', { env: { region: 'us-east-1', account: '111122223333' } });
    const network = TrainingNetwork.fromTrainingNetworkAttributes(stack, 'Network', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      trainingSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
      trainingSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0bbbbbbbbbbbbbbb2'],
      trainingSecurityGroupId: 'sg-0a1b2c3d4e5f60001',
      endpointSecurityGroupId: 'sg-0a1b2c3d4e5f60002',
      interfaceEndpoints: [TrainingEndpoint.SAGEMAKER_API, TrainingEndpoint.CLOUDWATCH_LOGS, TrainingEndpoint.STS],
    });
    const fileSystem = LustreDatasetFileSystem.fromLustreDatasetFileSystemAttributes(stack, 'Datasets', {
      fileSystemId: 'fs-0123456789abcdef0', mountName: 'abcd1234', securityGroupId: 'sg-0a1b2c3d4e5f60003',
      subnetId: 'subnet-0bbbbbbbbbbbbbbb2', availabilityZone: 'us-east-1b', network,
    });
    const cluster = new HyperPodCluster(stack, 'Cluster', { network, fileSystem, createInterfaceEndpoints: false });
    const template = Template.fromStack(stack);
    expect((clusterProperties(template).VpcConfig as { Subnets: unknown }).Subnets).toEqual(['subnet-0bbbbbbbbbbbbbbb2']);
    expect(cluster.subnet.availabilityZone).toBe('us-east-1b');
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    // Lustre clients: the imported file system's group admits the cluster's group on the LNET port.
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0a1b2c3d4e5f60003', IpProtocol: 'tcp', FromPort: 988, ToPort: 988,
      SourceSecurityGroupId: { 'Fn::GetAtt': [stack.getLogicalId(cluster.securityGroup.node.defaultChild as never), 'GroupId'] },
    });
  });
});
