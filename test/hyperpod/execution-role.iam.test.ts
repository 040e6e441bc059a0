import { Template } from 'aws-cdk-lib/assertions';
import { IamSimulator } from '../support/iam-simulator';
import { clusterStack } from './support';

/** The execution role's boundary, proven with the offline IAM simulator over the synthesized template. */
describe('HyperPod execution role (offline IAM simulation)', () => {
  const { stack, cluster, template } = clusterStack({ props: { clusterName: 'vision' } });
  let iam: IamSimulator;
  let role: string;
  let scripts: string;
  let subnetArn: string;
  let vpcArn: string;
  beforeAll(() => {
    iam = new IamSimulator(template() as Template, { region: 'us-east-1' });
    role = iam.roleNamed(/^ClusterExecutionRole[0-9A-F]{8}$/);
    scripts = iam.bucketArn(/^ClusterLifecycleScriptsBucket[0-9A-F]{8}$/);
    subnetArn = iam.arn('ec2', `subnet/${iam.physicalId(stack.getLogicalId(cluster.subnet.node.defaultChild as never))}`);
    vpcArn = iam.arn('ec2', `vpc/${iam.physicalId(stack.getLogicalId(cluster.node.scope!.node.findChild('Network').node.findChild('Vpc').node.defaultChild as never))}`);
  });
  const simulate = (action: string, resource: string, context?: Record<string, string | string[]>) => iam.simulate({ role, action, resource, context });

  test('reads its own lifecycle scripts, and nothing else of the bucket', async () => {
    expect(await simulate('s3:GetObject', `${scripts}/hyperpod/vision/on_create.sh`)).toBe('Allowed');
    expect(await simulate('s3:ListBucket', scripts, { 's3:prefix': 'hyperpod/vision/' })).toBe('Allowed');
    expect(await simulate('s3:GetObject', `${scripts}/hyperpod/other-cluster/on_create.sh`)).toBe('ImplicitlyDenied');
    expect(await simulate('s3:ListBucket', scripts, { 's3:prefix': 'hyperpod/' })).toBe('ImplicitlyDenied');
    expect(await simulate('s3:PutObject', `${scripts}/hyperpod/vision/on_create.sh`)).toBe('ImplicitlyDenied');
  });

  test('writes logs to its own cluster\'s log groups only', async () => {
    const own = iam.arn('logs', 'log-group:/aws/sagemaker/Clusters/vision/abc123def456:log-stream:LifecycleConfig/controller/i-0abc');
    const other = iam.arn('logs', 'log-group:/aws/sagemaker/Clusters/other/abc123def456:log-stream:x');
    expect(await simulate('logs:PutLogEvents', own)).toBe('Allowed');
    expect(await simulate('logs:CreateLogGroup', iam.arn('logs', 'log-group:/aws/sagemaker/Clusters/vision/abc123def456'))).toBe('Allowed');
    expect(await simulate('logs:PutLogEvents', other)).toBe('ImplicitlyDenied');
    expect(await simulate('logs:DeleteLogGroup', iam.arn('logs', 'log-group:/aws/sagemaker/Clusters/vision/abc123def456'))).toBe('ImplicitlyDenied');
  });

  test('puts metrics in the HyperPod namespace only', async () => {
    expect(await simulate('cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': '/aws/sagemaker/Clusters' })).toBe('Allowed');
    expect(await simulate('cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': 'Custom/Other' })).toBe('ImplicitlyDenied');
  });

  test('creates network interfaces only in the cluster subnet, and deletes them only in its VPC', async () => {
    expect(await simulate('ec2:CreateNetworkInterface', subnetArn)).toBe('Allowed');
    expect(await simulate('ec2:CreateNetworkInterface', iam.arn('ec2', 'subnet/subnet-0other'))).toBe('ImplicitlyDenied');
    expect(await simulate('ec2:DeleteNetworkInterface', iam.arn('ec2', 'network-interface/eni-0abc'), { 'ec2:Vpc': vpcArn })).toBe('Allowed');
    expect(await simulate('ec2:DeleteNetworkInterface', iam.arn('ec2', 'network-interface/eni-0abc'), { 'ec2:Vpc': iam.arn('ec2', 'vpc/vpc-0other') })).toBe('ImplicitlyDenied');
    expect(await simulate('ec2:CreateTags', iam.arn('ec2', 'network-interface/eni-0abc'), { 'ec2:CreateAction': 'CreateNetworkInterface' })).toBe('Allowed');
    expect(await simulate('ec2:CreateTags', iam.arn('ec2', 'instance/i-0abc'), { 'ec2:CreateAction': 'RunInstances' })).toBe('ImplicitlyDenied');
  });

  test('cannot touch the datasets in S3, the FSx API or other services (the mount needs none of them)', async () => {
    expect(await simulate('fsx:DescribeFileSystems', '*')).toBe('ImplicitlyDenied');
    expect(await simulate('s3:GetObject', `${iam.bucketArn(/^Bucket[0-9A-F]{8}$/)}/datasets/x`)).toBe('ImplicitlyDenied');
    expect(await simulate('sagemaker:CreateTrainingJob', iam.arn('sagemaker', 'training-job/x'))).toBe('ImplicitlyDenied');
    expect(await simulate('iam:PassRole', iam.roleArn(role))).toBe('ImplicitlyDenied');
  });

  test('only SageMaker may assume it', () => {
    expect(iam.trustPolicy(role).Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }]);
  });
});
