import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { throwValidation } from '../validation';
import { allowServiceAccess, warnIfEndpointMissing } from './endpoint-checks';
import { S3PrefixList } from './s3-prefix-list';
import { TrainingEndpoint } from './training-endpoint';
import type { ITrainingNetwork, TrainingNetworkAttributes } from './training-network';

/**
 * A training network that exists already (the platform's): the VPC, subnets and groups are
 * referenced, never created, and the interface endpoints are the ones the attributes declare.
 */
export class ImportedTrainingNetwork extends Construct implements ITrainingNetwork {
  public readonly vpc: ec2.IVpc;
  public readonly trainingSubnets: ec2.SubnetSelection;
  public readonly availabilityZones: string[];
  public readonly trainingSecurityGroup: ec2.ISecurityGroup;
  public readonly endpointSecurityGroup?: ec2.ISecurityGroup;
  public readonly connections: ec2.Connections;
  public readonly interfaceEndpointServices: TrainingEndpoint[];
  private readonly hasEgress: boolean;
  private readonly givenS3PrefixListId?: string;

  constructor(scope: Construct, id: string, attrs: TrainingNetworkAttributes) {
    super(scope, id);
    validateAttributes(this, attrs);
    this.hasEgress = attrs.trainingSubnetsHaveEgress ?? false;
    this.givenS3PrefixListId = attrs.s3PrefixListId;
    this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: attrs.vpcId,
      vpcCidrBlock: attrs.vpcCidrBlock,
      availabilityZones: attrs.availabilityZones,
      ...(this.hasEgress
        ? { privateSubnetIds: attrs.trainingSubnetIds, privateSubnetRouteTableIds: attrs.trainingSubnetRouteTableIds }
        : { isolatedSubnetIds: attrs.trainingSubnetIds, isolatedSubnetRouteTableIds: attrs.trainingSubnetRouteTableIds }),
    });
    const subnets = this.hasEgress ? this.vpc.privateSubnets : this.vpc.isolatedSubnets;
    this.trainingSubnets = { subnets };
    this.availabilityZones = attrs.availabilityZones.some((zone) => Token.isUnresolved(zone))
      ? [...attrs.availabilityZones]
      : [...new Set(attrs.availabilityZones)];
    // The platform's training group has closed egress: rules to this stack's file systems are written here.
    this.trainingSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'TrainingSecurityGroup', attrs.trainingSecurityGroupId, {
      allowAllOutbound: false,
      mutable: true,
    });
    this.connections = this.trainingSecurityGroup.connections;
    if (attrs.endpointSecurityGroupId !== undefined) {
      this.endpointSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'EndpointSecurityGroup', attrs.endpointSecurityGroupId, {
        allowAllOutbound: false,
        mutable: true,
      });
    }
    this.interfaceEndpointServices = [...new Set(attrs.interfaceEndpoints ?? [])];
  }

  public trainingSubnetList(): ec2.ISubnet[] {
    return this.trainingSubnets.subnets ?? [];
  }

  public subnetsInAvailabilityZone(availabilityZone: string): ec2.SubnetSelection {
    const subnets = this.trainingSubnetList().filter((subnet) => subnet.availabilityZone === availabilityZone);
    if (subnets.length === 0) {
      throwValidation(this, 'NoTrainingSubnetInZone', `TrainingNetwork ${this.node.path}: no training subnet in Availability Zone '${availabilityZone}'. ` +
        `Pick one of the training AZs: ${this.availabilityZones.join(', ')}.`);
    }
    return { subnets };
  }

  public hasInterfaceEndpoint(endpoint: TrainingEndpoint): boolean {
    return this.interfaceEndpointServices.includes(endpoint);
  }

  public warnIfEndpointMissing(scope: IConstruct, endpoint: TrainingEndpoint, consequence: string): void {
    warnIfEndpointMissing(this, scope, endpoint, consequence, !this.hasEgress);
  }

  /** The region's S3 prefix-list id: the attribute, or a lookup in this stack on first use. */
  public get s3PrefixListId(): string {
    return this.givenS3PrefixListId ?? S3PrefixList.idInStackOf(this);
  }

  public allowEndpointAccessFrom(peer: ec2.IConnectable): void {
    allowServiceAccess(this, peer, { s3PrefixListId: this.s3PrefixListId, hasEgress: this.hasEgress });
  }

  /**
   * The endpoint policy belongs to the platform's stack. Buckets created in this stack are not in
   * it, so they get a warning naming the fix; imported buckets are assumed to be the platform's.
   */
  public allowS3Bucket(bucket: s3.IBucket): void {
    if (!(bucket instanceof s3.Bucket) || Stack.of(bucket) !== Stack.of(this)) return;
    Annotations.of(bucket).addWarningV2('cdk-sagemaker-datasets:bucketNotInEndpointPolicy',
      `${bucket.node.path} is used from the platform's training subnets, whose S3 gateway endpoint policy allows only the buckets the platform stack lists. ` +
      'Add this bucket\'s name to additionalS3BucketNames of the platform\'s network (DatasetPlatformStackProps.network) and redeploy the platform, or requests to it are denied.');
  }
}

function validateAttributes(scope: IConstruct, attrs: TrainingNetworkAttributes): void {
  const where = `TrainingNetwork.fromTrainingNetworkAttributes ${scope.node.path}`;
  const lists: Array<[string, string[]]> = [
    ['trainingSubnetIds', attrs.trainingSubnetIds],
    ['availabilityZones', attrs.availabilityZones],
    ['trainingSubnetRouteTableIds', attrs.trainingSubnetRouteTableIds],
  ];
  for (const [name, list] of lists) {
    if (Token.isUnresolved(list)) {
      throwValidation(scope, 'ListToken', `${where}: ${name} is a list token, whose length is unknown at synth. ` +
        'Pass one string per subnet (e.g. Fn.split(\',\', value, count)), or use DatasetPlatform.fromParameters, which does.');
    }
  }
  if (attrs.trainingSubnetIds.length === 0) {
    throwValidation(scope, 'NoTrainingSubnets', `${where}: trainingSubnetIds is empty. Pass the private subnets training jobs use (the platform publishes them).`);
  }
  for (const [name, list] of lists.slice(1)) {
    if (list.length !== attrs.trainingSubnetIds.length) {
      throwValidation(scope, 'ListLengthMismatch', `${where}: ${name} has ${list.length} entries but trainingSubnetIds has ${attrs.trainingSubnetIds.length}. ` +
        `Give one ${name === 'availabilityZones' ? 'Availability Zone' : 'route table id'} per training subnet, in the same order.`);
    }
  }
  const unknown = (attrs.interfaceEndpoints ?? []).filter((endpoint) => !Object.values(TrainingEndpoint).includes(endpoint));
  if (unknown.length > 0) {
    throwValidation(scope, 'UnknownEndpoint', `${where}: interfaceEndpoints has unknown value(s) ${unknown.map((e) => JSON.stringify(e)).join(', ')}. Use TrainingEndpoint members.`);
  }
  if ((attrs.interfaceEndpoints ?? []).length > 0 && attrs.endpointSecurityGroupId === undefined) {
    throwValidation(scope, 'EndpointGroupMissing', `${where}: interfaceEndpoints lists ${attrs.interfaceEndpoints!.join(', ')} but endpointSecurityGroupId is missing, ` +
      'so nothing could be allowed to reach them. Pass the interface endpoints\' security group id.');
  }
}
