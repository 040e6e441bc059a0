import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeFindings, acknowledgeInlinePolicy } from '../nag/acknowledge';
import { integerIn, throwValidation } from '../validation';
import { FileSystemPorts } from './file-system-ports';
import { allowServiceAccess, warnIfEndpointMissing } from './endpoint-checks';
import { interfaceEndpointPolicy, S3EndpointPolicy } from './endpoint-policies';
import { S3PrefixList } from './s3-prefix-list';
import { ImportedTrainingNetwork } from './imported-training-network';
import { ALL_TRAINING_ENDPOINTS, TrainingEndpoint, interfaceEndpointService } from './training-endpoint';

/** How the training subnets of a new VPC reach AWS services. */
export enum TrainingSubnetMode {
  /** Private isolated subnets: no NAT, no internet route; S3 through a gateway endpoint, other services through interface endpoints. */
  ISOLATED = 'ISOLATED',
  /** Private subnets with a NAT gateway for egress (public subnets hold only the NAT gateways). */
  NAT_EGRESS = 'NAT_EGRESS',
}

/** Properties of a {@link TrainingNetwork}. */
export interface TrainingNetworkProps {
  /**
   * An existing VPC to place training jobs, file systems and Lambdas in.
   * @default - a new VPC shaped by `subnetMode`, `maxAzs`, `natGateways` and `ipAddresses`
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of the existing `vpc` that training jobs, file systems and Lambdas use.
   * Public subnets are refused: SageMaker gives training ENIs private addresses only.
   * @default - the VPC's private isolated subnets, or its private subnets with egress if it has no isolated ones
   */
  readonly trainingSubnets?: ec2.SubnetSelection;

  /**
   * How the training subnets of a new VPC reach AWS services. Only for a new VPC.
   * @default TrainingSubnetMode.ISOLATED
   */
  readonly subnetMode?: TrainingSubnetMode;

  /**
   * Number of Availability Zones of a new VPC (at least 2). Only for a new VPC.
   * @default 2
   */
  readonly maxAzs?: number;

  /**
   * Number of NAT gateways, with `TrainingSubnetMode.NAT_EGRESS` only.
   * @default 1
   */
  readonly natGateways?: number;

  /**
   * The IP address range of a new VPC.
   * @default ec2.IpAddresses.cidr('10.0.0.0/16')
   */
  readonly ipAddresses?: ec2.IIpAddresses;

  /**
   * Interface VPC endpoints to create in the training subnets.
   * @default - every `TrainingEndpoint` for a new VPC (isolated or NAT) and for an existing VPC with isolated training subnets; none for an existing VPC whose training subnets have egress
   */
  readonly interfaceEndpoints?: TrainingEndpoint[];

  /**
   * Whether to add an S3 gateway endpoint to the route tables of the training subnets. Set it to
   * `false` only for an existing VPC whose training route tables already route S3 through a
   * gateway endpoint: a route table accepts one route per prefix list. Without any S3 route,
   * SageMaker fails with "Data download failed: Please ensure that the subnet's route table has a
   * route to an S3 VPC endpoint or a NAT device".
   * @default true
   */
  readonly createS3GatewayEndpoint?: boolean;

  /**
   * Names of buckets outside the platform that code in the training subnets may reach through the
   * S3 gateway endpoint (e.g. a team's bucket, when a team stack imports this network: the
   * imported network cannot change this endpoint's policy). Buckets of the library's own
   * constructs are added by those constructs ({@link TrainingNetwork.allowS3Bucket}).
   * @default - none
   */
  readonly additionalS3BucketNames?: string[];

  /**
   * Whether to send VPC flow logs (all traffic) to CloudWatch Logs.
   * @default - true for a new VPC, false for an existing one (it usually has its own)
   */
  readonly flowLogs?: boolean;

  /**
   * How long flow logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * A customer managed key for the flow-log group and the S3 prefix-list lookup's log group. Its
   * key policy must let the CloudWatch Logs service principal of the region use it.
   * @default - CloudWatch Logs encrypts the log data with a service-owned key
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * Whether training jobs use Elastic Fabric Adapter: the training security group then allows
   * all traffic to and from itself, inbound and outbound.
   * @default false
   */
  readonly efa?: boolean;

  /**
   * What happens to the flow-log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A training network, created here or imported: what every construct of the library needs from it.
 * Build one with `new TrainingNetwork(...)`, or import the platform's from another stack or app with
 * {@link TrainingNetwork.fromTrainingNetworkAttributes}.
 */
export interface ITrainingNetwork extends IConstruct, ec2.IConnectable {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** The subnets training jobs, file systems and Lambdas use. */
  readonly trainingSubnets: ec2.SubnetSelection;
  /** The Availability Zones of the training subnets, in subnet order. */
  readonly availabilityZones: string[];
  /** The security group of training jobs. */
  readonly trainingSecurityGroup: ec2.ISecurityGroup;
  /**
   * The security group of the interface endpoints.
   * @default - none: the network has no interface endpoints this library manages
   */
  readonly endpointSecurityGroup?: ec2.ISecurityGroup;
  /** The services the VPC has interface endpoints for (created here, or declared when imported). */
  readonly interfaceEndpointServices: TrainingEndpoint[];
  /** The training subnets as a list. */
  trainingSubnetList(): ec2.ISubnet[];
  /** The training subnets in one Availability Zone. */
  subnetsInAvailabilityZone(availabilityZone: string): ec2.SubnetSelection;
  /** Whether the VPC has an interface endpoint for `endpoint`. */
  hasInterfaceEndpoint(endpoint: TrainingEndpoint): boolean;
  /**
   * Warns at synth when the training subnets have no route out and the VPC has no interface
   * endpoint for `endpoint`: calls from `scope` to that API would time out at run time.
   * @param scope the construct whose calls need the endpoint
   * @param endpoint the service
   * @param consequence what breaks, e.g. "the launcher cannot call CreateTrainingJob"
   */
  warnIfEndpointMissing(scope: IConstruct, endpoint: TrainingEndpoint, consequence: string): void;
  /**
   * Lets `peer` (a Lambda, a training job, a cluster) reach the AWS services of the training
   * subnets: HTTPS to the interface endpoints' group and to S3's managed prefix list (the gateway
   * endpoint). Only where the subnets have a route out and the network lacks an interface endpoint
   * the library uses does `peer` also get HTTPS to any address (with a synth warning), because
   * public AWS endpoints have no fixed addresses.
   */
  allowEndpointAccessFrom(peer: ec2.IConnectable): void;
  /**
   * Lets traffic from the training subnets reach `bucket` (the bucket and its objects) through the
   * S3 gateway endpoint, whose policy allows nothing else but the AWS-owned buckets ECR needs.
   * An imported network cannot change the platform's endpoint policy: it warns for buckets the
   * importing stack creates (list their names in the platform's `additionalS3BucketNames`).
   */
  allowS3Bucket(bucket: s3.IBucket): void;
}

/** What identifies an existing training network (the platform's, as `DatasetPlatformStack` publishes it). */
export interface TrainingNetworkAttributes {
  /** The VPC id. */
  readonly vpcId: string;
  /** The Availability Zones of the training subnets, one per subnet, in the order of `trainingSubnetIds`. */
  readonly availabilityZones: string[];
  /** The training subnets (private: isolated or with egress). */
  readonly trainingSubnetIds: string[];
  /** The route tables of the training subnets, in the order of `trainingSubnetIds`. */
  readonly trainingSubnetRouteTableIds: string[];
  /** The training jobs' security group. */
  readonly trainingSecurityGroupId: string;
  /**
   * The interface endpoints' security group.
   * @default - none (then `interfaceEndpoints` must be empty)
   */
  readonly endpointSecurityGroupId?: string;
  /**
   * The services the VPC already has interface endpoints (with private DNS) for. Nothing is
   * created: constructs that need a service listed here use the existing endpoint.
   * @default - none
   */
  readonly interfaceEndpoints?: TrainingEndpoint[];
  /**
   * Whether the training subnets have a route out (a NAT gateway). Without one, a construct that
   * needs a service missing from `interfaceEndpoints` warns at synth.
   * @default false
   */
  readonly trainingSubnetsHaveEgress?: boolean;
  /**
   * The VPC's CIDR block.
   * @default - unknown; constructs that need it fail
   */
  readonly vpcCidrBlock?: string;
  /**
   * The id of the region's AWS-managed S3 prefix list (`pl-…`), for egress rules to the S3 gateway
   * endpoint.
   * @default - looked up at deploy time by a custom resource in the importing stack
   */
  readonly s3PrefixListId?: string;
}

/**
 * The network that SageMaker training jobs, dataset file systems and the platform's Lambdas share:
 * private subnets that always reach S3 through a gateway endpoint, interface endpoints for the
 * other APIs, a security group for training jobs, and flow logs.
 *
 * @exampleMetadata fixture=empty
 * @example
 * const network = new TrainingNetwork(this, 'Network');
 * const fsxSubnets = network.subnetsInAvailabilityZone(network.availabilityZones[0]);
 */
export class TrainingNetwork extends Construct implements ITrainingNetwork {
  /**
   * Imports an existing training network, e.g. the platform's in a team's stack. Creates nothing:
   * no VPC, endpoint or security group; constructs given it use the declared `interfaceEndpoints`.
   */
  public static fromTrainingNetworkAttributes(scope: Construct, id: string, attrs: TrainingNetworkAttributes): ITrainingNetwork {
    return new ImportedTrainingNetwork(scope, id, attrs);
  }

  /** The VPC. */
  public readonly vpc: ec2.IVpc;

  /** The subnets training jobs, file systems and Lambdas use. */
  public readonly trainingSubnets: ec2.SubnetSelection;

  /** The Availability Zones of the training subnets, in subnet order. */
  public readonly availabilityZones: string[];

  /** The security group of training jobs; it admits traffic from itself (distributed training) and from nothing else by default. */
  public readonly trainingSecurityGroup: ec2.ISecurityGroup;

  /** The training jobs' connections (IConnectable): open file-system ports from here. */
  public readonly connections: ec2.Connections;

  /** The S3 gateway endpoint, unless `createS3GatewayEndpoint` is false. */
  public readonly s3GatewayEndpoint?: ec2.GatewayVpcEndpoint;

  /** The security group shared by the interface endpoints, if any were created. */
  public readonly endpointSecurityGroup?: ec2.ISecurityGroup;

  /** The interface endpoints created, in `TrainingEndpoint` order. */
  public readonly interfaceEndpoints: ec2.InterfaceVpcEndpoint[] = [];

  /** The flow-log group, if flow logs are on. */
  public readonly flowLogGroup?: logs.LogGroup;

  /** The flow log, if flow logs are on. */
  public readonly flowLog?: ec2.FlowLog;

  /** The id of the region's AWS-managed S3 prefix list, looked up at deploy time; security groups allow HTTPS to it. */
  public readonly s3PrefixListId: string;

  private readonly s3EndpointPolicy?: S3EndpointPolicy;
  private readonly trainingSubnetsIsolated: boolean;

  private readonly endpointsByType = new Map<TrainingEndpoint, ec2.InterfaceVpcEndpoint>();

  constructor(scope: Construct, id: string, props: TrainingNetworkProps = {}) {
    super(scope, id);
    validateProps(this, props);

    const isNewVpc = props.vpc === undefined;
    this.vpc = props.vpc ?? this.createVpc(props);
    const subnets = this.selectTrainingSubnets(props);
    this.trainingSubnets = { subnets };
    this.availabilityZones = [...new Set(subnets.map((subnet) => subnet.availabilityZone))];

    const isolatedIds = new Set(this.vpc.isolatedSubnets.map((subnet) => subnet.subnetId));
    this.trainingSubnetsIsolated = subnets.every((subnet) => isolatedIds.has(subnet.subnetId));

    this.trainingSecurityGroup = new ec2.SecurityGroup(this, 'TrainingSecurityGroup', {
      vpc: this.vpc,
      description: 'SageMaker training jobs of the dataset platform',
      // Closed: egress only to the endpoints, S3's prefix list, the group itself and file systems.
      allowAllOutbound: false,
    });
    this.connections = this.trainingSecurityGroup.connections;
    // The instances of a multi-instance (distributed) job talk to each other; SageMaker asks for the
    // job's security group to admit traffic from itself (docs: "Train a model in a VPC"). EFA wants
    // the same two self rules, so props.efa adds nothing more.
    FileSystemPorts.allowWithinGroup(this.trainingSecurityGroup);
    if (props.efa) {
      FileSystemPorts.allowEfa(this.trainingSecurityGroup);
    }

    this.s3PrefixListId = S3PrefixList.idInStackOf(this, props.logEncryptionKey);
    if (props.createS3GatewayEndpoint ?? true) {
      this.s3GatewayEndpoint = new ec2.GatewayVpcEndpoint(this, 'S3GatewayEndpoint', {
        vpc: this.vpc,
        service: ec2.GatewayVpcEndpointAwsService.S3,
        subnets: [this.trainingSubnets],
      });
      this.s3EndpointPolicy = new S3EndpointPolicy(this.s3GatewayEndpoint, props.additionalS3BucketNames ?? []);
    }

    const endpoints = props.interfaceEndpoints ?? this.defaultInterfaceEndpoints(props);
    if (endpoints.length > 0) {
      this.endpointSecurityGroup = this.createInterfaceEndpoints(endpoints);
    }
    this.allowEndpointAccessFrom(this.trainingSecurityGroup);

    if (props.flowLogs ?? isNewVpc) {
      this.flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
        retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
        encryptionKey: props.logEncryptionKey,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      this.flowLog = new ec2.FlowLog(this, 'FlowLog', {
        resourceType: ec2.FlowLogResourceType.fromVpc(this.vpc),
        destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
        trafficType: ec2.FlowLogTrafficType.ALL,
      });
      acknowledgeInlinePolicy(this.flowLog.iamRole!, 'VPC flow-log delivery');
      if (!props.logEncryptionKey) {
        acknowledgeFindings(this.flowLogGroup, ['HIPAA.Security-CloudWatchLogGroupEncrypted', 'NIST.800.53.R5-CloudWatchLogGroupEncrypted', 'PCI.DSS.321-CloudWatchLogGroupEncrypted'],
          'CloudWatch Logs encrypts flow logs at rest with a service-owned key; pass logEncryptionKey for a customer managed key.');
      }
    }
  }

  /**
   * The training subnets in one Availability Zone. FSx for Lustre lives in one AZ, and SageMaker
   * places a training ENI in any subnet it is given, so jobs reading FSx get only these.
   */
  public subnetsInAvailabilityZone(availabilityZone: string): ec2.SubnetSelection {
    const subnets = this.trainingSubnetList().filter((subnet) => subnet.availabilityZone === availabilityZone);
    if (subnets.length === 0) {
      throw new Error(`TrainingNetwork ${this.node.path}: no training subnet in Availability Zone '${availabilityZone}'. ` +
        `Pick one of the training AZs: ${this.availabilityZones.join(', ')}.`);
    }
    return { subnets };
  }

  /** The training subnets as a list. */
  public trainingSubnetList(): ec2.ISubnet[] {
    return this.trainingSubnets.subnets ?? [];
  }

  /** The interface endpoint of one service, if this network created it. */
  public interfaceEndpoint(endpoint: TrainingEndpoint): ec2.InterfaceVpcEndpoint | undefined {
    return this.endpointsByType.get(endpoint);
  }

  public get interfaceEndpointServices(): TrainingEndpoint[] {
    return [...this.endpointsByType.keys()];
  }

  public hasInterfaceEndpoint(endpoint: TrainingEndpoint): boolean {
    return this.endpointsByType.has(endpoint);
  }

  public warnIfEndpointMissing(scope: IConstruct, endpoint: TrainingEndpoint, consequence: string): void {
    warnIfEndpointMissing(this, scope, endpoint, consequence, this.trainingSubnetsIsolated);
  }

  public allowEndpointAccessFrom(peer: ec2.IConnectable): void {
    allowServiceAccess(this, peer, { s3PrefixListId: this.s3PrefixListId, hasEgress: !this.trainingSubnetsIsolated });
  }

  /**
   * Adds `bucket` and its objects to the S3 gateway endpoint's policy (for every principal of this
   * account). Without a gateway endpoint here (`createS3GatewayEndpoint: false`) the VPC's own
   * endpoint decides, and this does nothing. Idempotent.
   */
  public allowS3Bucket(bucket: s3.IBucket): void {
    this.s3EndpointPolicy?.allowBucket(bucket.bucketArn);
  }

  /**
   * Adds a statement to the S3 gateway endpoint's policy, e.g. for an AWS-owned bucket a training
   * container needs (the policy allows only the platform's buckets and ECR's image layers). Does
   * nothing without a gateway endpoint (`createS3GatewayEndpoint: false`).
   */
  public addToS3EndpointPolicy(statement: iam.PolicyStatement): void {
    this.s3GatewayEndpoint?.addToPolicy(statement);
  }

  private createVpc(props: TrainingNetworkProps): ec2.Vpc {
    const mode = props.subnetMode ?? TrainingSubnetMode.ISOLATED;
    const subnetConfiguration: ec2.SubnetConfiguration[] = mode === TrainingSubnetMode.ISOLATED
      ? [{ name: 'Training', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }]
      : [
        { name: 'Egress', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'Training', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ];
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: props.ipAddresses ?? ec2.IpAddresses.cidr('10.0.0.0/16'),
      maxAzs: props.maxAzs ?? 2,
      natGateways: mode === TrainingSubnetMode.ISOLATED ? 0 : props.natGateways ?? 1,
      subnetConfiguration,
      restrictDefaultSecurityGroup: true,
    });
    for (const subnet of vpc.publicSubnets) {
      acknowledgeFindings(subnet, ['NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW', 'HIPAA.Security-VPCNoUnrestrictedRouteToIGW', 'PCI.DSS.321-VPCNoUnrestrictedRouteToIGW'],
        'Public subnets exist only to hold the NAT gateways of NAT_EGRESS mode; nothing else is placed in them and they assign no public IPs.');
    }
    return vpc;
  }

  private selectTrainingSubnets(props: TrainingNetworkProps): ec2.ISubnet[] {
    const vpc = this.vpc;
    const selection = props.trainingSubnets
      ?? { subnetType: vpc.isolatedSubnets.length > 0 ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const subnets = vpc.selectSubnets(selection).subnets;
    if (subnets.length === 0) {
      throw new Error(`TrainingNetwork ${this.node.path}: trainingSubnets selects no subnet of VPC ${vpc.vpcId}. ` +
        'Select private subnets of the VPC (SubnetType.PRIVATE_ISOLATED or PRIVATE_WITH_EGRESS), or pass subnets explicitly.');
    }
    const publicIds = new Set(vpc.publicSubnets.map((subnet) => subnet.subnetId));
    const publicOnes = subnets.filter((subnet) => publicIds.has(subnet.subnetId));
    if (publicOnes.length > 0) {
      throw new Error(`TrainingNetwork ${this.node.path}: trainingSubnets includes public subnet(s) ${publicOnes.map((s) => s.subnetId).join(', ')}. ` +
        'SageMaker gives training ENIs private addresses only, so an internet-gateway route never works for them. Select private subnets.');
    }
    return subnets;
  }

  private defaultInterfaceEndpoints(props: TrainingNetworkProps): readonly TrainingEndpoint[] {
    // A new VPC gets them in both modes: with NAT too, AWS APIs go through the endpoints and no
    // security group needs HTTPS to the internet.
    if (props.vpc === undefined) {
      return ALL_TRAINING_ENDPOINTS;
    }
    const isolatedIds = new Set(props.vpc.isolatedSubnets.map((subnet) => subnet.subnetId));
    return this.trainingSubnetList().some((subnet) => isolatedIds.has(subnet.subnetId)) ? ALL_TRAINING_ENDPOINTS : [];
  }

  private createInterfaceEndpoints(endpoints: readonly TrainingEndpoint[]): ec2.SecurityGroup {
    if (Token.isUnresolved(Stack.of(this).region)) {
      throw new Error(`TrainingNetwork ${this.node.path}: interface endpoint service names depend on the region ` +
        '(China regions use cn.com.amazonaws.<region>.<service> for most services), but this stack has no concrete region. ' +
        'Set env.region on the stack, or set interfaceEndpoints: [] and bring your own endpoints.');
    }
    const securityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface VPC endpoints of the dataset platform (HTTPS from platform security groups only)',
      allowAllOutbound: false,
    });
    for (const endpoint of new Set(endpoints)) {
      const created = new ec2.InterfaceVpcEndpoint(this, `${endpointConstructId(endpoint)}Endpoint`, {
        vpc: this.vpc,
        service: interfaceEndpointService(endpoint),
        subnets: this.trainingSubnets,
        securityGroups: [securityGroup],
        open: false,
        privateDnsEnabled: true,
      });
      created.addToPolicy(interfaceEndpointPolicy());
      this.interfaceEndpoints.push(created);
      this.endpointsByType.set(endpoint, created);
    }
    return securityGroup;
  }
}

function endpointConstructId(endpoint: TrainingEndpoint): string {
  return endpoint.split('_').map((word) => word.charAt(0) + word.slice(1).toLowerCase()).join('');
}

function validateProps(scope: IConstruct, props: TrainingNetworkProps): void {
  const ctx = { scope, construct: 'TrainingNetwork' };
  const forNewVpcOnly: Array<keyof TrainingNetworkProps> = ['subnetMode', 'maxAzs', 'natGateways', 'ipAddresses'];
  if (props.vpc) {
    const misplaced = forNewVpcOnly.filter((key) => props[key] !== undefined);
    if (misplaced.length > 0) {
      throwValidation(scope, 'NewVpcPropsWithExistingVpc', `TrainingNetwork ${scope.node.path}: ${misplaced.join(', ')} shape a new VPC and cannot be combined with an existing vpc. ` +
        'Remove them, or remove vpc to let the construct create one.');
    }
  } else if (props.trainingSubnets) {
    throwValidation(scope, 'TrainingSubnetsWithoutVpc', `TrainingNetwork ${scope.node.path}: trainingSubnets selects subnets of an existing vpc. Pass vpc too, or remove trainingSubnets.`);
  }
  if (props.maxAzs !== undefined) {
    integerIn(ctx, 'maxAzs', props.maxAzs, 2, 99, 'EFS mount targets and Lambda placement need two Availability Zones; use e.g. 2 or 3.');
  }
  if (props.natGateways !== undefined) {
    if ((props.subnetMode ?? TrainingSubnetMode.ISOLATED) !== TrainingSubnetMode.NAT_EGRESS) {
      throwValidation(scope, 'NatGatewaysWithoutEgress', `TrainingNetwork ${scope.node.path}: natGateways (${props.natGateways}) needs subnetMode: TrainingSubnetMode.NAT_EGRESS; isolated subnets have no NAT.`);
    }
    integerIn(ctx, 'natGateways', props.natGateways, 1, 99, 'Use 1 (one shared NAT gateway) or one per Availability Zone.');
  }
}
