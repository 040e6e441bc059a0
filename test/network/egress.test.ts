import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { TrainingEndpoint, TrainingNetwork, TrainingNetworkProps, TrainingSubnetMode } from '../../lib';
import { PlatformFunction } from '../../lib/lambda';
import { platformApp, templatesByRegion } from '../support/platform-app';

function networkStack(props: TrainingNetworkProps = {}, region = 'us-east-1') {
  const stack = new Stack(new App(), 'Test', { env: { region } });
  const network = new TrainingNetwork(stack, 'Network', props);
  return { stack, network };
}

const PREFIX_LIST = { 'Fn::GetAtt': [Match.stringLikeRegexp('^S3PrefixListLookup'), 'PrefixListId'] };
const TRAINING_SG = { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkTrainingSecurityGroup'), 'GroupId'] };
const ENDPOINT_SG = { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkEndpointSecurityGroup'), 'GroupId'] };

/** Every egress rule of a template, inline or standalone, as (group logical id, rule). */
function egressRules(template: Template): Array<{ group: string; rule: Record<string, unknown> }> {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  return Object.entries(resources).flatMap(([id, resource]) => {
    if (resource.Type === 'AWS::EC2::SecurityGroup') {
      return ((resource.Properties.SecurityGroupEgress as Array<Record<string, unknown>> | undefined) ?? []).map((rule) => ({ group: id, rule }));
    }
    if (resource.Type === 'AWS::EC2::SecurityGroupEgress') {
      return [{ group: JSON.stringify(resource.Properties.GroupId), rule: resource.Properties }];
    }
    return [];
  });
}

describe('egress of the default platform (closed)', () => {
  const templates = templatesByRegion(platformApp(['us-east-1', 'cn-north-1']));

  test.each(['us-east-1', 'cn-north-1'])('%s: no security group allows all outbound traffic or any CIDR but the "no traffic" placeholder', (region) => {
    const rules = egressRules(templates.get(region)!);
    expect(rules.length).toBeGreaterThan(10);
    for (const { group, rule } of rules) {
      const cidr = rule.CidrIp ?? rule.CidrIpv6;
      if (cidr !== undefined) {
        // aws-cdk-lib's placeholder of a group with no egress at all: ICMP type 252 code 86 to 255.255.255.255/32.
        expect({ group, rule }).toEqual({ group, rule: expect.objectContaining({ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp' }) });
      } else {
        expect({ group, rule }).toEqual({ group, rule: expect.objectContaining({ IpProtocol: expect.any(String) }) });
        expect(rule.DestinationSecurityGroupId ?? rule.DestinationPrefixListId).toBeDefined();
      }
    }
  });

  test.each(['us-east-1', 'cn-north-1'])('%s: the S3 gateway endpoint has a policy with the platform buckets and ECR layers only', (region) => {
    const t = templates.get(region)!;
    const gateway = t.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } });
    const [policy] = Object.values(gateway).map((r) => (r as { Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }).Properties.PolicyDocument);
    const sids = policy.Statement.map((s) => s.Sid);
    expect(sids).toEqual(['EcrImageLayers', 'PlatformBuckets']);
    const buckets = policy.Statement[1];
    expect(buckets.Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } });
    // Dataset, upload and training-artifact buckets, each with its objects.
    const arn = (logicalId: RegExp) => ({ 'Fn::GetAtt': [expect.stringMatching(logicalId), 'Arn'] });
    const bucketAndObjects = (logicalId: RegExp) => [arn(logicalId), { 'Fn::Join': ['', [arn(logicalId), '/*']] }];
    expect(buckets.Resource).toEqual([
      ...bucketAndObjects(/^DatasetBucket/), ...bucketAndObjects(/^IngestionUploadBucket/), ...bucketAndObjects(/^TrainingJobLauncherArtifactsBucket/),
    ]);
  });
});

describe('TrainingNetwork egress', () => {
  test('the training group sends HTTPS to the endpoints and S3 prefix list, and all traffic to itself; nothing else', () => {
    const { stack } = networkStack();
    const t = Template.fromStack(stack);
    expect(egressRules(t).filter(({ group }) => /NetworkTrainingSecurityGroup/.test(group)).map(({ rule }) => rule.DestinationPrefixListId ?? rule.DestinationSecurityGroupId))
      .toEqual([expect.anything(), expect.anything(), expect.anything()]);
    t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { GroupId: TRAINING_SG, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationPrefixListId: PREFIX_LIST });
    t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { GroupId: TRAINING_SG, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationSecurityGroupId: ENDPOINT_SG });
    t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { GroupId: TRAINING_SG, IpProtocol: '-1', DestinationSecurityGroupId: TRAINING_SG });
  });

  test('the S3 prefix list is looked up once per stack by a custom resource outside the VPC', () => {
    const { stack } = networkStack();
    new TrainingNetwork(stack, 'Second', { interfaceEndpoints: [] });
    const t = Template.fromStack(stack);
    t.resourceCountIs('Custom::S3PrefixList', 1);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Code: { S3Bucket: Match.anyValue(), S3Key: Match.stringLikeRegexp('\\.zip$') },
      Description: Match.stringLikeRegexp('AWS-managed S3 prefix list'),
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^S3PrefixListLookupHandlerDeadLetterQueue'), 'Arn'] } },
      VpcConfig: Match.absent(),
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'ec2:DescribeManagedPrefixLists', Effect: 'Allow', Resource: '*' }] },
    });
  });

  test('a platform function gets HTTPS to the endpoints and S3 only', () => {
    const { stack, network } = networkStack();
    new PlatformFunction(stack, 'Fn', { handlerName: 'launch-training-jobs', description: 'test', network, memorySize: 256, timeout: Duration.seconds(10) });
    const t = Template.fromStack(stack);
    const fnGroup = { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnSecurityGroup'), 'GroupId'] };
    t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { GroupId: fnGroup, IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationPrefixListId: PREFIX_LIST });
    t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { GroupId: fnGroup, FromPort: 443, DestinationSecurityGroupId: ENDPOINT_SG });
    expect(egressRules(t).filter(({ group }) => /FnSecurityGroup/.test(group))).toHaveLength(2);
  });

  test('every interface endpoint admits only principals of the own account', () => {
    const { stack } = networkStack();
    const endpoints = Template.fromStack(stack).findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } });
    expect(Object.keys(endpoints)).toHaveLength(9);
    for (const endpoint of Object.values(endpoints)) {
      expect((endpoint as { Properties: { PolicyDocument: unknown } }).Properties.PolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'OwnAccountPrincipalsOnly', Effect: 'Allow', Principal: { AWS: '*' }, Action: '*', Resource: '*',
          Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } },
        }],
      });
    }
  });

  test('ECR image layers: the starport bucket of the region, partition-aware', () => {
    const { stack } = networkStack();
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      PolicyDocument: { Statement: [{
        Sid: 'EcrImageLayers', Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::prod-', { Ref: 'AWS::Region' }, '-starport-layer-bucket/*']] },
      }] },
    });
  });

  test('allowS3Bucket, additionalS3BucketNames and addToS3EndpointPolicy extend the policy; a bucket added twice appears once', () => {
    const { stack, network } = networkStack({ additionalS3BucketNames: ['team-results'] });
    const bucket = new s3.Bucket(stack, 'Data');
    network.allowS3Bucket(bucket);
    network.allowS3Bucket(bucket);
    network.addToS3EndpointPolicy(new iam.PolicyStatement({ sid: 'JumpStart', principals: [new iam.AnyPrincipal()], actions: ['s3:GetObject'], resources: ['arn:aws:s3:::jumpstart-cache-prod-us-east-1/*'] }));
    const dataArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Data'), 'Arn'] };
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      PolicyDocument: { Statement: [
        Match.objectLike({ Sid: 'EcrImageLayers' }),
        Match.objectLike({
          Sid: 'PlatformBuckets', Action: 's3:*',
          Resource: [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::team-results']] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::team-results/*']] },
            dataArn,
            { 'Fn::Join': ['', [dataArn, '/*']] },
          ],
        }),
        Match.objectLike({ Sid: 'JumpStart' }),
      ] },
    });
  });

  test('createS3GatewayEndpoint: false writes no endpoint policy, and allowS3Bucket is harmless', () => {
    const { stack, network } = networkStack({ createS3GatewayEndpoint: false });
    network.allowS3Bucket(new s3.Bucket(stack, 'Data'));
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' }, 0);
  });

  test('NAT_EGRESS: endpoints as in isolated mode, so no HTTPS to the internet', () => {
    const { stack } = networkStack({ subnetMode: TrainingSubnetMode.NAT_EGRESS });
    expect(egressRules(Template.fromStack(stack)).filter(({ rule }) => rule.CidrIp === '0.0.0.0/0')).toEqual([]);
  });

  test('an existing VPC with egress and missing endpoints: HTTPS to any address, with a warning naming them', () => {
    const stack = new Stack(new App(), 'Test', { env: { region: 'us-east-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Existing', {
      vpcId: 'vpc-1', availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: ['subnet-p1', 'subnet-p2'], privateSubnetRouteTableIds: ['rtb-p1', 'rtb-p2'],
    });
    const network = new TrainingNetwork(stack, 'Network', { vpc, interfaceEndpoints: [TrainingEndpoint.SAGEMAKER_API] });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'SageMaker training jobs of the dataset platform',
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 })],
    });
    const warnings = Annotations.fromStack(stack).findWarning(`/${network.node.path}`, Match.stringLikeRegexp('no interface endpoint for STS, CLOUDWATCH_LOGS'));
    expect(warnings).toHaveLength(1);
  });
});

describe('TrainingNetwork.fromTrainingNetworkAttributes egress', () => {
  const attrs = {
    vpcId: 'vpc-1', availabilityZones: ['us-east-1a'], trainingSubnetIds: ['subnet-1'], trainingSubnetRouteTableIds: ['rtb-1'],
    trainingSecurityGroupId: 'sg-training', endpointSecurityGroupId: 'sg-endpoints', interfaceEndpoints: Object.values(TrainingEndpoint),
  };

  test('uses the published prefix-list id, creating no lookup', () => {
    const stack = new Stack(new App(), 'Team', { env: { region: 'us-east-1' } });
    const network = TrainingNetwork.fromTrainingNetworkAttributes(stack, 'Network', { ...attrs, s3PrefixListId: 'pl-63a5400a' });
    const group = new ec2.SecurityGroup(stack, 'Client', { vpc: network.vpc, allowAllOutbound: false });
    network.allowEndpointAccessFrom(group);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { DestinationPrefixListId: 'pl-63a5400a', FromPort: 443, GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Client'), 'GroupId'] } });
    t.resourceCountIs('Custom::S3PrefixList', 0);
  });

  test('without it, looks the prefix list up in the team stack', () => {
    const stack = new Stack(new App(), 'Team', { env: { region: 'us-east-1' } });
    const network = TrainingNetwork.fromTrainingNetworkAttributes(stack, 'Network', attrs);
    network.allowEndpointAccessFrom(new ec2.SecurityGroup(stack, 'Client', { vpc: network.vpc, allowAllOutbound: false }));
    Template.fromStack(stack).resourceCountIs('Custom::S3PrefixList', 1);
  });

  test('allowS3Bucket warns for a bucket the team stack creates (the platform owns the endpoint policy), not for imported ones', () => {
    const stack = new Stack(new App(), 'Team', { env: { region: 'us-east-1' } });
    const network = TrainingNetwork.fromTrainingNetworkAttributes(stack, 'Network', attrs);
    network.allowS3Bucket(new s3.Bucket(stack, 'TeamBucket'));
    network.allowS3Bucket(s3.Bucket.fromBucketName(stack, 'PlatformBucket', 'platform-datasets'));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('additionalS3BucketNames'));
    expect(warnings.map((w) => w.id)).toEqual(['/Team/TeamBucket']);
  });
});
