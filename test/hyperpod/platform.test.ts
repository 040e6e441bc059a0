import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { DatasetPlatformApp, DatasetPlatformStack } from '../../lib';
import { parseHyperPodFlag } from '../../lib/platform/dataset-platform-app';
import { rulesOf } from '../filesystems/support';
import { cfnLintVersion, lintTemplates } from '../support/cfn-lint';
import { CFN_LINT, describeWithTool } from '../support/external-tool';
import { nagFindings } from '../support/nag';

/** What `npx cdk synth -c hyperPod=true` builds. */
const app = new DatasetPlatformApp({ context: { regions: 'us-east-1,cn-north-1', hyperPod: 'true' } });
const [usEast1, cnNorth1] = app.stacks;
const templates = new Map<DatasetPlatformStack, Template>();
const templateOf = (stack: DatasetPlatformStack) => {
  if (!templates.has(stack)) templates.set(stack, Template.fromStack(stack));
  return templates.get(stack)!;
};

describe('npx cdk synth -c hyperPod=true', () => {
  test('us-east-1 gets one HyperPod cluster in the file system\'s Availability Zone', () => {
    const template = templateOf(usEast1);
    const clusters = template.findResources('AWS::SageMaker::Cluster');
    expect(Object.keys(clusters)).toHaveLength(1);
    const cluster = Object.values(clusters)[0] as { Properties: { VpcConfig: { Subnets: unknown[] }; InstanceGroups: Array<Record<string, unknown>> } };
    const fsx = Object.values(template.findResources('AWS::FSx::FileSystem'))[0] as { Properties: { SubnetIds: unknown[] } };
    expect(cluster.Properties.VpcConfig.Subnets).toEqual(fsx.Properties.SubnetIds);
    expect(cluster.Properties.InstanceGroups.map((g) => [g.InstanceGroupName, g.InstanceType, g.InstanceCount, g.ThreadsPerCore])).toEqual([
      ['controller', 'ml.m5.xlarge', 1, undefined],
      ['gpu', 'ml.g5.8xlarge', 2, 1],
    ]);
  });

  test('us-east-1: the platform key encrypts every node\'s volumes (root and extra), in continuous provisioning', () => {
    const template = templateOf(usEast1);
    const keyArn = { 'Fn::GetAtt': [usEast1.getLogicalId(usEast1.encryptionKey!.node.defaultChild as never), 'Arn'] };
    const cluster = Object.values(template.findResources('AWS::SageMaker::Cluster'))[0] as { Properties: { NodeProvisioningMode?: string; InstanceGroups: Array<{ InstanceStorageConfigs?: unknown[] }> } };
    expect(cluster.Properties.NodeProvisioningMode).toBe('Continuous');
    for (const group of cluster.Properties.InstanceGroups) {
      expect(group.InstanceStorageConfigs).toContainEqual({ EbsVolumeConfig: { RootVolume: true, VolumeKmsKeyId: keyArn } });
      for (const config of group.InstanceStorageConfigs ?? []) expect(config).toMatchObject({ EbsVolumeConfig: { VolumeKmsKeyId: keyArn } });
    }
  });

  test('us-east-1: the lifecycle scripts come from an asset deployed to the platform\'s lifecycle bucket', () => {
    const template = templateOf(usEast1);
    const bucketId = usEast1.getLogicalId(usEast1.hyperPodCluster!.lifecycleScriptsBucket.node.defaultChild as never);
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      SourceBucketNames: Match.arrayWith([{ 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-us-east-1' }]),
      DestinationBucketName: { Ref: bucketId },
    });
    const cluster = Object.values(template.findResources('AWS::SageMaker::Cluster'))[0] as { Properties: { InstanceGroups: Array<{ LifeCycleConfig: unknown }> } };
    for (const group of cluster.Properties.InstanceGroups) {
      expect(group.LifeCycleConfig).toEqual({
        OnCreate: 'on_create.sh',
        SourceS3Uri: { 'Fn::Join': ['', ['s3://', { Ref: bucketId }, `/hyperpod/${usEast1.hyperPodCluster!.clusterName}/`]] },
      });
    }
  });

  test('us-east-1: the cluster group admits all traffic from and to itself (EFA), and the results directory exports to results/', () => {
    const template = templateOf(usEast1);
    const rules = rulesOf(template, 'HyperPodClusterSecurityGroup');
    expect(rules).toEqual(expect.arrayContaining([
      { direction: 'ingress', group: 'HyperPodClusterSecurityGroup', peer: 'HyperPodClusterSecurityGroup', protocol: '-1', from: undefined, to: undefined },
      { direction: 'egress', group: 'HyperPodClusterSecurityGroup', peer: 'HyperPodClusterSecurityGroup', protocol: '-1', from: undefined, to: undefined },
    ]));
    template.hasResourceProperties('AWS::FSx::DataRepositoryAssociation', { FileSystemPath: '/results', S3: { AutoExportPolicy: { Events: ['NEW', 'CHANGED', 'DELETED'] } } });
  });

  test('cn-north-1 gets no cluster and a warning that says why', () => {
    expect(cnNorth1.hyperPodCluster).toBeUndefined();
    templateOf(cnNorth1).resourceCountIs('AWS::SageMaker::Cluster', 0);
    templateOf(cnNorth1).resourceCountIs('Custom::CDKBucketDeployment', 0);
    const warnings = Annotations.fromStack(cnNorth1).findWarning('*', Match.stringLikeRegexp('No HyperPod cluster in cn-north-1: CloudFormation cannot create AWS::SageMaker::Cluster here'));
    expect(warnings).toHaveLength(1);
  });

  test('both stacks have zero cdk-nag findings', () => {
    expect(nagFindings(usEast1)).toEqual([]);
    expect(nagFindings(cnNorth1)).toEqual([]);
  });

  test('without the flag no stack has a cluster', () => {
    const plain = new DatasetPlatformApp({ context: { regions: 'us-east-1' } });
    expect(plain.stacks[0].hyperPodCluster).toBeUndefined();
    expect(plain.stacks[0].node.tryFindChild('HyperPodCluster')).toBeUndefined();
  });
});

describeWithTool(CFN_LINT, 'npx cdk synth -c hyperPod=true: cfn-lint', () => {
  test.concurrent.each([['us-east-1'], ['cn-north-1']])('%s has zero errors and warnings', async (region) => {
    const stack = app.stacks.find((s: Stack) => s.region === region)!;
    const problems = await lintTemplates(region, { [region]: templateOf(stack).toJSON() });
    if (problems.length > 0) {
      throw new Error(`${cfnLintVersion()} on ${region}:\n${problems.join('\n')}`);
    }
  });
});

describe('the hyperPod context flag', () => {
  test.each([[undefined, false], [false, false], ['false', false], [true, true], ['true', true]])('%s reads as %s', (value, expected) => {
    expect(parseHyperPodFlag(value)).toBe(expected);
  });

  test.each([['yes'], [1], ['TRUE']])('%s is refused with the accepted values', (value) => {
    expect(() => parseHyperPodFlag(value)).toThrow(/Context 'hyperPod' must be true or false \(got .*\); e\.g\. npx cdk synth -c hyperPod=true/);
  });
});
