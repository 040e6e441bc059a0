import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { exampleTenants } from '../../bin/example-tenants';
import { DatasetPlatformStack, TrainingImageRepository } from '../../lib';
import { IamSimulator } from '../support/iam-simulator';

const ENV = { account: '111111111111', region: 'us-east-1' };
const PUSH = ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:BatchDeleteImage'];
const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];

/** The platform stack with a CI role as the only pusher, and an account administrator that is not one. */
function platform() {
  const app = new App();
  const stack = new DatasetPlatformStack(app, 'Platform', { env: ENV, tenants: exampleTenants(), trainingImagePushers: [new iam.ArnPrincipal('arn:aws:iam::111111111111:role/image-builder')] });
  const admin = new iam.Role(stack, 'OutsiderAdmin', { assumedBy: new iam.AccountRootPrincipal() });
  admin.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:*'], resources: ['*'] }));
  const builder = new iam.Role(stack, 'ImageBuilder', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'image-builder' });
  builder.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...PUSH, ...PULL], resources: ['*'] }));
  const template = Template.fromStack(stack);
  const simulator = new IamSimulator(template, { region: 'us-east-1' });
  const repositoryId = simulator.logicalId('AWS::ECR::Repository', /^TrainingImages/);
  return { stack, template, simulator, repositoryArn: simulator.arnOf(repositoryId), policy: simulator.repositoryPolicy(repositoryId)! };
}

describe('the platform\'s training-image repository policy', () => {
  const { simulator, repositoryArn, policy } = platform();
  const simulate = (role: string, action: string) => simulator.simulate({ role, action, resource: repositoryArn, resourcePolicy: policy });

  test('names the pushers, denies everyone else pushing, and lets each tenant\'s execution role pull', () => {
    const statements = policy.Statement as Array<{ Sid: string; Effect: string; Principal: unknown; Action: string[]; Condition?: unknown }>;
    expect(statements.map((s) => [s.Sid, s.Effect])).toEqual([['OnlyPushersPush', 'Deny'], ['PushersPush', 'Allow'], ['TrainingJobsPull', 'Allow']]);
    expect(statements[0]).toMatchObject({ Principal: { AWS: '*' }, Condition: { ArnNotEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/image-builder'] } } });
    const executionRoles = ['vision', 'speech'].map((tenant) => simulator.roleArn(simulator.roleNamed(new RegExp(`^TrainingJobLauncherTenant${tenant}ExecutionRole`))));
    expect([statements[2].Principal].flatMap((p) => [(p as { AWS: string | string[] }).AWS].flat()).sort()).toEqual(executionRoles.sort());
  });

  test.each(PUSH)('%s: the pusher is allowed, an administrator of the account is explicitly denied', async (action) => {
    await expect(simulate(simulator.roleNamed(/^ImageBuilder/), action)).resolves.toBe('Allowed');
    await expect(simulate(simulator.roleNamed(/^OutsiderAdmin/), action)).resolves.toBe('ExplicitlyDenied');
  });

  test.each(PULL)('%s: training jobs pull with their execution role', async (action) => {
    await expect(simulate(simulator.roleNamed(/^TrainingJobLauncherTenantvisionExecutionRole/), action)).resolves.toBe('Allowed');
  });

  test('an execution role cannot push', async () => {
    await expect(simulate(simulator.roleNamed(/^TrainingJobLauncherTenantvisionExecutionRole/), 'ecr:PutImage')).resolves.not.toBe('Allowed');
  });
});

describe('TrainingImageRepository', () => {
  test('without pushers: no push restriction, pulls for execution roles only', () => {
    const stack = new Stack(new App(), 'S', { env: ENV });
    const repository = new TrainingImageRepository(stack, 'Images');
    repository.allowTrainingJobPulls(new iam.Role(stack, 'Exec', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') }));
    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::ECR::Repository')) as Array<{ Properties: { RepositoryPolicyText: { Statement: Array<{ Sid: string }> }; ImageTagMutability: string; ImageScanningConfiguration: unknown } }>;
    expect(resource.Properties.RepositoryPolicyText.Statement.map((s) => s.Sid)).toEqual(['TrainingJobsPull']);
    expect(resource.Properties).toMatchObject({ ImageTagMutability: 'IMMUTABLE', ImageScanningConfiguration: { ScanOnPush: true } });
  });

  test('an empty pusher list is refused (nobody could push)', () => {
    expect(() => new TrainingImageRepository(new Stack(), 'Images', { pushers: [] })).toThrow(/pushers is empty, so nobody could push an image/);
  });

  test('a service principal cannot be a pusher', () => {
    expect(() => new TrainingImageRepository(new Stack(), 'Images', { pushers: [new iam.ServicePrincipal('codebuild.amazonaws.com')] })).toThrow(/has no principal ARN/);
  });
});
