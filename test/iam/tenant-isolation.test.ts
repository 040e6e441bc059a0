import type { CreateTrainingJobCommandInput } from '@aws-sdk/client-sagemaker';
import { Template } from 'aws-cdk-lib/assertions';
import {
  LAUNCHER_ENV, LauncherConfig, buildCreateTrainingJobRequest, loadLauncherConfig, planJobs, requestRules, resolveDatasets, validateLaunchRequest,
} from '../../lambda/src/launcher';
import { TENANT_TAG, TenantDescriptor, findTenant } from '../../contract/tenant-directory';
import { MemoryObjects, VERSION_A } from '../launcher/support/fixtures';
import { Decision, IamSimulator, SimulatedRequest } from '../support/iam-simulator';
import { platformApp, templatesByRegion } from '../support/platform-app';

/**
 * Tenant isolation, proven on the SYNTHESIZED policies of the example app (two tenants, vision and
 * speech) with an offline IAM policy simulator: each tenant's roles are allowed their own requests
 * (the very CreateTrainingJob request the launcher's code builds from the synthesized
 * configuration) and denied every request that reaches the other tenant, case by case, in the FSx
 * region (us-east-1) and the EFS region (cn-north-1).
 */
const TENANTS = ['vision', 'speech'] as const;
type TenantName = (typeof TENANTS)[number];
const other = (tenant: TenantName): TenantName => (tenant === 'vision' ? 'speech' : 'vision');

/** One case: who acts (which role of which tenant), what it asks, and the verdict. */
interface Case {
  readonly name: string;
  readonly actor: TenantName;
  readonly request: SimulatedRequest;
  readonly expected: Decision | 'Denied';
}

class TenantWorld {
  readonly simulator: IamSimulator;
  readonly config: LauncherConfig;

  constructor(readonly region: string, template: Template) {
    this.simulator = new IamSimulator(template, { region });
    const launcher = Object.entries(template.findResources('AWS::Lambda::Function'))
      .find(([, resource]) => (resource as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment?.Variables?.[LAUNCHER_ENV.JOB_NAME_PREFIX]);
    const variables = (launcher![1] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties.Environment.Variables;
    this.config = loadLauncherConfig(this.simulator.resolve(variables) as Record<string, string>);
  }

  tenant(name: TenantName): TenantDescriptor {
    return findTenant(this.config.tenants, name)!;
  }

  accessRole(name: TenantName): string {
    return this.simulator.roleNamed(new RegExp(`Tenant${name}AccessRole`));
  }

  executionRole(name: TenantName): string {
    return this.simulator.roleNamed(new RegExp(`Tenant${name}ExecutionRole`));
  }

  launcherRole(): string {
    return this.simulator.roleNamed(/TrainingJobLauncherRole/);
  }

  /** The platform API Lambda's role. */
  apiRole(): string {
    return this.simulator.roleNamed(/^ApiHandler.*Role/);
  }

  bucket(pattern: RegExp): string {
    return this.simulator.bucketArn(pattern);
  }

  jobArn(name: string): string {
    return this.simulator.arn('sagemaker', `training-job/${name.toLowerCase()}`);
  }

  logStream(jobName: string): string {
    return this.simulator.arn('logs', `log-group:/aws/sagemaker/TrainingJobs:log-stream:${jobName}/algo-1-1700000000`);
  }

  /** The CreateTrainingJob request the launcher's code builds for `tenant` from the synthesized configuration. */
  async launchRequest(tenant: TenantName, channels: Record<string, unknown>, instanceType = 'ml.m5.xlarge'): Promise<CreateTrainingJobCommandInput> {
    const descriptor = this.tenant(tenant);
    const rules = requestRules(this.config, descriptor);
    const validation = validateLaunchRequest({
      clientToken: `${tenant}-run-1`, datasetId: 'cats', channels, instanceType,
      trainingImage: `${this.config.allowedImageRepositories[0]}:v1`, hyperparameters: { epochs: 1 }, checkpoints: true,
    }, rules);
    if (!validation.ok) throw new Error(JSON.stringify(validation.errors));
    const jobs = planJobs(validation.request, rules, this.config.jobNamePrefix);
    const objects = new MemoryObjects();
    for (const owner of [tenant, 'shared']) {
      objects.addConverted('cats', 'training', VERSION_A, 10, owner).addConverted('cats', 'evaluation', VERSION_A, 10, owner);
    }
    const resolution = await resolveDatasets(objects, this.config.datasetBucket, jobs);
    if (!resolution.ok) throw new Error(JSON.stringify(resolution.errors));
    return buildCreateTrainingJobRequest(jobs[0], { config: this.config, tenant: descriptor, clientToken: validation.request.clientToken, datasets: resolution.datasets });
  }
}

/** CreateTrainingJob's authorization context as SageMaker builds it from a request, for one file-system channel (or none). */
function createContext(input: CreateTrainingJobCommandInput, channel = 0): Record<string, string | string[]> {
  const tags = input.Tags ?? [];
  const fileSystem = input.InputDataConfig?.[channel]?.DataSource?.FileSystemDataSource;
  return {
    'sagemaker:VpcSubnets': input.VpcConfig!.Subnets!,
    'sagemaker:VpcSecurityGroupIds': input.VpcConfig!.SecurityGroupIds!,
    'sagemaker:InstanceTypes': [input.ResourceConfig!.InstanceType!],
    'sagemaker:MaxRuntimeInSeconds': String(input.StoppingCondition!.MaxRuntimeInSeconds),
    'sagemaker:InterContainerTrafficEncryption': String(input.EnableInterContainerTrafficEncryption),
    'sagemaker:NetworkIsolation': String(input.EnableNetworkIsolation ?? false),
    // The platform's key encrypts volumes and output (Service Authorization Reference: the *KmsKeyArn keys).
    ...(input.OutputDataConfig?.KmsKeyId ? { 'sagemaker:OutputKmsKeyArn': input.OutputDataConfig.KmsKeyId } : {}),
    ...(input.ResourceConfig?.VolumeKmsKeyId ? { 'sagemaker:VolumeKmsKeyArn': input.ResourceConfig.VolumeKmsKeyId } : {}),
    ...(fileSystem ? {
      'sagemaker:FileSystemId': fileSystem.FileSystemId!,
      'sagemaker:FileSystemType': fileSystem.FileSystemType!,
      'sagemaker:FileSystemAccessMode': fileSystem.FileSystemAccessMode!,
      'sagemaker:FileSystemDirectoryPath': fileSystem.DirectoryPath!,
    } : {}),
    ...Object.fromEntries(tags.map((tag) => [`aws:RequestTag/${tag.Key}`, tag.Value!])),
    'aws:TagKeys': tags.map((tag) => tag.Key!),
  };
}

function withTag(context: Record<string, string | string[]>, tenant: string): Record<string, string | string[]> {
  return { ...context, [`aws:RequestTag/${TENANT_TAG}`]: tenant };
}

async function casesFor(world: TenantWorld, actor: TenantName): Promise<Case[]> {
  const victim = other(actor);
  const access = world.accessRole(actor);
  const execution = world.executionRole(actor);
  const datasets = world.bucket(/^DatasetBucket[0-9A-F]{8}$/);
  const uploads = world.bucket(/^IngestionUploadBucket/);
  const artifacts = world.bucket(/^TrainingJobLauncherArtifactsBucket/);
  const fsRequest = await world.launchRequest(actor, { training: {}, evaluation: { owner: 'shared' } });
  const s3Request = await world.launchRequest(actor, { training: { source: 's3' } });
  const ownJob = fsRequest.TrainingJobName!;
  const victimJob = ownJob.replace(`-${actor}-`, `-${victim}-`);
  const fsContext = createContext(fsRequest, 0);
  const fsPath = fsContext['sagemaker:FileSystemDirectoryPath'] as string;
  const victimPath = fsPath.replace(`/datasets/${actor}/`, `/datasets/${victim}/`);
  const create = (context: Record<string, string | string[]>, job = ownJob): SimulatedRequest =>
    ({ role: access, action: 'sagemaker:CreateTrainingJob', resource: world.jobArn(job), context });
  const tenantTag = (tenant: string) => ({ [`aws:ResourceTag/${TENANT_TAG}`]: tenant });
  const allowed = (name: string, request: SimulatedRequest): Case => ({ name: `${actor} ${name}`, actor, request, expected: 'Allowed' });
  const denied = (name: string, request: SimulatedRequest): Case => ({ name: `${actor} ${name}`, actor, request, expected: 'Denied' });

  return [
    // The access role: what the launcher and the API do for the tenant.
    allowed('creates the job the launcher builds (file-system channel of its own dataset)', create(fsContext)),
    allowed('creates the job the launcher builds (file-system channel of a shared dataset)', create(createContext(fsRequest, 1))),
    allowed('creates the job the launcher builds (S3 channels)', create(createContext(s3Request))),
    allowed('tags its job at creation with its own tenant tag', { role: access, action: 'sagemaker:AddTags', resource: world.jobArn(ownJob), context: { [`aws:RequestTag/${TENANT_TAG}`]: actor, 'aws:TagKeys': [TENANT_TAG] } }),
    allowed('passes its own execution role to SageMaker', { role: access, action: 'iam:PassRole', resource: fsRequest.RoleArn!, context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } }),
    allowed('describes its job', { role: access, action: 'sagemaker:DescribeTrainingJob', resource: world.jobArn(ownJob) }),
    allowed('stops its job', { role: access, action: 'sagemaker:StopTrainingJob', resource: world.jobArn(ownJob), context: tenantTag(actor) }),
    allowed('reads its dataset pointer', { role: access, action: 's3:GetObject', resource: `${datasets}/datasets/${actor}/cats/training/current.json` }),
    allowed('reads a shared dataset pointer', { role: access, action: 's3:GetObject', resource: `${datasets}/datasets/shared/cats/training/current.json` }),
    allowed('lists its datasets', { role: access, action: 's3:ListBucket', resource: datasets, context: { 's3:prefix': `datasets/${actor}/` } }),
    allowed('reads its model', { role: access, action: 's3:GetObject', resource: `${artifacts}/jobs/${actor}/${ownJob}/output/model.tar.gz` }),
    allowed('reads its job\'s logs', { role: access, action: 'logs:GetLogEvents', resource: world.logStream(ownJob) }),
    allowed('uploads below its prefix', { role: access, action: 's3:PutObject', resource: `${uploads}/uploads/${actor}/cats/training.zip` }),

    denied('creates a job named for the other tenant', create(fsContext, victimJob)),
    denied('creates its job tagged for the other tenant', create(withTag(fsContext, victim))),
    denied('creates its job with no tenant tag', create(Object.fromEntries(Object.entries(fsContext).filter(([key]) => !key.includes(TENANT_TAG))))),
    denied('creates a job on the other tenant\'s file-system directory', create({ ...fsContext, 'sagemaker:FileSystemDirectoryPath': victimPath })),
    denied('creates a job on the dataset root', create({ ...fsContext, 'sagemaker:FileSystemDirectoryPath': fsPath.slice(0, fsPath.indexOf(`/${actor}/`)) })),
    denied('creates a job whose directory climbs into the other tenant\'s', create({ ...fsContext, 'sagemaker:FileSystemDirectoryPath': fsPath.replace(`/datasets/${actor}/`, `/datasets/${actor}/../${victim}/`) })),
    denied('creates a job with its own tenant tag on the other tenant\'s directory, S3-tagged', create(withTag({ ...fsContext, 'sagemaker:FileSystemDirectoryPath': victimPath }, actor))),
    denied('creates a job with the file system mounted read-write', create({ ...fsContext, 'sagemaker:FileSystemAccessMode': 'rw' })),
    denied('tags its job for the other tenant', { role: access, action: 'sagemaker:AddTags', resource: world.jobArn(ownJob), context: { [`aws:RequestTag/${TENANT_TAG}`]: victim, 'aws:TagKeys': [TENANT_TAG] } }),
    denied('tags the other tenant\'s job', { role: access, action: 'sagemaker:AddTags', resource: world.jobArn(victimJob), context: { [`aws:RequestTag/${TENANT_TAG}`]: actor, 'aws:TagKeys': [TENANT_TAG] } }),
    denied('passes the other tenant\'s execution role', { role: access, action: 'iam:PassRole', resource: world.tenant(victim).executionRoleArn, context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } }),
    denied('describes the other tenant\'s job', { role: access, action: 'sagemaker:DescribeTrainingJob', resource: world.jobArn(victimJob) }),
    denied('stops the other tenant\'s job', { role: access, action: 'sagemaker:StopTrainingJob', resource: world.jobArn(victimJob), context: tenantTag(victim) }),
    denied('stops a job named like its own but tagged for the other tenant', { role: access, action: 'sagemaker:StopTrainingJob', resource: world.jobArn(ownJob), context: tenantTag(victim) }),
    denied('reads the other tenant\'s dataset pointer', { role: access, action: 's3:GetObject', resource: `${datasets}/datasets/${victim}/cats/training/current.json` }),
    denied('reads the other tenant\'s manifest', { role: access, action: 's3:GetObject', resource: `${datasets}/datasets/${victim}/cats/training/${VERSION_A}/manifest.json` }),
    denied('lists the other tenant\'s datasets', { role: access, action: 's3:ListBucket', resource: datasets, context: { 's3:prefix': `datasets/${victim}/` } }),
    denied('lists every dataset', { role: access, action: 's3:ListBucket', resource: datasets, context: { 's3:prefix': 'datasets/' } }),
    denied('reads the other tenant\'s model', { role: access, action: 's3:GetObject', resource: `${artifacts}/jobs/${victim}/${victimJob}/output/model.tar.gz` }),
    denied('lists the other tenant\'s job artifacts', { role: access, action: 's3:ListBucket', resource: artifacts, context: { 's3:prefix': `jobs/${victim}/` } }),
    denied('reads the other tenant\'s job logs', { role: access, action: 'logs:GetLogEvents', resource: world.logStream(victimJob) }),
    denied('uploads below the other tenant\'s prefix', { role: access, action: 's3:PutObject', resource: `${uploads}/uploads/${victim}/cats/training.zip` }),
    denied('uploads a platform-owned shared dataset', { role: access, action: 's3:PutObject', resource: `${uploads}/uploads/shared/cats/training.zip` }),
    denied('writes a dataset directly', { role: access, action: 's3:PutObject', resource: `${datasets}/datasets/${actor}/cats/training/current.json` }),
    denied('assumes the other tenant\'s access role', { role: access, action: 'sts:AssumeRole', resource: world.tenant(victim).accessRoleArn }),
    // What the platform API does with the access role (uploads, dataset listing, job listing).
    allowed('lists the parts of its upload', { role: access, action: 's3:ListMultipartUploadParts', resource: `${uploads}/uploads/${actor}/cats/training.zip` }),
    allowed('aborts its upload', { role: access, action: 's3:AbortMultipartUpload', resource: `${uploads}/uploads/${actor}/cats/training.zip` }),
    allowed('lists its uploads', { role: access, action: 's3:ListBucket', resource: uploads, context: { 's3:prefix': `uploads/${actor}/` } }),
    allowed('reads its dataset\'s conversion status', { role: access, action: 's3:GetObject', resource: `${datasets}/datasets/${actor}/cats/training/conversion-status.json` }),
    denied('reads the other tenant\'s conversion status', { role: access, action: 's3:GetObject', resource: `${datasets}/datasets/${victim}/cats/training/conversion-status.json` }),
    allowed('reads its dataset\'s manifest', { role: access, action: 's3:GetObject', resource: `${datasets}/datasets/${actor}/cats/training/${VERSION_A}/manifest.json` }),
    allowed('reads the tags of its job', { role: access, action: 'sagemaker:ListTags', resource: world.jobArn(ownJob) }),
    denied('lists the parts of the other tenant\'s upload', { role: access, action: 's3:ListMultipartUploadParts', resource: `${uploads}/uploads/${victim}/cats/training.zip` }),
    denied('aborts the other tenant\'s upload', { role: access, action: 's3:AbortMultipartUpload', resource: `${uploads}/uploads/${victim}/cats/training.zip` }),
    denied('lists the other tenant\'s uploads', { role: access, action: 's3:ListBucket', resource: uploads, context: { 's3:prefix': `uploads/${victim}/` } }),
    denied('lists every upload', { role: access, action: 's3:ListBucket', resource: uploads, context: { 's3:prefix': 'uploads/' } }),
    denied('reads the other tenant\'s upload', { role: access, action: 's3:GetObject', resource: `${uploads}/uploads/${victim}/cats/training.zip` }),
    denied('reads the tags of the other tenant\'s job', { role: access, action: 'sagemaker:ListTags', resource: world.jobArn(victimJob) }),
    denied('searches every tenant\'s jobs', { role: access, action: 'sagemaker:Search', resource: '*' }),

    // The execution role: what the tenant's training containers can reach.
    allowed('jobs read its datasets', { role: execution, action: 's3:GetObject', resource: `${datasets}/datasets/${actor}/cats/training/${VERSION_A}/train-00000.tfrecord` }),
    allowed('jobs read shared datasets', { role: execution, action: 's3:GetObject', resource: `${datasets}/datasets/shared/cats/training/${VERSION_A}/train-00000.tfrecord` }),
    allowed('jobs write their model and checkpoints', { role: execution, action: 's3:PutObject', resource: `${artifacts}/jobs/${actor}/${ownJob}/checkpoints/step-1` }),
    allowed('jobs write their logs', { role: execution, action: 'logs:PutLogEvents', resource: world.logStream(ownJob) }),
    denied('jobs read the other tenant\'s datasets', { role: execution, action: 's3:GetObject', resource: `${datasets}/datasets/${victim}/cats/training/${VERSION_A}/train-00000.tfrecord` }),
    denied('jobs list the other tenant\'s datasets', { role: execution, action: 's3:ListBucket', resource: datasets, context: { 's3:prefix': `datasets/${victim}/` } }),
    denied('jobs write a shared dataset', { role: execution, action: 's3:PutObject', resource: `${datasets}/datasets/shared/cats/training/x` }),
    denied('jobs overwrite the other tenant\'s model', { role: execution, action: 's3:PutObject', resource: `${artifacts}/jobs/${victim}/${victimJob}/output/model.tar.gz` }),
    denied('jobs read the other tenant\'s checkpoints', { role: execution, action: 's3:GetObject', resource: `${artifacts}/jobs/${victim}/${victimJob}/checkpoints/step-1` }),
    denied('jobs write into the other tenant\'s log streams', { role: execution, action: 'logs:PutLogEvents', resource: world.logStream(victimJob) }),
  ];
}

// One synthesis of the example app for both regions (cdk-nag runs with it).
const templates = templatesByRegion(platformApp(['us-east-1', 'cn-north-1']));

describe.each([['us-east-1 (FSx for Lustre)', 'us-east-1'], ['cn-north-1 (EFS)', 'cn-north-1']])('tenant isolation by IAM, %s', (_, region) => {
  const world = new TenantWorld(region, templates.get(region)!);
  const cases: Case[] = [];

  beforeAll(async () => {
    for (const actor of TENANTS) {
      cases.push(...await casesFor(world, actor));
    }
  });

  test('every case of both tenants, each direction', async () => {
    const failures: string[] = [];
    for (const testCase of cases) {
      const decision = await world.simulator.simulate(testCase.request);
      const ok = testCase.expected === 'Denied' ? decision !== 'Allowed' : decision === testCase.expected;
      if (!ok) failures.push(`${testCase.name}: expected ${testCase.expected}, got ${decision} (${testCase.request.action} ${testCase.request.resource})`);
    }
    expect(failures).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(90);
  });

  test('the API\'s own role reaches no tenant data: it may only assume the access roles (trusted by each) and invoke the launcher', async () => {
    const api = world.apiRole();
    const datasets = world.bucket(/^DatasetBucket[0-9A-F]{8}$/);
    const uploads = world.bucket(/^IngestionUploadBucket/);
    const artifacts = world.bucket(/^TrainingJobLauncherArtifactsBucket/);
    const launcher = world.simulator.arnOf(world.simulator.logicalId('AWS::Lambda::Function', /^TrainingJobLauncherFunction/));
    const failures: string[] = [];
    const expectDecision = async (request: Omit<SimulatedRequest, 'role'>, allowed: boolean) => {
      const decision = await world.simulator.simulate({ role: api, ...request });
      if ((decision === 'Allowed') !== allowed) failures.push(`API role ${request.action} ${request.resource}: got ${decision}`);
    };
    for (const tenant of TENANTS) {
      const job = `dsp-${tenant}-run-0-0123abcd`;
      await expectDecision({ action: 'sts:AssumeRole', resource: world.tenant(tenant).accessRoleArn, resourcePolicy: world.simulator.trustPolicy(world.accessRole(tenant)) }, true);
      const requests: Omit<SimulatedRequest, 'role'>[] = [
        { action: 's3:GetObject', resource: `${datasets}/datasets/${tenant}/cats/training/current.json` },
        { action: 's3:GetObject', resource: `${datasets}/datasets/${tenant}/cats/training/${VERSION_A}/manifest.json` },
        { action: 's3:ListBucket', resource: datasets, context: { 's3:prefix': `datasets/${tenant}/` } },
        { action: 's3:ListBucket', resource: uploads, context: { 's3:prefix': `uploads/${tenant}/` } },
        { action: 's3:PutObject', resource: `${uploads}/uploads/${tenant}/cats/training.zip` },
        { action: 's3:ListMultipartUploadParts', resource: `${uploads}/uploads/${tenant}/cats/training.zip` },
        { action: 's3:GetObject', resource: `${artifacts}/jobs/${tenant}/${job}/output/model.tar.gz` },
        { action: 'sagemaker:DescribeTrainingJob', resource: world.jobArn(job) },
        { action: 'sagemaker:ListTags', resource: world.jobArn(job) },
        { action: 'sagemaker:StopTrainingJob', resource: world.jobArn(job), context: { [`aws:ResourceTag/${TENANT_TAG}`]: tenant } },
        { action: 'sagemaker:CreateTrainingJob', resource: world.jobArn(job) },
        { action: 'logs:GetLogEvents', resource: world.logStream(job) },
      ];
      for (const request of requests) {
        await expectDecision(request, false);
      }
    }
    for (const request of [{ action: 'sagemaker:Search', resource: '*' }, { action: 'sagemaker:ListTrainingJobs', resource: '*' }]) {
      await expectDecision(request, false);
    }
    await expectDecision({ action: 'lambda:InvokeFunction', resource: launcher }, true);
    expect(failures).toEqual([]);
  });

  test('a tenant\'s instance types narrow the launcher\'s, in IAM too (speech may not use ml.g5.2xlarge; vision may)', async () => {
    for (const [actor, expected] of [['vision', 'Allowed'], ['speech', 'ImplicitlyDenied']] as const) {
      const request = await world.launchRequest('vision', { training: { source: 's3' } }, 'ml.g5.2xlarge');
      const context = createContext(request);
      const job = request.TrainingJobName!.replace('-vision-', `-${actor}-`);
      await expect(world.simulator.simulate({
        role: world.accessRole(actor), action: 'sagemaker:CreateTrainingJob', resource: world.jobArn(job), context: withTag(context, actor),
      })).resolves.toBe(expected);
    }
  });

  test('the launcher function acts only through the access roles: it may assume both, and may create no job itself', async () => {
    for (const tenant of TENANTS) {
      await expect(world.simulator.simulate({ role: world.launcherRole(), action: 'sts:AssumeRole', resource: world.tenant(tenant).accessRoleArn, resourcePolicy: world.simulator.trustPolicy(world.accessRole(tenant)) }))
        .resolves.toBe('Allowed');
    }
    const request = await world.launchRequest('vision', { training: { source: 's3' } });
    await expect(world.simulator.simulate({ role: world.launcherRole(), action: 'sagemaker:CreateTrainingJob', resource: world.jobArn(request.TrainingJobName!), context: createContext(request) }))
      .resolves.toBe('ImplicitlyDenied');
    // The other tenant's access role is not trusted by this tenant's access role.
    await expect(world.simulator.simulate({ role: world.accessRole('speech'), action: 'sts:AssumeRole', resource: world.tenant('vision').accessRoleArn, resourcePolicy: world.simulator.trustPolicy(world.accessRole('vision')) }))
      .resolves.not.toBe('Allowed');
  });
});
