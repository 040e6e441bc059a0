import { App, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { TrainingEndpoint, TrainingNetwork, TrainingNetworkProps, TrainingSubnetMode } from '../../lib';

function networkStack(props: TrainingNetworkProps = {}, region = 'us-east-1') {
  const stack = new Stack(new App(), 'Test', { env: { region } });
  const network = new TrainingNetwork(stack, 'Network', props);
  return { stack, network, template: () => Template.fromStack(stack) };
}

function importedVpc(stack: Stack, kind: 'isolated' | 'private' | 'public-only') {
  return ec2.Vpc.fromVpcAttributes(stack, 'Existing', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    vpcCidrBlock: '10.1.0.0/16',
    ...(kind === 'isolated' ? { isolatedSubnetIds: ['subnet-i1', 'subnet-i2'], isolatedSubnetRouteTableIds: ['rtb-i1', 'rtb-i2'] } : {}),
    ...(kind === 'private' ? { privateSubnetIds: ['subnet-p1', 'subnet-p2'], privateSubnetRouteTableIds: ['rtb-p1', 'rtb-p2'] } : {}),
    publicSubnetIds: ['subnet-pub1', 'subnet-pub2'],
    publicSubnetRouteTableIds: ['rtb-pub1', 'rtb-pub2'],
  });
}

const ALL_SERVICE_SUFFIXES = ['sagemaker.api', 'sts', 'logs', 'sqs', 'events', 'ecr.api', 'ecr.dkr', 'states', 'lambda'];

describe('TrainingNetwork defaults (new isolated VPC)', () => {
  const { network, template } = networkStack();
  const t = template();

  test('creates a VPC with isolated subnets in two AZs, no NAT and no internet gateway', () => {
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.resourceCountIs('AWS::EC2::Subnet', 2);
    t.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false, CidrBlock: Match.stringLikeRegexp('/20$') });
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::InternetGateway', 0);
    t.resourcePropertiesCountIs('AWS::EC2::Route', { DestinationCidrBlock: '0.0.0.0/0' }, 0);
    expect(network.availabilityZones).toHaveLength(2);
    expect(network.trainingSubnetList()).toHaveLength(2);
  });

  test('adds an S3 gateway endpoint on the route table of every training subnet', () => {
    const routeTables = network.trainingSubnetList().map((subnet) => ({ Ref: Stack.of(network).getLogicalId(subnet.node.findChild('RouteTable') as ec2.CfnRouteTable) }));
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
      RouteTableIds: routeTables,
    });
    expect(network.s3GatewayEndpoint).toBeDefined();
  });

  test('creates every interface endpoint in the training subnets behind one closed security group', () => {
    for (const suffix of ALL_SERVICE_SUFFIXES) {
      t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        ServiceName: `com.amazonaws.us-east-1.${suffix}`,
        PrivateDnsEnabled: true,
        SubnetIds: network.trainingSubnetList().map((subnet) => ({ Ref: Stack.of(network).getLogicalId(subnet.node.defaultChild as ec2.CfnSubnet) })),
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkEndpointSecurityGroup'), 'GroupId'] }],
      });
    }
    expect(network.interfaceEndpoints).toHaveLength(ALL_SERVICE_SUFFIXES.length);
    expect(network.interfaceEndpoint(TrainingEndpoint.SAGEMAKER_API)).toBeDefined();
  });

  test('the endpoint security group admits HTTPS only from the training security group, never from a CIDR', () => {
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp', FromPort: 443, ToPort: 443,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkEndpointSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkTrainingSecurityGroup'), 'GroupId'] },
    });
    const groups = t.findResources('AWS::EC2::SecurityGroup');
    for (const group of Object.values(groups)) {
      for (const rule of group.Properties.SecurityGroupIngress ?? []) {
        expect(rule.CidrIp).toBeUndefined();
      }
    }
    t.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { CidrIp: Match.anyValue() }, 0);
  });

  test('the training security group admits only itself (distributed training), nothing else', () => {
    const self = { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkTrainingSecurityGroup'), 'GroupId'] };
    t.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: 'SageMaker training jobs of the dataset platform', SecurityGroupIngress: Match.absent() });
    const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: self } }));
    expect(ingress.map((rule) => rule.Properties)).toEqual([
      { IpProtocol: '-1', GroupId: expect.anything(), SourceSecurityGroupId: expect.anything(), Description: 'All traffic between members of this group' },
    ]);
    expect(JSON.stringify(ingress[0].Properties.SourceSecurityGroupId)).toBe(JSON.stringify(ingress[0].Properties.GroupId));
  });

  test('sends all VPC traffic to a flow-log group kept for one year and retained', () => {
    t.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    t.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain' });
    expect(network.flowLogGroup).toBeDefined();
  });

  test('closes the default security group of the new VPC', () => {
    t.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });
});

describe('TrainingNetwork props', () => {
  test('maxAzs spreads the training subnets over more AZs', () => {
    const { network, template } = networkStack({ maxAzs: 3 }, 'us-east-1');
    // An account-agnostic stack sees two AZs through Fn::GetAZs; pin them with a context lookup value.
    expect(network.availabilityZones.length).toBeGreaterThanOrEqual(2);
    template().resourceCountIs('AWS::EC2::Subnet', network.availabilityZones.length);
  });

  test('ipAddresses sets the VPC CIDR', () => {
    const { template } = networkStack({ ipAddresses: ec2.IpAddresses.cidr('10.42.0.0/16') });
    template().hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.42.0.0/16' });
  });

  test('NAT_EGRESS creates private subnets with egress, one NAT gateway and still every interface endpoint (egress stays closed)', () => {
    const { network, template } = networkStack({ subnetMode: TrainingSubnetMode.NAT_EGRESS });
    const t = template();
    t.resourceCountIs('AWS::EC2::NatGateway', 1);
    t.resourceCountIs('AWS::EC2::Subnet', 4);
    t.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    t.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, ALL_SERVICE_SUFFIXES.length);
    t.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' }, 1);
    expect(network.endpointSecurityGroup).toBeDefined();
    expect(network.vpc.privateSubnets.map((s) => s.subnetId)).toEqual(network.trainingSubnetList().map((s) => s.subnetId));
  });

  test('natGateways sets the NAT gateway count', () => {
    const { template } = networkStack({ subnetMode: TrainingSubnetMode.NAT_EGRESS, natGateways: 2 });
    template().resourceCountIs('AWS::EC2::NatGateway', 2);
  });

  test('interfaceEndpoints picks exactly the listed endpoints', () => {
    const { network, template } = networkStack({ interfaceEndpoints: [TrainingEndpoint.SQS, TrainingEndpoint.EVENTBRIDGE] });
    const t = template();
    t.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 2);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-east-1.sqs' });
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-east-1.events' });
    expect(network.interfaceEndpoint(TrainingEndpoint.STS)).toBeUndefined();
  });

  test('interfaceEndpoints: [] creates none and no endpoint security group', () => {
    const { network, template } = networkStack({ interfaceEndpoints: [] });
    template().resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
    expect(network.endpointSecurityGroup).toBeUndefined();
  });

  test('interfaceEndpoints in NAT_EGRESS mode are created when asked for', () => {
    const { template } = networkStack({ subnetMode: TrainingSubnetMode.NAT_EGRESS, interfaceEndpoints: [TrainingEndpoint.SAGEMAKER_API] });
    template().hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.us-east-1.sagemaker.api' });
  });

  test('createS3GatewayEndpoint: false skips the gateway endpoint', () => {
    const { network, template } = networkStack({ createS3GatewayEndpoint: false });
    template().resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' }, 0);
    expect(network.s3GatewayEndpoint).toBeUndefined();
  });

  test('flowLogs: false creates no flow log', () => {
    const { network, template } = networkStack({ flowLogs: false });
    template().resourceCountIs('AWS::EC2::FlowLog', 0);
    expect(network.flowLog).toBeUndefined();
  });

  test('flowLogRetention, logEncryptionKey and removalPolicy shape the flow-log group', () => {
    const stack = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new TrainingNetwork(stack, 'Network', { flowLogRetention: logs.RetentionDays.TWO_YEARS, logEncryptionKey: key, removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(stack).hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 731, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
      DeletionPolicy: 'Delete',
    });
  });

  test('efa opens all traffic to and from the training security group itself, both directions', () => {
    const { template } = networkStack({ efa: true });
    const self = { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkTrainingSecurityGroup'), 'GroupId'] };
    const t = template();
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: '-1', GroupId: self, SourceSecurityGroupId: self });
    t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { IpProtocol: '-1', GroupId: self, DestinationSecurityGroupId: self });
  });
});

describe('TrainingNetwork with an existing VPC', () => {
  test('uses the isolated subnets, adds the S3 gateway endpoint to their route tables, and no flow log by default', () => {
    const stack = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
    const network = new TrainingNetwork(stack, 'Network', { vpc: importedVpc(stack, 'isolated') });
    const t = Template.fromStack(stack);
    expect(network.trainingSubnetList().map((s) => s.subnetId)).toEqual(['subnet-i1', 'subnet-i2']);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', RouteTableIds: ['rtb-i1', 'rtb-i2'], VpcId: 'vpc-0123456789abcdef0' });
    t.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, ALL_SERVICE_SUFFIXES.length);
    t.resourceCountIs('AWS::EC2::VPC', 0);
    t.resourceCountIs('AWS::EC2::FlowLog', 0);
  });

  test('falls back to private subnets with egress, without interface endpoints', () => {
    const stack = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
    const network = new TrainingNetwork(stack, 'Network', { vpc: importedVpc(stack, 'private'), flowLogs: true });
    const t = Template.fromStack(stack);
    expect(network.trainingSubnetList().map((s) => s.subnetId)).toEqual(['subnet-p1', 'subnet-p2']);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', RouteTableIds: ['rtb-p1', 'rtb-p2'] });
    t.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
    t.hasResourceProperties('AWS::EC2::FlowLog', { ResourceId: 'vpc-0123456789abcdef0' });
  });

  test('trainingSubnets selects explicit subnets', () => {
    const stack = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
    const vpc = importedVpc(stack, 'isolated');
    const network = new TrainingNetwork(stack, 'Network', { vpc, trainingSubnets: { subnets: [vpc.isolatedSubnets[1]] } });
    expect(network.trainingSubnetList().map((s) => s.subnetId)).toEqual(['subnet-i2']);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', RouteTableIds: ['rtb-i2'] });
  });
});

describe('TrainingNetwork in China regions', () => {
  test('cn-north-1 endpoint names use cn.com.amazonaws except logs and events', () => {
    const { template } = networkStack({}, 'cn-north-1');
    const names = Object.values(template().findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }))
      .map((endpoint) => endpoint.Properties.ServiceName).sort();
    expect(names).toEqual([
      'cn.com.amazonaws.cn-north-1.ecr.api',
      'cn.com.amazonaws.cn-north-1.ecr.dkr',
      'cn.com.amazonaws.cn-north-1.lambda',
      'cn.com.amazonaws.cn-north-1.sagemaker.api',
      'cn.com.amazonaws.cn-north-1.sqs',
      'cn.com.amazonaws.cn-north-1.states',
      'cn.com.amazonaws.cn-north-1.sts',
      'com.amazonaws.cn-north-1.events',
      'com.amazonaws.cn-north-1.logs',
    ]);
  });

  test('the S3 gateway endpoint keeps com.amazonaws in China', () => {
    const { stack, template } = networkStack({}, 'cn-north-1');
    const gateway = Object.values(template().findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }))[0];
    expect(stack.resolve(gateway.Properties.ServiceName)).toEqual({ 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] });
  });
});

describe('TrainingNetwork.subnetsInAvailabilityZone', () => {
  test('returns only the training subnets of that AZ', () => {
    const stack = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
    const network = new TrainingNetwork(stack, 'Network', { vpc: importedVpc(stack, 'isolated') });
    expect(network.subnetsInAvailabilityZone('us-east-1b').subnets!.map((s) => s.subnetId)).toEqual(['subnet-i2']);
  });

  test('works with the token AZs of an account-agnostic stack', () => {
    const { network } = networkStack();
    const [first] = network.availabilityZones;
    expect(network.subnetsInAvailabilityZone(first).subnets).toHaveLength(1);
  });

  test('names the valid AZs when asked for one without training subnets', () => {
    const stack = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
    const network = new TrainingNetwork(stack, 'Network', { vpc: importedVpc(stack, 'isolated') });
    expect(() => network.subnetsInAvailabilityZone('us-east-1f')).toThrow(/no training subnet in Availability Zone 'us-east-1f'.*us-east-1a, us-east-1b/);
  });
});

describe('TrainingNetwork.warnIfEndpointMissing', () => {
  test('warns, naming the endpoint and the consequence, when isolated subnets lack it', () => {
    const { stack, network } = networkStack({ interfaceEndpoints: [TrainingEndpoint.SQS] });
    network.warnIfEndpointMissing(network, TrainingEndpoint.SAGEMAKER_API, 'the launcher cannot call CreateTrainingJob');
    network.warnIfEndpointMissing(network, TrainingEndpoint.SQS, 'never shown');
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('interface endpoint'));
    expect(warnings.map((w) => w.entry.data)).toEqual([expect.stringMatching(
      /^The training subnets have no route out and the VPC has no SAGEMAKER_API interface endpoint, so the launcher cannot call CreateTrainingJob\. Add TrainingEndpoint\.SAGEMAKER_API/)]);
  });

  test('stays quiet when the subnets have egress', () => {
    const { stack, network } = networkStack({ subnetMode: TrainingSubnetMode.NAT_EGRESS });
    network.warnIfEndpointMissing(network, TrainingEndpoint.SAGEMAKER_API, 'the launcher cannot call CreateTrainingJob');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('interface endpoint'))).toEqual([]);
  });
});

describe('TrainingNetwork.allowEndpointAccessFrom', () => {
  test('admits HTTPS from another security group to the endpoints', () => {
    const { stack, network, template } = networkStack();
    const lambdaGroup = new ec2.SecurityGroup(stack, 'LambdaGroup', { vpc: network.vpc });
    network.allowEndpointAccessFrom(lambdaGroup);
    template().hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 443, ToPort: 443,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkEndpointSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LambdaGroup'), 'GroupId'] },
    });
  });
});

describe('TrainingNetwork validation', () => {
  const existing = (stack: Stack) => importedVpc(stack, 'isolated');
  test.each<[string, (stack: Stack) => TrainingNetworkProps, RegExp]>([
    ['subnetMode with an existing vpc', (s) => ({ vpc: existing(s), subnetMode: TrainingSubnetMode.NAT_EGRESS }), /subnetMode shape a new VPC.*Remove them/],
    ['maxAzs and ipAddresses with an existing vpc', (s) => ({ vpc: existing(s), maxAzs: 3, ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16') }), /maxAzs, ipAddresses shape a new VPC/],
    ['trainingSubnets without vpc', () => ({ trainingSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }), /trainingSubnets selects subnets of an existing vpc/],
    ['maxAzs of 1', () => ({ maxAzs: 1 }), /maxAzs is 1; it must be a whole number from 2 to 99\. EFS mount targets/],
    ['fractional maxAzs', () => ({ maxAzs: 2.5 }), /maxAzs is 2\.5; it must be a whole number from 2 to 99/],
    ['natGateways in isolated mode', () => ({ natGateways: 1 }), /natGateways \(1\) needs subnetMode: TrainingSubnetMode.NAT_EGRESS/],
    ['natGateways of 0', () => ({ subnetMode: TrainingSubnetMode.NAT_EGRESS, natGateways: 0 }), /natGateways is 0; it must be a whole number from 1 to 99/],
    ['public training subnets', (s) => ({ vpc: existing(s), trainingSubnets: { subnetType: ec2.SubnetType.PUBLIC } }), /includes public subnet\(s\) subnet-pub1, subnet-pub2.*private addresses only/],
    ['a selection without subnets', (s) => ({ vpc: existing(s), trainingSubnets: { subnets: [] } }), /trainingSubnets selects no subnet of VPC vpc-0123456789abcdef0.*Select private subnets/],
  ])('rejects %s', (_name, props, message) => {
    const stack = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
    expect(() => new TrainingNetwork(stack, 'Network', props(stack))).toThrow(message);
  });

  test('a token region with interface endpoints asks for a concrete region', () => {
    const stack = new Stack(new App(), 'Test');
    expect(() => new TrainingNetwork(stack, 'Network')).toThrow(/no concrete region.*Set env.region on the stack, or set interfaceEndpoints: \[\]/);
  });

  test('a token region works without interface endpoints', () => {
    const stack = new Stack(new App(), 'Test');
    new TrainingNetwork(stack, 'Network', { interfaceEndpoints: [] });
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' }, 1);
  });
});

describe('TrainingNetwork tokens', () => {
  test('a token maxAzs (e.g. a CloudFormation parameter) is not validated at synth', () => {
    const stack = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
    const maxAzs = Token.asNumber({ Ref: 'MaxAzs' });
    expect(() => new TrainingNetwork(stack, 'Network', { maxAzs })).not.toThrow(/-1\.888e\+289/);
  });
});
