import { Annotations, Aws, Duration, Fn, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { DataRepositoryEvent, LustreDataRepositoryAssociation } from '../filesystems/data-repository-association';
import { DatasetFileSystemType, IDatasetFileSystem, deriveDirectoryPath } from '../filesystems/dataset-file-system';
import { LustreDatasetFileSystem } from '../filesystems/lustre-dataset-file-system';
import { ILustreDatasetFileSystem } from '../filesystems/lustre-dataset-file-system-base';
import { FileSystemPorts, ITrainingNetwork, TrainingEndpoint } from '../network';
import { ownAccountActionsPolicy } from '../network/endpoint-policies';
import { Availability, regionCapabilities } from '../regions/capability-table';
import { SecureBucket } from '../storage/secure-bucket';
import { PropContext, failIn, failProp, integerIn, matchesPattern, wholeSecondsIn } from '../validation';
import { createExecutionRole, SESSION_MANAGER_CHANNEL_ACTIONS } from './execution-role';
import {
  HyperPodInstanceGroupOptions, HyperPodSlurmNodeType, HyperPodWorkerGroupOptions, ResolvedInstanceGroup, renderInstanceGroup, resolveInstanceGroup,
} from './instance-groups';
import { EFA_INSTANCE_TYPES, HYPERPOD_INSTANCE_TYPES } from './instance-types';
import { ClusterSettings, LifecycleScripts, ON_CREATE_SCRIPT } from './lifecycle-scripts';

/** What HyperPod does with a node that fails its health checks (`NodeRecovery`). */
export enum HyperPodNodeRecovery {
  /** HyperPod reboots or replaces faulty nodes by itself. */
  AUTOMATIC = 'Automatic',
  /** Faulty nodes are only reported; replace them yourself. */
  NONE = 'None',
}

/**
 * The read-write results directory: a directory of the FSx for Lustre file system, linked to S3 by a
 * data repository association that exports what jobs write there, mounted on every node apart from
 * the read-only datasets.
 */
export interface HyperPodResultsOptions {
  /** The bucket results are exported to. */
  readonly bucket: s3.IBucket;

  /**
   * The key prefix results are exported under.
   * @default 'results/'
   */
  readonly bucketPrefix?: string;

  /**
   * The file-system directory linked to the bucket prefix; it must not overlap the dataset directory.
   * @default '/results'
   */
  readonly fileSystemPath?: string;

  /**
   * Where nodes mount the results directory read-write.
   * @default '/results'
   */
  readonly mountPath?: string;

  /**
   * Which file-system changes are exported to S3 automatically.
   * @default [NEW, CHANGED, DELETED]
   */
  readonly autoExportEvents?: DataRepositoryEvent[];

  /**
   * Which S3 changes are imported into the directory (the seed's two-way link). Import writes an
   * S3 event notification named `FSx` on the bucket.
   * @default - none: results flow from the cluster to S3
   */
  readonly autoImportEvents?: DataRepositoryEvent[];
}

/** Options of a {@link HyperPodCluster}, everything but the network and the file system. */
export interface HyperPodClusterOptions {
  /**
   * The Slurm controller group (exactly one instance).
   * @default - one ml.m5.xlarge named `controller`
   */
  readonly controller?: HyperPodInstanceGroupOptions;

  /**
   * A login group users connect to.
   * @default - no login group: users log in to the controller
   */
  readonly login?: HyperPodInstanceGroupOptions;

  /**
   * The worker (Slurm compute) groups, one Slurm partition each.
   * @default - one ml.g5.8xlarge named `workers-1` (EFA)
   */
  readonly workers?: HyperPodWorkerGroupOptions[];

  /**
   * The cluster name (1–63 letters, digits and hyphens). It cannot change after creation.
   * @default - a unique name derived from the construct path
   */
  readonly clusterName?: string;

  /**
   * What HyperPod does with faulty nodes.
   * @default HyperPodNodeRecovery.AUTOMATIC
   */
  readonly nodeRecovery?: HyperPodNodeRecovery;

  /**
   * Where nodes mount the dataset file system, read-only: datasets are then at
   * `<datasetMountPath><datasetDirectory>/...`, e.g. `/fsx/datasets/cifar10/train`.
   * @default '/fsx'
   */
  readonly datasetMountPath?: string;

  /**
   * A read-write results directory exported to S3 (FSx for Lustre only; EFS is not linked to S3).
   * @default - no results directory
   */
  readonly results?: HyperPodResultsOptions;

  /**
   * The bucket the lifecycle scripts are deployed to (under `hyperpod/<cluster name>/`).
   * @default - a new SecureBucket (SSE-S3, versioned, access-logged, TLS only)
   */
  readonly lifecycleScriptsBucket?: s3.IBucket;

  /**
   * How many times a node tries each mount before its creation fails.
   * @default 5
   */
  readonly mountAttempts?: number;

  /**
   * How long a node waits between mount attempts.
   * @default Duration.seconds(15)
   */
  readonly mountRetryDelay?: Duration;

  /**
   * The customer managed KMS key that encrypts every node's root EBS volume and the extra volume
   * at `/opt/sagemaker` of the groups that have one. HyperPod takes customer managed keys only in
   * continuous node provisioning mode, so a key also sets `NodeProvisioningMode: Continuous`
   * (scaling accepts partial capacity and retries). Decide at creation: HyperPod can neither switch
   * a running cluster's mode nor change a group's key, so adding, changing or removing the key
   * later needs a new cluster (or new instance groups). The execution role may create grants on
   * the key (`kms:CreateGrant` for AWS resources, `kms:DescribeKey`): HyperPod uses them to
   * attach volumes when it adds, replaces or patches nodes. The key's policy must let the role
   * use it through SageMaker, without encryption-context conditions (HyperPod passes none).
   * `DatasetPlatformStack` passes its platform key.
   * @default - AWS owned keys, standard node provisioning
   */
  readonly ebsVolumeKey?: kms.IKey;

  /**
   * Whether to create the interface endpoints nodes need in isolated subnets (Session Manager
   * `ssmmessages` for logging in, CloudWatch `monitoring` for metrics) in the cluster's subnet. Set
   * it to false when the VPC already has them (two endpoints with private DNS for one service conflict).
   * @default - true when the cluster's subnet is isolated
   */
  readonly createInterfaceEndpoints?: boolean;

  /**
   * What happens to resources that hold data (the results association, the lifecycle bucket and logs) when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Properties of a {@link HyperPodCluster}. */
export interface HyperPodClusterProps extends HyperPodClusterOptions {
  /** The training network: the cluster goes into its training subnet in the file system's Availability Zone. */
  readonly network: ITrainingNetwork;

  /** The dataset file system the nodes mount read-only (FSx for Lustre, or EFS over NFS). */
  readonly fileSystem: IDatasetFileSystem;
}

const DEFAULT_CONTROLLER: HyperPodInstanceGroupOptions = { instanceType: 'ml.m5.xlarge' };
const DEFAULT_WORKERS: HyperPodWorkerGroupOptions[] = [{ instanceType: 'ml.g5.8xlarge', efa: true }];
const CLUSTER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const ABSOLUTE_PATH = /^\/[A-Za-z0-9._\-/]*$/;

/**
 * A SageMaker HyperPod cluster with Slurm that mounts the dataset platform's file system: FSx for
 * Lustre read-only from `<dnsName>@tcp:/<mountName>` (or EFS over NFS), at `/fsx` by default, with
 * an optional read-write results directory that a data repository association exports to S3.
 *
 * The cluster runs in the training subnet of the file system's Availability Zone, behind its own
 * security group that admits all traffic from and to itself in both directions (EFA requires the
 * explicit egress rule even when outbound traffic is open) and the Lustre (TCP 988, 1018–1023) or
 * NFS (TCP 2049) ports to the file system, never a CIDR. Slurm is configured through the API
 * (`SlurmConfig` of each group); the lifecycle scripts (`lib/hyperpod/lifecycle`, checked by
 * shellcheck and a sandbox test) and their generated settings are deployed to S3 and run on every
 * node. Node recovery is automatic. The execution role is inline and scoped to this cluster.
 *
 * Synthesis fails in regions whose CloudFormation has no `AWS::SageMaker::Cluster` (the China
 * regions, GovCloud, ap-northeast-2, …; see the capability table).
 *
 * @example
 * const cluster = new HyperPodCluster(this, 'Cluster', {
 *   network,
 *   fileSystem,
 *   workers: [{ instanceType: 'ml.g5.8xlarge', instanceCount: 2, efa: true }],
 *   results: { bucket: datasetBucket },
 * });
 */
export class HyperPodCluster extends Construct implements ec2.IConnectable, iam.IGrantable {
  /** Whether HyperPod accepts `instanceType` (the `AWS::SageMaker::Cluster` schema's list). */
  public static isHyperPodInstanceType(instanceType: string): boolean {
    return HYPERPOD_INSTANCE_TYPES.includes(instanceType);
  }

  /** Whether `instanceType` has Elastic Fabric Adapter (its EC2 type reports `EfaSupported` in DescribeInstanceTypes). */
  public static isEfaInstanceType(instanceType: string): boolean {
    return EFA_INSTANCE_TYPES.includes(instanceType);
  }

  /** The L1 cluster. */
  public readonly cluster: sagemaker.CfnCluster;
  /** The cluster name. */
  public readonly clusterName: string;
  /** The cluster ARN. */
  public readonly clusterArn: string;
  /** The instances' execution role. */
  public readonly executionRole: iam.Role;
  /** The instances' role, for grants (e.g. read a bucket from jobs). */
  public readonly grantPrincipal: iam.IPrincipal;
  /** The cluster's security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The cluster's connections (IConnectable). */
  public readonly connections: ec2.Connections;
  /** The subnet the cluster runs in (the file system's Availability Zone). */
  public readonly subnet: ec2.ISubnet;
  /** The deployed lifecycle scripts. */
  public readonly lifecycleScripts: LifecycleScripts;
  /** The bucket the lifecycle scripts are in. */
  public readonly lifecycleScriptsBucket: s3.IBucket;
  /** Where the datasets are mounted, read-only. */
  public readonly datasetMountPath: string;
  /** Where the results directory is mounted, if there is one. */
  public readonly resultsMountPath?: string;
  /** The association that exports the results directory, if there is one. */
  public readonly resultsAssociation?: LustreDataRepositoryAssociation;
  /** The interface endpoints this construct created. */
  public readonly interfaceEndpoints: ec2.InterfaceVpcEndpoint[] = [];

  private readonly groups: ResolvedInstanceGroup[];

  constructor(scope: Construct, id: string, props: HyperPodClusterProps) {
    super(scope, id);
    const ctx: PropContext = { scope: this, construct: 'HyperPodCluster' };
    const fail = (message: string): never => failIn(ctx, 'InvalidHyperPodCluster', message);

    const region = Stack.of(this).region;
    if (Token.isUnresolved(region)) {
      fail('the stack has no concrete region (env.region is unset or a token), so the library cannot check that CloudFormation offers ' +
        "AWS::SageMaker::Cluster there. Set env: { region: 'us-east-1' } (or another HyperPod region) on the stack.");
    }
    const hyperPod = regionCapabilities(region).hyperPodCluster;
    if (hyperPod.availability === Availability.UNAVAILABLE) {
      fail(`SageMaker HyperPod clusters cannot be created in ${region} (${hyperPod.availability}: ${hyperPod.source}). ` +
        'Create the cluster in a HyperPod region, or leave it out of this region\'s stack.');
    }
    if (hyperPod.availability === Availability.UNVERIFIED) {
      Annotations.of(this).addWarningV2('cdk-sagemaker-datasets:hyperPodUnverified',
        `Whether CloudFormation offers AWS::SageMaker::Cluster in ${region} is unverified (${hyperPod.source}).`);
    }

    // Groups.
    const controller = resolveInstanceGroup(ctx, 'controller', HyperPodSlurmNodeType.CONTROLLER, 'controller', props.controller ?? DEFAULT_CONTROLLER);
    const login = props.login ? resolveInstanceGroup(ctx, 'login', HyperPodSlurmNodeType.LOGIN, 'login', props.login) : undefined;
    const workerOptions = props.workers ?? DEFAULT_WORKERS;
    if (workerOptions.length === 0) {
      fail('workers is empty; a Slurm cluster needs at least one worker group (e.g. [{ instanceType: \'ml.g5.8xlarge\', instanceCount: 2 }]).');
    }
    const workers = workerOptions.map((options, index) =>
      resolveInstanceGroup(ctx, `workers[${index}]`, HyperPodSlurmNodeType.COMPUTE, `workers-${index + 1}`, options));
    this.groups = [controller, ...(login ? [login] : []), ...workers];
    const names = this.groups.map((group) => group.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate) {
      fail(`instance group name ${JSON.stringify(duplicate)} is used twice; give every group its own name.`);
    }
    if (this.groups.length > 100) {
      fail(`${this.groups.length} instance groups; a cluster has at most 100.`);
    }

    // Names and paths.
    this.clusterName = props.clusterName ?? Names.uniqueResourceName(this, { maxLength: 63, separator: '-', allowedSpecialCharacters: '-' }).replace(/^-+|-+$/g, '');
    matchesPattern(ctx, 'clusterName', this.clusterName, CLUSTER_NAME,
      'it is not valid: 1-63 letters, digits and hyphens, starting and ending with a letter or digit', 'Use e.g. \'training-cluster\', or leave it out for a generated name.');
    this.datasetMountPath = checkMountPath(ctx, 'datasetMountPath', props.datasetMountPath ?? '/fsx', '/fsx');
    const attempts = integerIn(ctx, 'mountAttempts', props.mountAttempts ?? 5, 1, 60, 'It is how often a node tries to mount the file system; use e.g. 5.');
    const retryDelaySeconds = wholeSecondsIn(ctx, 'mountRetryDelay', props.mountRetryDelay ?? Duration.seconds(15), 1, 300, 'Use e.g. Duration.seconds(15).');
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // Placement: the training subnet in the file system's Availability Zone.
    const fsSubnets = props.fileSystem.trainingSubnets.subnets ?? [];
    if (fsSubnets.length === 0) {
      fail(`the file system ${props.fileSystem.node.path} names no training subnets (trainingSubnets.subnets is empty); pass a file system created with the same network.`);
    }
    this.subnet = fsSubnets[0];

    // Network: one security group, all traffic within itself in both directions (EFA), file-system ports to the file system.
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.network.vpc,
      description: 'SageMaker HyperPod cluster nodes: all traffic within the group (EFA, Slurm), file-system ports to the dataset file system',
      // Closed: the group itself (EFA, Slurm), the endpoints, S3's prefix list and the file system.
      allowAllOutbound: false,
    });
    this.connections = this.securityGroup.connections;
    FileSystemPorts.allowEfa(this.securityGroup);
    props.fileSystem.allowClient(this);
    props.network.allowEndpointAccessFrom(this);
    props.network.warnIfEndpointMissing(this, TrainingEndpoint.CLOUDWATCH_LOGS, 'nodes cannot write the lifecycle and Slurm logs to CloudWatch Logs');
    this.createInterfaceEndpoints(props);

    // File system settings for the lifecycle scripts.
    const { settings, resultsAssociation } = this.fileSystemSettings(ctx, props, attempts, retryDelaySeconds, removalPolicy, fail);
    this.resultsMountPath = settings.resultsMountPath;
    this.resultsAssociation = resultsAssociation;

    // Execution role and lifecycle scripts.
    this.executionRole = createExecutionRole(this, 'ExecutionRole', {
      clusterName: this.clusterName,
      vpc: props.network.vpc,
      subnet: this.subnet,
      securityGroup: this.securityGroup,
    });
    this.grantPrincipal = this.executionRole;
    this.lifecycleScriptsBucket = props.lifecycleScriptsBucket ?? new SecureBucket(this, 'LifecycleScriptsBucket', { removalPolicy }).bucket;
    // Nodes fetch the scripts through the VPC: the S3 gateway endpoint must allow the bucket.
    props.network.allowS3Bucket(this.lifecycleScriptsBucket);
    this.lifecycleScripts = new LifecycleScripts(this, 'LifecycleScripts', {
      bucket: this.lifecycleScriptsBucket,
      keyPrefix: `hyperpod/${this.clusterName}/`,
      settings,
      removalPolicy,
    });
    this.lifecycleScripts.grantRead(this.executionRole);
    if (props.ebsVolumeKey) {
      grantVolumeKey(props.ebsVolumeKey, this.executionRole);
    }

    const context = {
      executionRoleArn: this.executionRole.roleArn,
      sourceS3Uri: this.lifecycleScripts.sourceS3Uri,
      onCreate: ON_CREATE_SCRIPT,
      ebsVolumeKmsKeyId: props.ebsVolumeKey?.keyArn,
    };
    this.cluster = new sagemaker.CfnCluster(this, 'Resource', {
      clusterName: this.clusterName,
      instanceGroups: this.groups.map((group) => renderInstanceGroup(group, context)),
      nodeRecovery: props.nodeRecovery ?? HyperPodNodeRecovery.AUTOMATIC,
      orchestrator: { slurm: { slurmConfigStrategy: 'Managed' } },
      nodeProvisioningMode: props.ebsVolumeKey ? 'Continuous' : undefined,
      vpcConfig: { securityGroupIds: [this.securityGroup.securityGroupId], subnets: [this.subnet.subnetId] },
    });
    // Nodes start running the scripts as soon as they boot: the scripts, the role's policy and the
    // results association must exist first.
    this.cluster.node.addDependency(this.lifecycleScripts, this.executionRole);
    if (this.resultsAssociation) {
      this.cluster.node.addDependency(this.resultsAssociation);
    }
    this.clusterArn = this.cluster.attrClusterArn;
  }

  /** The instance group names, in the order of the cluster's `InstanceGroups`. */
  public get instanceGroupNames(): string[] {
    return this.groups.map((group) => group.name);
  }

  /**
   * The Session Manager target of one node, for `aws ssm start-session --target ...`:
   * `sagemaker-cluster:<cluster id>_<group name>-<instance id>`.
   */
  public sessionTarget(instanceGroupName: string, instanceId: string): string {
    const clusterId = Fn.select(1, Fn.split('/', this.clusterArn));
    return `sagemaker-cluster:${clusterId}_${instanceGroupName}-${instanceId}`;
  }

  private fileSystemSettings(ctx: PropContext, props: HyperPodClusterProps, attempts: number, retryDelaySeconds: number, removalPolicy: RemovalPolicy,
    fail: (message: string) => never): { settings: ClusterSettings; resultsAssociation?: LustreDataRepositoryAssociation } {
    const fileSystem = props.fileSystem;
    const base = { datasetMountPath: this.datasetMountPath, mountAttempts: attempts, mountRetryDelaySeconds: retryDelaySeconds };
    if (fileSystem.fileSystemType === DatasetFileSystemType.EFS) {
      if (props.results) {
        fail('results needs FSx for Lustre: an EFS file system is not linked to S3, so nothing would export the results. Remove results, or use a LustreDatasetFileSystem.');
      }
      return { settings: { ...base, fileSystemType: DatasetFileSystemType.EFS, dnsName: `${fileSystem.fileSystemId}.efs.${Stack.of(this).region}.${Aws.URL_SUFFIX}` } };
    }
    const lustre = fileSystem as unknown as ILustreDatasetFileSystem;
    if (!props.results) {
      return { settings: { ...base, fileSystemType: DatasetFileSystemType.FSX_LUSTRE, dnsName: lustre.dnsName, lustreMountName: lustre.mountName } };
    }
    const resultsPath = props.results.fileSystemPath ?? '/results';
    const resultsMountPath = checkMountPath(ctx, 'results.mountPath', props.results.mountPath ?? '/results', '/results');
    if (!Token.isUnresolved(resultsMountPath) && !Token.isUnresolved(this.datasetMountPath) && pathsOverlap(resultsMountPath, this.datasetMountPath)) {
      fail(`results.mountPath ${resultsMountPath} overlaps datasetMountPath ${this.datasetMountPath}; the read-write results need their own mount point (e.g. /results).`);
    }
    if (!Token.isUnresolved(resultsPath) && !Token.isUnresolved(lustre.datasetDirectory) && pathsOverlap(resultsPath, lustre.datasetDirectory)) {
      fail(`results.fileSystemPath ${resultsPath} overlaps the dataset directory ${lustre.datasetDirectory}; results must not be written among the read-only datasets. Use e.g. /results.`);
    }
    const options = {
      fileSystemPath: resultsPath,
      bucket: props.results.bucket,
      bucketPrefix: props.results.bucketPrefix ?? 'results/',
      autoExportEvents: props.results.autoExportEvents ?? [DataRepositoryEvent.NEW, DataRepositoryEvent.CHANGED, DataRepositoryEvent.DELETED],
      autoImportEvents: props.results.autoImportEvents ?? [],
      removalPolicy,
    };
    if (options.autoExportEvents.length === 0) {
      fail('results.autoExportEvents is empty, so nothing written to the results directory would reach S3. List NEW, CHANGED and/or DELETED.');
    }
    const resultsAssociation = LustreDatasetFileSystem.isLustreDatasetFileSystem(fileSystem)
      ? fileSystem.addDataRepositoryAssociation(`${this.node.id}Results`, options)
      : new LustreDataRepositoryAssociation(this, 'ResultsAssociation', { ...options, fileSystem: lustre });
    return {
      resultsAssociation,
      settings: {
        ...base,
        fileSystemType: DatasetFileSystemType.FSX_LUSTRE,
        dnsName: lustre.dnsName,
        lustreMountName: lustre.mountName,
        resultsFileSystemPath: deriveDirectoryPath(this, [resultsPath]),
        resultsMountPath,
      },
    };
  }

  private createInterfaceEndpoints(props: HyperPodClusterProps): void {
    const isolatedIds = new Set(props.network.vpc.isolatedSubnets.map((subnet) => subnet.subnetId));
    if (!(props.createInterfaceEndpoints ?? isolatedIds.has(this.subnet.subnetId))) {
      return;
    }
    const securityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: props.network.vpc,
      description: 'HyperPod cluster interface endpoints: HTTPS from the cluster nodes only',
      allowAllOutbound: false,
    });
    securityGroup.connections.allowFrom(this, ec2.Port.tcp(443), 'HTTPS from the HyperPod cluster nodes');
    // Each endpoint's policy carries what the execution role does there, for principals of this
    // account only. Both services accept endpoint policies (neither is among the PrivateLink
    // services without them).
    const services: Array<[string, ec2.InterfaceVpcEndpointAwsService, iam.PolicyStatement]> = [
      ['SessionManagerMessages', ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES, ownAccountActionsPolicy('SessionManagerChannels', [...SESSION_MANAGER_CHANNEL_ACTIONS])],
      ['CloudWatchMonitoring', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING, ownAccountActionsPolicy('ClusterMetrics', ['cloudwatch:PutMetricData'])],
    ];
    for (const [name, service, policy] of services) {
      const endpoint = new ec2.InterfaceVpcEndpoint(this, `${name}Endpoint`, {
        vpc: props.network.vpc,
        service,
        subnets: { subnets: [this.subnet] },
        securityGroups: [securityGroup],
        open: false,
        privateDnsEnabled: true,
      });
      endpoint.addToPolicy(policy);
      this.interfaceEndpoints.push(endpoint);
    }
  }
}

function checkMountPath(ctx: PropContext, prop: string, path: string, example: string): string {
  if (Token.isUnresolved(path)) return path;
  if (!ABSOLUTE_PATH.test(path) || path === '/' || path.endsWith('/') || path.split('/').some((part) => part === '.' || part === '..')) {
    failProp(ctx, prop, JSON.stringify(path), 'it must be an absolute, normalized directory other than / made of letters, digits, \'.\', \'_\', \'-\' and \'/\'', `Use e.g. ${example}.`);
  }
  return path;
}

function pathsOverlap(a: string, b: string): boolean {
  const slash = (p: string) => (p.endsWith('/') ? p : `${p}/`);
  return slash(a).startsWith(slash(b)) || slash(b).startsWith(slash(a));
}

/**
 * What HyperPod needs of the execution role to encrypt volumes with a customer managed key: grants
 * for the volumes of the nodes it launches (only for AWS resources) and the key's description.
 * No direct encryption or decryption: EC2 uses the grants.
 */
function grantVolumeKey(key: kms.IKey, role: iam.IGrantable): void {
  key.grant(role, 'kms:DescribeKey');
  role.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'VolumeKeyGrantsForNodes',
    actions: ['kms:CreateGrant'],
    resources: [key.keyArn],
    conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
  }));
}
