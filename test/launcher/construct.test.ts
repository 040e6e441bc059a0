import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { LAUNCHER_ENV, loadLauncherConfig } from '../../lambda/src/launcher';
import { S3InputMode, TrainingJobLauncher, TrainingJobLauncherProps, TrainingNetwork } from '../../lib';
import { buildRequests } from './support/build';
import { launcherStack } from './support/launcher-stack';

type Json = Record<string, unknown>;

/** Evaluates CloudFormation intrinsics with made-up values for Refs and GetAtts. */
function evaluate(value: unknown, refs: (logicalId: string, attribute?: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => evaluate(item, refs));
  if (value && typeof value === 'object') {
    const object = value as Json;
    if ('Ref' in object) return refs(object.Ref as string);
    if ('Fn::GetAtt' in object) {
      const [id, attribute] = object['Fn::GetAtt'] as [string, string];
      return refs(id, attribute);
    }
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => evaluate(part, refs)).join(separator);
    }
    if ('Fn::Split' in object) {
      const [separator, text] = object['Fn::Split'] as [string, unknown];
      return String(evaluate(text, refs)).split(separator);
    }
    if ('Fn::Select' in object) {
      const [index, list] = object['Fn::Select'] as [number, unknown];
      return (evaluate(list, refs) as unknown[])[index];
    }
    return Object.fromEntries(Object.entries(object).map(([key, member]) => [key, evaluate(member, refs)]));
  }
  return value;
}

/** Stable fake values: subnets, security groups, file systems, buckets, roles, mount names. */
function fakeRefs(logicalId: string, attribute?: string): string {
  const hex = [...logicalId].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7).toString(16).padStart(8, '0');
  if (logicalId === 'AWS::Partition') return 'aws';
  if (logicalId === 'AWS::Region') return 'us-east-1';
  if (logicalId === 'AWS::AccountId') return '123456789012';
  if (logicalId === 'AWS::URLSuffix') return 'amazonaws.com';
  if (attribute === 'LustreMountName') return 'abcd1234';
  if (attribute === 'GroupId') return `sg-${hex}`;
  if (attribute === 'Arn' && /Role/.test(logicalId)) return `arn:aws:iam::123456789012:role/${logicalId}`;
  if (attribute === 'Arn') return `arn:aws:kms:us-east-1:123456789012:key/${hex}`;
  if (/Subnet/.test(logicalId)) return `subnet-${hex}`;
  if (/FileSystem/.test(logicalId)) return `fs-${hex}${hex}`;
  if (/Bucket/.test(logicalId)) return `bucket-${hex}`;
  return `${logicalId.toLowerCase()}-${hex}`;
}

function launcherFunction(template: Template): Json {
  const functions = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { [LAUNCHER_ENV.JOB_NAME_PREFIX]: Match.anyValue() } } } });
  const [resource] = Object.values(functions);
  return (resource as { Properties: Json }).Properties;
}

function launcherEnvironment(template: Template): Record<string, string> {
  return evaluate(((launcherFunction(template).Environment as Json).Variables), fakeRefs) as Record<string, string>;
}

function statement(template: Template, sid: string): Json {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { PolicyDocument: { Statement: Json[] } } }>;
  const found = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement).filter((candidate) => candidate.Sid === sid);
  expect(found).toHaveLength(1);
  return found[0];
}

const datasetObjects = (path: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^DatasetsBucket/), 'Arn'] }, path]] });

describe('TrainingJobLauncher with FSx for Lustre', () => {
  const fixture = launcherStack({ fileSystem: 'fsx', keys: true });
  const template = fixture.template();

  test('without tenants, one default tenant: every principal of the account', () => {
    expect(fixture.launcher.tenantRoles.map((roles) => roles.tenant.name)).toEqual(['default']);
    expect(loadLauncherConfig(launcherEnvironment(template)).tenants.tenants[0]).toMatchObject({
      name: 'default',
      principalArnPatterns: ['arn:aws:iam::123456789012:*', 'arn:aws:sts::123456789012:assumed-role/*'],
      readsSharedDatasets: true,
    });
  });

  test('the launcher function acts only through the tenants\' access roles (no SageMaker or S3 permissions of its own)', () => {
    expect(statement(template, 'ActForTenants')).toMatchObject({
      Action: 'sts:AssumeRole', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^LauncherTenantdefaultAccessRole/), 'Arn'] },
    });
    const launcherPolicies = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^LauncherRole') }] } }));
    expect(JSON.stringify(launcherPolicies)).not.toMatch(/sagemaker:|s3:GetObject|iam:PassRole/);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LauncherRole'), 'Arn'] } } }] },
      Description: 'The dataset platform acting for tenant default (jobs dsp-default-*)',
    });
  });

  test('the access role may pass only its tenant\'s execution role, and only to SageMaker', () => {
    expect(statement(template, 'PassTenantExecutionRole')).toEqual({
      Sid: 'PassTenantExecutionRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^LauncherTenantdefaultExecutionRole/), 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
  });

  const jobArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-1:', { Ref: 'AWS::AccountId' }, ':training-job/dsp-default-*']] };
  const mountJoin = (path: string) => ({ 'Fn::Join': ['', ['/', { 'Fn::GetAtt': [expect.stringMatching(/^DatasetFileSystem/), 'LustreMountName'] }, path]] });
  const subnetRefs = () => fixture.network.trainingSubnetList().map((subnet) => ({ Ref: fixture.stack.getLogicalId(subnet.node.defaultChild as never) }));
  const securityGroup = { 'Fn::GetAtt': [expect.stringMatching(/^NetworkTrainingSecurityGroup/), 'GroupId'] };

  test('file-system jobs: only this platform\'s names, the FSx AZ subnets, the training SG, allowed types, runtime cap, the file system read-only below the dataset root', () => {
    const fsxSubnets = fixture.network.vpc.selectSubnets(fixture.fileSystem!.trainingSubnets).subnets;
    expect(fsxSubnets).toHaveLength(1);
    expect(statement(template, 'CreateTenantFileSystemTrainingJobs')).toEqual({
      Sid: 'CreateTenantFileSystemTrainingJobs',
      Effect: 'Allow',
      Action: 'sagemaker:CreateTrainingJob',
      Resource: jobArn,
      Condition: {
        'ForAllValues:StringEquals': {
          'sagemaker:VpcSubnets': fsxSubnets.map((subnet) => ({ Ref: fixture.stack.getLogicalId(subnet.node.defaultChild as never) })),
          'sagemaker:VpcSecurityGroupIds': [securityGroup],
          'sagemaker:InstanceTypes': ['ml.m5.xlarge', 'ml.m5.2xlarge', 'ml.c5.xlarge', 'ml.c5.2xlarge', 'ml.g4dn.xlarge', 'ml.g4dn.2xlarge', 'ml.g5.xlarge', 'ml.g5.2xlarge'],
        },
        Null: {
          'sagemaker:VpcSubnets': 'false', 'sagemaker:VpcSecurityGroupIds': 'false', 'sagemaker:InstanceTypes': 'false', 'sagemaker:FileSystemId': 'false',
          'sagemaker:FileSystemDirectoryPath': 'false',
        },
        NumericLessThanEquals: { 'sagemaker:MaxRuntimeInSeconds': 3 * 86400 },
        Bool: { 'sagemaker:InterContainerTrafficEncryption': 'true' },
        ArnEquals: { 'sagemaker:OutputKmsKeyArn': { 'Fn::GetAtt': [expect.stringMatching(/^OutputKey/), 'Arn'] } },
        ArnEqualsIfExists: { 'sagemaker:VolumeKmsKeyArn': { 'Fn::GetAtt': [expect.stringMatching(/^VolumeKey/), 'Arn'] } },
        StringEquals: {
          'aws:RequestTag/cdk-sagemaker-datasets:tenant': 'default',
          'sagemaker:FileSystemId': { Ref: expect.stringMatching(/^DatasetFileSystem/) },
          'sagemaker:FileSystemType': 'FSxLustre',
          'sagemaker:FileSystemAccessMode': 'ro',
        },
        'ForAllValues:StringLike': { 'sagemaker:FileSystemDirectoryPath': [mountJoin('/datasets/default/*'), mountJoin('/datasets/shared/*')] },
        StringNotLike: { 'sagemaker:FileSystemDirectoryPath': '*..*' },
      },
    });
    expect(statement(template, 'DenyClimbingDirectoryPaths')).toEqual({
      Sid: 'DenyClimbingDirectoryPaths', Effect: 'Deny', Action: 'sagemaker:CreateTrainingJob', Resource: '*',
      Condition: { 'ForAnyValue:StringLike': { 'sagemaker:FileSystemDirectoryPath': ['*/..', '*/../*', '*/.', '*/./*', '*//*'] } },
    });
  });

  test('S3-only jobs: every training subnet, and only when no file-system key is present', () => {
    const s3Jobs = statement(template, 'CreateTenantS3TrainingJobs');
    expect(s3Jobs.Resource).toEqual(jobArn);
    expect(s3Jobs.Condition).toMatchObject({
      'ForAllValues:StringEquals': { 'sagemaker:VpcSubnets': subnetRefs(), 'sagemaker:VpcSecurityGroupIds': [securityGroup] },
      Null: {
        'sagemaker:VpcSubnets': 'false', 'sagemaker:VpcSecurityGroupIds': 'false', 'sagemaker:InstanceTypes': 'false',
        'sagemaker:FileSystemId': 'true', 'sagemaker:FileSystemType': 'true', 'sagemaker:FileSystemDirectoryPath': 'true', 'sagemaker:FileSystemAccessMode': 'true',
      },
      StringEquals: { 'aws:RequestTag/cdk-sagemaker-datasets:tenant': 'default' },
    });
  });

  test('tagging only with the tenant\'s tag; describing and listing tags by name; stopping only jobs tagged with the tenant', () => {
    expect(statement(template, 'TagTenantTrainingJobsAtCreation')).toMatchObject({
      Action: 'sagemaker:AddTags', Resource: jobArn, Condition: { StringEquals: { 'aws:RequestTag/cdk-sagemaker-datasets:tenant': 'default' } },
    });
    expect(statement(template, 'DescribeTenantTrainingJobs')).toMatchObject({ Action: ['sagemaker:DescribeTrainingJob', 'sagemaker:ListTags'], Resource: jobArn });
    expect(statement(template, 'StopTenantTrainingJobs')).toMatchObject({
      Action: 'sagemaker:StopTrainingJob', Resource: jobArn, Condition: { StringEquals: { 'aws:ResourceTag/cdk-sagemaker-datasets:tenant': 'default' } },
    });
    expect(statement(template, 'CountTrainingJobs')).toMatchObject({ Action: 'sagemaker:ListTrainingJobs', Resource: '*' });
  });

  test('the access role reads only pointers, manifests and conversion status of its tenant\'s and the shared datasets, its jobs\' artifacts and log streams', () => {
    expect(statement(template, 'ReadTenantDatasetPointersAndManifests')).toMatchObject({
      Action: 's3:GetObject',
      Resource: [
        datasetObjects('/datasets/default/*/*/current.json'), datasetObjects('/datasets/default/*/*/*/manifest.json'),
        datasetObjects('/datasets/default/*/*/conversion-status.json'),
        datasetObjects('/datasets/shared/*/*/current.json'), datasetObjects('/datasets/shared/*/*/*/manifest.json'),
        datasetObjects('/datasets/shared/*/*/conversion-status.json'),
      ],
    });
    expect(statement(template, 'ReadTenantJobArtifacts')).toMatchObject({
      Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^LauncherArtifactsBucket/), 'Arn'] }, '/jobs/default/*']] },
    });
    expect(statement(template, 'ReadTenantJobLogs')).toMatchObject({
      Action: 'logs:GetLogEvents',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:', { Ref: 'AWS::AccountId' }, ':log-group:/aws/sagemaker/TrainingJobs:log-stream:dsp-default-*']] },
    });
  });

  test('execution role: trusted by SageMaker only, no managed policies', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] },
    });
    for (const role of Object.values(template.findResources('AWS::IAM::Role')) as Array<{ Properties: Json }>) {
      if (JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes('sagemaker') || JSON.stringify(role.Properties).includes('Launcher')) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    }
  });

  test('execution role: reads its tenant\'s and the shared datasets only, writes its jobs/<tenant>/ only, pulls the allowed repositories, logs under /aws/sagemaker/TrainingJobs, metrics in its namespace', () => {
    expect(statement(template, 'ReadTenantDatasets')).toMatchObject({ Action: 's3:GetObject', Resource: [datasetObjects('/datasets/default/*'), datasetObjects('/datasets/shared/*')] });
    const listDatasets = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^LauncherTenantdefaultExecutionRole') }] } }))
      .flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: Json[] } } }).Properties.PolicyDocument.Statement).find((candidate) => candidate.Sid === 'ListTenantDatasets');
    expect(listDatasets).toMatchObject({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['datasets/default/*', 'datasets/shared/*'] } } });
    expect(statement(template, 'WriteTenantJobArtifacts')).toMatchObject({
      Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^LauncherArtifactsBucket/), 'Arn'] }, '/jobs/default/*']] },
    });
    expect(statement(template, 'PullTrainingImages')).toMatchObject({
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TrainingImages/), 'Arn'] },
    });
    expect(statement(template, 'EcrAuthorizationToken')).toMatchObject({ Action: 'ecr:GetAuthorizationToken', Resource: '*' });
    expect(statement(template, 'TenantJobLogStreams')).toMatchObject({
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:', { Ref: 'AWS::AccountId' }, ':log-group:/aws/sagemaker/TrainingJobs:log-stream:dsp-default-*']] },
    });
    expect(statement(template, 'TrainingJobMetrics')).toEqual({
      Sid: 'TrainingJobMetrics', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': '/aws/sagemaker/TrainingJobs' } },
    });
    expect(statement(template, 'TrainingJobVpcNetworking').Action).toEqual(expect.arrayContaining([
      'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission',
      'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeVpcEndpoints',
    ]));
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^LauncherTenantdefaultExecutionRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'fsx:DescribeFileSystems' })]) },
    });
  });

  test('the file-system ports are open from the training security group (Lustre 988 and 1018–1023)', () => {
    for (const [from, to] of [[988, 988], [1018, 1023]]) {
      template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: from, ToPort: to, IpProtocol: 'tcp',
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkTrainingSecurityGroup'), 'GroupId'] },
      });
    }
  });

  test('the environment the construct writes is a valid launcher configuration, and jobs get the construct\'s DirectoryPath', async () => {
    const environment = launcherEnvironment(template);
    const config = loadLauncherConfig(environment);
    expect(config).toMatchObject({
      jobNamePrefix: 'dsp',
      fileSystem: { type: 'FSxLustre', datasetRootDirectory: '/abcd1234/datasets' },
      maxRuntimeInSeconds: 3 * 86400,
      maxJobs: 50,
      interContainerTrafficEncryption: true,
    });
    expect(config.fileSystem!.subnetIds).toHaveLength(1);
    expect(config.subnetIds).toHaveLength(2);
    const { requests } = await buildRequests({ trainingImage: `${config.allowedImageRepositories[0]}:v1` }, config);
    const constructPath = evaluate(fixture.stack.resolve(fixture.fileSystem!.directoryPath('vision/cats/training/v20261122T115526Z-0123456789ab')), fakeRefs);
    expect(requests[0].InputDataConfig![0].DataSource!.FileSystemDataSource!.DirectoryPath).toBe(constructPath);
  });

  test('state changes: a rule on the default bus for this platform\'s job names, targeting the re-publisher with a DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.sagemaker'], 'detail-type': ['SageMaker Training Job State Change'], 'detail': { TrainingJobName: [{ prefix: 'dsp-' }] } },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 } })],
    });
  });
});

describe('TrainingJobLauncher variants', () => {
  test('EFS: FileSystemType EFS below /datasets, every training subnet with a mount target, NFS opened', () => {
    const { template: build } = launcherStack({ fileSystem: 'efs' });
    const template = build();
    const fsJobs = statement(template, 'CreateTenantFileSystemTrainingJobs');
    expect(fsJobs.Condition).toMatchObject({
      StringEquals: { 'sagemaker:FileSystemType': 'EFS', 'sagemaker:FileSystemAccessMode': 'ro' },
      'ForAllValues:StringLike': { 'sagemaker:FileSystemDirectoryPath': ['/datasets/default/*', '/datasets/shared/*'] },
    });
    expect(((fsJobs.Condition as Json)['ForAllValues:StringEquals'] as Json)['sagemaker:VpcSubnets']).toHaveLength(2);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 2049, ToPort: 2049, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkTrainingSecurityGroup'), 'GroupId'] } });
    const config = loadLauncherConfig(launcherEnvironment(template));
    expect(config.fileSystem).toMatchObject({ type: 'EFS', datasetRootDirectory: '/datasets' });
  });

  test('enableNetworkIsolation: the launcher builds isolated jobs and its policy allows CreateTrainingJob only with sagemaker:NetworkIsolation true', () => {
    const isolated = launcherStack({ props: { enableNetworkIsolation: true } }).template();
    expect(launcherEnvironment(isolated)[LAUNCHER_ENV.NETWORK_ISOLATION]).toBe('true');
    expect(loadLauncherConfig(launcherEnvironment(isolated)).networkIsolation).toBe(true);
    const statements = Object.values(isolated.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: Json[] } } }).Properties.PolicyDocument.Statement)
      .filter((statement) => statement.Action === 'sagemaker:CreateTrainingJob' && statement.Effect === 'Allow');
    expect(statements.length).toBeGreaterThanOrEqual(2);
    for (const statement of statements) {
      expect((statement.Condition as Json).Bool).toEqual({ 'sagemaker:InterContainerTrafficEncryption': 'true', 'sagemaker:NetworkIsolation': 'true' });
    }
    const plain = launcherStack().template();
    expect(launcherEnvironment(plain)[LAUNCHER_ENV.NETWORK_ISOLATION]).toBeUndefined();
    expect(loadLauncherConfig(launcherEnvironment(plain)).networkIsolation).toBe(false);
    expect(JSON.stringify(plain.findResources('AWS::IAM::Policy'))).not.toContain('sagemaker:NetworkIsolation');
  });

  test('no file system: S3 jobs only, no file-system configuration', () => {
    const { template: build } = launcherStack({ fileSystem: 'none', props: { interContainerTrafficEncryption: false } });
    const template = build();
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).not.toContain('CreateTenantFileSystemTrainingJobs');
    expect(policies).not.toContain('sagemaker:InterContainerTrafficEncryption');
    expect(launcherEnvironment(template)[LAUNCHER_ENV.FILE_SYSTEM]).toBeUndefined();
    expect(loadLauncherConfig(launcherEnvironment(template)).interContainerTrafficEncryption).toBe(false);
  });

  test('the S3 tier: one CreateTrainingJob statement that allows no file-system key, FastFile by default, an execution role that reads its tenant\'s and the shared datasets only', () => {
    const { template: build } = launcherStack({ fileSystem: 'none' });
    const template = build();
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { PolicyDocument: { Statement: Json[] } } }>;
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const creates = statements.filter((s) => [s.Action].flat().includes('sagemaker:CreateTrainingJob'));
    expect(creates.map((s) => s.Sid)).toEqual(['CreateTenantS3TrainingJobs']);
    expect(Object.entries((creates[0].Condition as Json).Null as Json).filter(([key]) => key.startsWith('sagemaker:FileSystem'))).toEqual([
      ['sagemaker:FileSystemId', 'true'], ['sagemaker:FileSystemType', 'true'], ['sagemaker:FileSystemDirectoryPath', 'true'], ['sagemaker:FileSystemAccessMode', 'true'],
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/fsx:|elasticfilesystem:/);
    const datasetReads = statements.filter((s) => JSON.stringify(s.Resource ?? '').includes('DatasetsBucket') && [s.Action].flat().some((a) => String(a).startsWith('s3:Get')));
    expect(datasetReads.find((s) => s.Sid === 'ReadTenantDatasets')).toMatchObject({
      Action: 's3:GetObject', Resource: [datasetObjects('/datasets/default/*'), datasetObjects('/datasets/shared/*')],
    });
    expect(statements.filter((s) => s.Sid === 'ListTenantDatasets').map((s) => s.Condition))
      .toEqual([{ StringLike: { 's3:prefix': ['datasets/default/*', 'datasets/shared/*'] } }, { StringLike: { 's3:prefix': ['datasets/default/*', 'datasets/shared/*'] } }]);
    expect(launcherEnvironment(template)[LAUNCHER_ENV.S3_INPUT_MODE]).toBe('FastFile');
    expect(loadLauncherConfig(launcherEnvironment(template)).s3InputMode).toBe('FastFile');
    const fileMode = launcherStack({ fileSystem: 'none', props: { s3InputMode: S3InputMode.FILE } }).template();
    expect(loadLauncherConfig(launcherEnvironment(fileMode)).s3InputMode).toBe('File');
  });

  test('China: partition-aware ARNs (no literal arn:aws:) and the cn endpoint-free wiring', () => {
    const { template: build } = launcherStack({ region: 'cn-north-1', fileSystem: 'efs' });
    const text = JSON.stringify(build().toJSON());
    expect(text).not.toMatch(/"arn:aws:/);
    expect(statement(build(), 'CreateTenantS3TrainingJobs').Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:cn-north-1:', { Ref: 'AWS::AccountId' }, ':training-job/dsp-default-*']] });
  });

  test('an existing artifacts bucket is used as is; a custom prefix scopes IAM, the rule and the events', () => {
    const { template: build } = launcherStack({ fileSystem: 'none', props: { jobNamePrefix: 'vision-a' } });
    const template = build();
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ detail: { TrainingJobName: [{ prefix: 'vision-a-' }] } }) });
    expect(JSON.stringify(statement(template, 'CreateTenantS3TrainingJobs').Resource)).toContain(':training-job/vision-a-default-*');

    const app = new App();
    const other = new Stack(app, 'Existing', { env: { region: 'eu-west-1' } });
    const network = new TrainingNetwork(other, 'Network');
    const artifacts = s3.Bucket.fromBucketName(other, 'Artifacts', 'my-artifacts');
    const launcher = new TrainingJobLauncher(other, 'Launcher', {
      network, datasetBucket: s3.Bucket.fromBucketName(other, 'Datasets', 'my-datasets'), artifactsBucket: artifacts,
      trainingImageRepositories: [ecr.Repository.fromRepositoryName(other, 'Repo', 'train')],
    });
    expect(launcher.artifactsBucket).toBe(artifacts);
    Template.fromStack(other).resourceCountIs('AWS::S3::Bucket', 0);
  });

  test('onTrainingJobStateChanged: a rule on the platform bus for this launcher\'s events, narrowed by the caller\'s pattern', () => {
    const { stack, launcher, template: build } = launcherStack({ fileSystem: 'none', props: { eventBus: undefined } });
    const queue = new sqs.Queue(stack, 'Notifications', { enforceSSL: true });
    const rule = launcher.onTrainingJobStateChanged('Finished', { target: new targets.SqsQueue(queue), eventPattern: { detail: { status: ['Completed', 'Failed'] } } });
    expect(rule).toBeInstanceOf(events.Rule);
    build().hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['cdk-sagemaker-datasets'], 'detail-type': ['TrainingJobStateChanged'], 'detail': { platform: ['dsp'], status: ['Completed', 'Failed'] } },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Notifications'), 'Arn'] } })],
    });
  });

  test('a custom platform bus and source', () => {
    const app = new App();
    const stack = new Stack(app, 'Bus', { env: { region: 'us-east-1' } });
    const bus = new events.EventBus(stack, 'PlatformBus');
    const launcher = new TrainingJobLauncher(stack, 'Launcher', {
      network: new TrainingNetwork(stack, 'Network'), datasetBucket: s3.Bucket.fromBucketName(stack, 'Datasets', 'my-datasets'),
      trainingImageRepositories: [ecr.Repository.fromRepositoryName(stack, 'Repo', 'train')], eventBus: bus, eventSource: 'my.platform',
    });
    launcher.onTrainingJobStateChanged('Any');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Events::Rule', { EventBusName: { Ref: Match.stringLikeRegexp('^PlatformBus') }, EventPattern: Match.objectLike({ source: ['my.platform'] }) });
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlatformBus'), 'Arn'] } })]) } });
  });

  test('allowedReservedNames reach the launcher\'s configuration; ListTrainingJobs finds a reused clientToken', () => {
    const { template: build } = launcherStack({ fileSystem: 'none', props: { allowedReservedNames: ['sagemaker_program', 'PYTHONPATH'] } });
    const template = build();
    expect(loadLauncherConfig(launcherEnvironment(template)).allowedReservedNames).toEqual(['sagemaker_program', 'PYTHONPATH']);
    expect(statement(template, 'FindJobsOfClientToken')).toMatchObject({ Action: 'sagemaker:ListTrainingJobs', Resource: '*' });
    expect(loadLauncherConfig(launcherEnvironment(launcherStack({ fileSystem: 'none' }).template())).allowedReservedNames).toEqual([]);
  });

  test('only the asynchronously invoked state-change publisher has a function dead-letter queue (the launcher is invoked synchronously)', () => {
    const template = launcherStack({ fileSystem: 'none' }).template();
    expect(launcherFunction(template).DeadLetterConfig).toBeUndefined();
    const withDlq = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { DeadLetterConfig: Match.anyValue() } }))
      .filter((fn) => !String(fn.Properties.Description).startsWith('CloudFormation custom resource'));
    expect(withDlq).toHaveLength(1);
    expect(JSON.stringify(withDlq[0])).toContain('publish-training-job-state');
  });

  test('bounded cost: reserved concurrency on the launcher, the volume and per-request instance caps in its configuration', () => {
    const template = launcherStack({ fileSystem: 'none', props: { maxVolumeSizeInGB: 200, maxInstancesPerRequest: 12, reservedConcurrency: 3 } }).template();
    expect(launcherFunction(template).ReservedConcurrentExecutions).toBe(3);
    expect(loadLauncherConfig(launcherEnvironment(template))).toMatchObject({ maxVolumeSizeInGB: 200, maxInstancesPerRequest: 12 });
    const defaults = launcherStack({ fileSystem: 'none' }).template();
    expect(launcherFunction(defaults).ReservedConcurrentExecutions).toBe(5);
    expect(loadLauncherConfig(launcherEnvironment(defaults))).toMatchObject({ maxVolumeSizeInGB: 512, maxInstancesPerRequest: 50 });
  });

  test('grantInvoke lets the platform\'s API invoke the launcher', () => {
    const { stack, launcher, template: build } = launcherStack({ fileSystem: 'none' });
    const api = new iam.Role(stack, 'Api', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    launcher.grantInvoke(api);
    build().hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Api') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction' })]) },
    });
  });
});

describe('TrainingJobLauncher props validation names the prop, the value, the rule and the fix', () => {
  const cases: Array<[string, Partial<TrainingJobLauncherProps>, RegExp]> = [
    ['uppercase prefix', { jobNamePrefix: 'DSP' }, /jobNamePrefix is "DSP"; it must be lowercase letters and digits.*Use for example "dsp"/],
    ['prefix with underscore', { jobNamePrefix: 'team_a' }, /jobNamePrefix is "team_a"; .*Use for example "team-a"/],
    ['prefix too long', { jobNamePrefix: 'a'.repeat(25) }, /jobNamePrefix is "a{25}"; .*at most 24 characters/],
    ['no repositories', { trainingImageRepositories: [] }, /trainingImageRepositories is empty: name at least one ECR repository/],
    ['no instance types', { allowedInstanceTypes: [] }, /allowedInstanceTypes is empty/],
    ['bad instance type', { allowedInstanceTypes: ['g5.xlarge'] }, /allowedInstanceTypes has "g5.xlarge": instance types are written ml.<family>.<size>, e.g. "ml.g5.xlarge"/],
    ['duplicate instance types', { allowedInstanceTypes: ['ml.g5.xlarge', 'ml.g5.xlarge'] }, /lists ml.g5.xlarge more than once/],
    ['runtime above 28 days', { maxRuntime: Duration.days(29) }, /maxRuntime is 29 days; it must be whole seconds from 1 minute to 28 days.*2419200 s.*Duration.days\(3\)/],
    ['runtime below a minute', { maxRuntime: Duration.seconds(30) }, /maxRuntime is 30 seconds/],
    ['zero jobs', { maxJobsPerRequest: 0 }, /maxJobsPerRequest is 0; it must be a whole number from 1 to 1000/],
    ['too many jobs', { maxJobsPerRequest: 1001 }, /maxJobsPerRequest is 1001/],
    ['instance count', { maxInstanceCount: 0 }, /maxInstanceCount is 0/],
    ['concurrency', { launchConcurrency: 17 }, /launchConcurrency is 17; it must be a whole number from 1 to 16/],
    ['timeout', { timeout: Duration.minutes(20) }, /timeout is 20 minutes/],
    ['volume cap', { maxVolumeSizeInGB: 16385 }, /maxVolumeSizeInGB is 16385; it must be a whole number from 1 to 16384/],
    ['instances per request', { maxInstancesPerRequest: 0 }, /maxInstancesPerRequest is 0/],
    ['reserved concurrency', { reservedConcurrency: 0 }, /reservedConcurrency is 0/],
    ['allowing a name that is not reserved', { allowedReservedNames: ['epochs'] }, /allowedReservedNames has "epochs", which is not reserved/],
  ];

  test.each(cases)('%s', (_name, props, message) => {
    expect(() => launcherStack({ fileSystem: 'none', props })).toThrow(message);
  });

  test('every problem is reported at once', () => {
    expect(() => launcherStack({ fileSystem: 'none', props: { jobNamePrefix: 'X', maxJobsPerRequest: 0, maxRuntime: Duration.days(30) } }))
      .toThrow(/TrainingJobLauncher LauncherTest\/Launcher:\n {2}jobNamePrefix.*\n {2}maxRuntime.*\n {2}maxJobsPerRequest/);
  });
});

describe('TrainingJobLauncher network warnings', () => {
  test('isolated subnets without the SageMaker API and EventBridge endpoints are reported at synth', () => {
    const app = new App();
    const stack = new Stack(app, 'Isolated', { env: { region: 'us-east-1' } });
    const network = new TrainingNetwork(stack, 'Network', { interfaceEndpoints: [] });
    new TrainingJobLauncher(stack, 'Launcher', {
      network, datasetBucket: s3.Bucket.fromBucketName(stack, 'Datasets', 'my-datasets'),
      trainingImageRepositories: [ecr.Repository.fromRepositoryName(stack, 'Repo', 'train')],
    });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('no (SAGEMAKER_API|EVENTBRIDGE) interface endpoint'));
    expect(warnings.map((warning) => String(warning.entry.data))).toEqual([
      expect.stringContaining('no SAGEMAKER_API interface endpoint, so the launcher cannot call CreateTrainingJob'),
      expect.stringContaining('no EVENTBRIDGE interface endpoint, so the state-change publisher cannot put TrainingJobStateChanged events'),
    ]);
  });

  test('the default network has both endpoints: no warning', () => {
    const { stack } = launcherStack({ fileSystem: 'none' });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('interface endpoint'))).toEqual([]);
  });
});
