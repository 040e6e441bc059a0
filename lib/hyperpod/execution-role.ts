import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeInlinePolicy, acknowledgeWildcardResource } from '../nag/acknowledge';

/** The Session Manager channel actions of a node (the role's and the `ssmmessages` endpoint's). */
export const SESSION_MANAGER_CHANNEL_ACTIONS = ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'] as const;

/** What the execution role of a cluster's instances may reach. */
export interface ExecutionRoleScope {
  /** The cluster name: its log groups are `/aws/sagemaker/Clusters/<name>/<cluster id>`. */
  readonly clusterName: string;
  /** The VPC the cluster's ENIs live in. */
  readonly vpc: ec2.IVpc;
  /** The subnet the cluster's ENIs are created in. */
  readonly subnet: ec2.ISubnet;
  /** The cluster's security group. */
  readonly securityGroup: ec2.ISecurityGroup;
}

/**
 * The role HyperPod instances assume (its statements go into the role's default policy, which the
 * cluster depends on through the role): an inline, least-privilege equivalent of the AWS managed
 * `AmazonSageMakerClusterInstanceRolePolicy` (AWS Managed Policy Reference, v1 of 2023-11-29) plus
 * the VPC permissions HyperPod's VPC prerequisites add (aws-samples/awsome-distributed-training
 * `1.architectures/5.sagemaker-hyperpod/1.AmazonSageMakerClustersExecutionRolePolicy.json`), each
 * narrowed to this cluster:
 *  - CloudWatch Logs: this cluster's log groups only, not every `/aws/sagemaker/Clusters/*`;
 *  - CloudWatch metrics: the `/aws/sagemaker/Clusters` namespace only (PutMetricData has no resources);
 *  - S3: none here; the lifecycle-script prefix is granted by the construct that deploys it, instead
 *    of every `sagemaker-*` bucket;
 *  - SSM Session Manager channels (`ssmmessages:*Channel`, which have no resource types);
 *  - EC2 network interfaces: created only in the cluster's subnet with its security group, and
 *    changed or deleted only in its VPC.
 */
export function createExecutionRole(scope: Construct, id: string, reach: ExecutionRoleScope): iam.Role {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    description: `SageMaker HyperPod cluster ${reach.clusterName}: instance execution role`,
  });

  const logGroups = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `/aws/sagemaker/Clusters/${reach.clusterName}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const logStreams = `${logGroups}:log-stream:*`;
  const statements = [
    new iam.PolicyStatement({ sid: 'ClusterLogGroups', actions: ['logs:CreateLogGroup'], resources: [logGroups] }),
    new iam.PolicyStatement({ sid: 'ClusterLogStreams', actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], resources: [logStreams] }),
    new iam.PolicyStatement({
      sid: 'ClusterMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': '/aws/sagemaker/Clusters' } },
    }),
    new iam.PolicyStatement({
      sid: 'SessionManagerChannels',
      actions: [...SESSION_MANAGER_CHANNEL_ACTIONS],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DescribeNetwork',
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
      resources: ['*'],
    }),
  ];
  const networkInterfaces = stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' });
  const subnetArn = stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: reach.subnet.subnetId });
  const securityGroupArn = stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: reach.securityGroup.securityGroupId });
  const vpcArn = stack.formatArn({ service: 'ec2', resource: 'vpc', resourceName: reach.vpc.vpcId });
  statements.push(
    new iam.PolicyStatement({ sid: 'CreateClusterNetworkInterfaces', actions: ['ec2:CreateNetworkInterface'], resources: [networkInterfaces, subnetArn, securityGroupArn] }),
    new iam.PolicyStatement({
      sid: 'ManageClusterNetworkInterfaces',
      actions: ['ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission', 'ec2:DetachNetworkInterface'],
      resources: [networkInterfaces],
      conditions: { ArnEquals: { 'ec2:Vpc': vpcArn } },
    }),
    new iam.PolicyStatement({
      sid: 'TagNewClusterNetworkInterfaces',
      actions: ['ec2:CreateTags'],
      resources: [networkInterfaces],
      conditions: { StringEquals: { 'ec2:CreateAction': 'CreateNetworkInterface' } },
    }),
  );
  for (const statement of statements) {
    role.addToPrincipalPolicy(statement);
  }
  const policy = role.node.findChild('DefaultPolicy');
  acknowledgeInlinePolicy(role, 'HyperPod cluster instance');

  acknowledgeWildcardResource(policy, logGroups, 'HyperPod names the log group /aws/sagemaker/Clusters/<cluster name>/<cluster id>, and the id is assigned at creation; the wildcard covers this cluster only.');
  acknowledgeWildcardResource(policy, logStreams, 'HyperPod writes one log stream per node and lifecycle step, named at run time, in this cluster\'s log groups only.');
  acknowledgeWildcardResource(policy, '*', 'cloudwatch:PutMetricData, ssmmessages channels and the ec2:Describe* calls have no resource types; PutMetricData is limited to the /aws/sagemaker/Clusters namespace.');
  acknowledgeWildcardResource(policy, networkInterfaces, 'The cluster\'s network interfaces are created by HyperPod with ids unknown in advance; creation is limited to the cluster subnet and security group, changes and deletion to the cluster VPC.');
  return role;
}
