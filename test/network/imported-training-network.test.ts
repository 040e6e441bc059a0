import { App, Errors, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { LustreDatasetFileSystem, TrainingEndpoint, TrainingJobLauncher, TrainingNetwork, TrainingNetworkAttributes } from '../../lib';

const ATTRS: TrainingNetworkAttributes = {
  vpcId: 'vpc-0123456789abcdef0',
  availabilityZones: ['us-east-1a', 'us-east-1b'],
  trainingSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
  trainingSubnetRouteTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0bbbbbbbbbbbbbbb2'],
  trainingSecurityGroupId: 'sg-0a1b2c3d4e5f60001',
  endpointSecurityGroupId: 'sg-0a1b2c3d4e5f60002',
  interfaceEndpoints: [TrainingEndpoint.SAGEMAKER_API, TrainingEndpoint.EVENTBRIDGE, TrainingEndpoint.STS, TrainingEndpoint.CLOUDWATCH_LOGS],
};

function teamStack() {
  return new Stack(new App(), 'Team', { env: { region: 'us-east-1', account: '111122223333' } });
}

describe('TrainingNetwork.fromTrainingNetworkAttributes', () => {
  test('exposes the VPC, subnets (with AZ and route table), groups and declared endpoints', () => {
    const stack = teamStack();
    const network = TrainingNetwork.fromTrainingNetworkAttributes(stack, 'Network', ATTRS);
    expect(network.vpc.vpcId).toBe(ATTRS.vpcId);
    expect(network.trainingSubnetList().map((s) => [s.subnetId, s.availabilityZone, s.routeTable.routeTableId])).toEqual([
      ['subnet-0aaaaaaaaaaaaaaa1', 'us-east-1a', 'rtb-0aaaaaaaaaaaaaaa1'],
      ['subnet-0bbbbbbbbbbbbbbb2', 'us-east-1b', 'rtb-0bbbbbbbbbbbbbbb2'],
    ]);
    expect(network.availabilityZones).toEqual(['us-east-1a', 'us-east-1b']);
    expect(network.trainingSecurityGroup.securityGroupId).toBe(ATTRS.trainingSecurityGroupId);
    expect(network.endpointSecurityGroup?.securityGroupId).toBe(ATTRS.endpointSecurityGroupId);
    expect(network.connections.securityGroups.map((g) => g.securityGroupId)).toEqual([ATTRS.trainingSecurityGroupId]);
    expect(network.hasInterfaceEndpoint(TrainingEndpoint.SAGEMAKER_API)).toBe(true);
    expect(network.hasInterfaceEndpoint(TrainingEndpoint.SQS)).toBe(false);
    expect(network.subnetsInAvailabilityZone('us-east-1b').subnets!.map((s) => s.subnetId)).toEqual(['subnet-0bbbbbbbbbbbbbbb2']);
    expect(() => network.subnetsInAvailabilityZone('us-east-1c')).toThrow(/no training subnet in Availability Zone 'us-east-1c'. Pick one of the training AZs: us-east-1a, us-east-1b/);
  });

  test('a team stack that imports the network and runs a launcher and a file system creates no VPC endpoint, VPC or subnet', () => {
    const stack = teamStack();
    const network = TrainingNetwork.fromTrainingNetworkAttributes(stack, 'Network', ATTRS);
    const fileSystem = LustreDatasetFileSystem.fromLustreDatasetFileSystemAttributes(stack, 'Datasets', {
      fileSystemId: 'fs-0123456789abcdef0', mountName: 'abcd1234', securityGroupId: 'sg-0a1b2c3d4e5f60003',
      subnetId: 'subnet-0aaaaaaaaaaaaaaa1', availabilityZone: 'us-east-1a', network,
    });
    const launcher = new TrainingJobLauncher(stack, 'Launcher', {
      network, fileSystem, datasetBucket: s3.Bucket.fromBucketName(stack, 'Datasets-Bucket', 'platform-datasets'),
      trainingImageRepositories: [ecr.Repository.fromRepositoryName(stack, 'Repo', 'train')],
      allowedInstanceTypes: ['ml.g5.xlarge'],
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    t.resourceCountIs('AWS::EC2::VPC', 0);
    t.resourceCountIs('AWS::EC2::Subnet', 0);
    t.resourceCountIs('AWS::EC2::SecurityGroup', 2); // the launcher's two functions' own groups only
    // The launcher's endpoint checks read the declared endpoints: no "add the endpoint" warning.
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('interface endpoint'))).toEqual([]);
    // The launcher function reaches the existing endpoints over HTTPS, written in the team stack.
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: ATTRS.endpointSecurityGroupId, IpProtocol: 'tcp', FromPort: 443, ToPort: 443,
      SourceSecurityGroupId: Match.objectLike({ 'Fn::GetAtt': Match.anyValue() }),
    });
    // Training jobs read the file system: Lustre ports from the imported training group.
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0a1b2c3d4e5f60003', IpProtocol: 'tcp', FromPort: 988, ToPort: 988, SourceSecurityGroupId: ATTRS.trainingSecurityGroupId,
    });
    expect(launcher).toBeDefined();
  });

  test('a service missing from interfaceEndpoints still warns, naming the imported network fix', () => {
    const stack = teamStack();
    const network = TrainingNetwork.fromTrainingNetworkAttributes(stack, 'Network', { ...ATTRS, interfaceEndpoints: [TrainingEndpoint.EVENTBRIDGE] });
    new TrainingJobLauncher(stack, 'Launcher', {
      network, datasetBucket: s3.Bucket.fromBucketName(stack, 'B', 'platform-datasets'),
      trainingImageRepositories: [ecr.Repository.fromRepositoryName(stack, 'Repo', 'train')], allowedInstanceTypes: ['ml.g5.xlarge'],
    });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('SAGEMAKER_API interface endpoint'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0].entry.data)).toMatch(/list it in interfaceEndpoints of fromTrainingNetworkAttributes/);
  });

  test('subnets with egress: no missing-endpoint warning, but a warning that HTTPS goes to the internet', () => {
    const stack = teamStack();
    const network = TrainingNetwork.fromTrainingNetworkAttributes(stack, 'Network', { ...ATTRS, interfaceEndpoints: [], endpointSecurityGroupId: undefined, trainingSubnetsHaveEgress: true });
    new TrainingJobLauncher(stack, 'Launcher', {
      network, datasetBucket: s3.Bucket.fromBucketName(stack, 'B', 'platform-datasets'),
      trainingImageRepositories: [ecr.Repository.fromRepositoryName(stack, 'Repo', 'train')], allowedInstanceTypes: ['ml.g5.xlarge'],
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('the VPC has no .* interface endpoint'))).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('allow HTTPS \\(443\\) to any address'))).toHaveLength(1);
    expect(network.vpc.privateSubnets).toHaveLength(2);
  });

  test.each<[string, Partial<TrainingNetworkAttributes>, RegExp]>([
    ['no subnets', { trainingSubnetIds: [], availabilityZones: [], trainingSubnetRouteTableIds: [] }, /trainingSubnetIds is empty/],
    ['fewer AZs than subnets', { availabilityZones: ['us-east-1a'] }, /availabilityZones has 1 entries but trainingSubnetIds has 2\. Give one Availability Zone per training subnet/],
    ['fewer route tables than subnets', { trainingSubnetRouteTableIds: ['rtb-1'] }, /trainingSubnetRouteTableIds has 1 entries but trainingSubnetIds has 2/],
    ['endpoints without their group', { endpointSecurityGroupId: undefined }, /interfaceEndpoints lists .* but endpointSecurityGroupId is missing/],
    ['an unknown endpoint', { interfaceEndpoints: ['S3' as TrainingEndpoint] }, /interfaceEndpoints has unknown value\(s\) "S3"/],
  ])('refuses %s with a ValidationError', (_name, override, message) => {
    let thrown: unknown;
    try {
      TrainingNetwork.fromTrainingNetworkAttributes(teamStack(), 'Network', { ...ATTRS, ...override });
    } catch (error) {
      thrown = error;
    }
    expect(Errors.isValidationError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(message);
  });
});
