import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IamSimulator } from '../support/iam-simulator';

/** The harness itself: policies come from the synthesized template, intrinsics resolve to fixed ARNs, and decisions are IAM's. */
function fixture(region: string) {
  const stack = new Stack(new App(), 'Harness', { env: { region } });
  const bucket = new s3.Bucket(stack, 'Data');
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  // Not bucket.grantRead: it also allows s3:List* on the whole bucket (the simulator shows it; see the ListBucket cases).
  reader.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('team/*')] }));
  reader.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': ['team/*'] } },
  }));
  reader.addToPrincipalPolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY, actions: ['s3:GetObject'], resources: [bucket.arnForObjects('team/secret/*')],
  }));
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions: ['s3:*'], resources: [bucket.arnForObjects('*')],
    conditions: { Bool: { 'aws:SecureTransport': 'false' } },
  }));
  return new IamSimulator(Template.fromStack(stack), { region });
}

describe('IamSimulator', () => {
  const simulator = fixture('us-east-1');
  const role = simulator.roleNamed(/^Reader/);
  const bucket = simulator.bucketArn(/^Data/);

  test('resolves ARNs with the fixed account, region and partition', () => {
    expect(simulator.roleArn(role)).toBe(`arn:aws:iam::111111111111:role/${role}`);
    expect(bucket).toMatch(/^arn:aws:s3:::data[0-9a-f]+$/);
    expect(fixture('cn-north-1').bucketArn(/^Data/)).toMatch(/^arn:aws-cn:s3:::/);
    expect(JSON.stringify(simulator.identityPolicies(role))).not.toMatch(/Fn::|"Ref"/);
  });

  test.each([
    ['s3:GetObject', '/team/a.txt', {}, 'Allowed'],
    ['s3:GetObject', '/other/a.txt', {}, 'ImplicitlyDenied'],
    ['s3:GetObject', '/team/secret/a.txt', {}, 'ExplicitlyDenied'],
    ['s3:PutObject', '/team/a.txt', {}, 'ImplicitlyDenied'],
    ['s3:ListBucket', '', { 's3:prefix': 'team/x' }, 'Allowed'],
    ['s3:ListBucket', '', { 's3:prefix': 'other/' }, 'ImplicitlyDenied'],
  ] as const)('%s %s %j → %s', async (action, key, context, decision) => {
    await expect(simulator.simulate({ role, action, resource: `${bucket}${key}`, context })).resolves.toBe(decision);
  });

  test('a resource policy takes part', async () => {
    const resourcePolicy = simulator.bucketPolicy(simulator.logicalId('AWS::S3::Bucket', /^Data/))!;
    const request = { role, action: 's3:GetObject', resource: `${bucket}/team/a.txt`, resourcePolicy };
    await expect(simulator.simulate({ ...request, context: { 'aws:SecureTransport': 'true' } })).resolves.toBe('Allowed');
    await expect(simulator.simulate({ ...request, context: { 'aws:SecureTransport': 'false' } })).resolves.toBe('ExplicitlyDenied');
  });

  test('a context key the action does not use is an error, not a silent pass', async () => {
    await expect(simulator.simulate({ role, action: 's3:GetObject', resource: `${bucket}/team/a`, context: { 'sagemaker:InstanceTypes': ['ml.m5.xlarge'] } }))
      .rejects.toThrow('does not use the context keys');
  });
});
