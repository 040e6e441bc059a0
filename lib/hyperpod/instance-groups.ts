import { Token } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { PropContext, failIn, failProp, integerIn, invalidPropName, matchesPattern, numberOneOf } from '../validation';
import { EFA_INSTANCE_TYPES, HYPERPOD_INSTANCE_TYPES } from './instance-types';

/** A deep health check HyperPod runs on a group's instances before they join the cluster. */
export enum HyperPodDeepHealthCheck {
  /** Stress tests of the accelerators, memory and disks (`InstanceStress`). */
  INSTANCE_STRESS = 'InstanceStress',
  /** Network connectivity tests between the instances, including EFA (`InstanceConnectivity`). */
  INSTANCE_CONNECTIVITY = 'InstanceConnectivity',
}

/** The Slurm role of an instance group (`SlurmConfig.NodeType`). */
export enum HyperPodSlurmNodeType {
  /** The Slurm controller (slurmctld). */
  CONTROLLER = 'Controller',
  /** Login nodes users connect to and submit jobs from. */
  LOGIN = 'Login',
  /** Compute nodes (slurmd) that run jobs. */
  COMPUTE = 'Compute',
}

/** An instance group of a HyperPod cluster: the controller or login group. */
export interface HyperPodInstanceGroupOptions {
  /** The instance type, one of the `ml.*` types HyperPod accepts (e.g. `ml.m5.xlarge`). */
  readonly instanceType: string;

  /**
   * The number of instances.
   * @default 1
   */
  readonly instanceCount?: number;

  /**
   * The group name (1–63 letters, digits and hyphens, starting and ending with a letter or digit).
   * @default - `controller`, `login`, or `workers-<n>` for the n-th worker group
   */
  readonly name?: string;

  /**
   * Threads per CPU core: 1 turns simultaneous multithreading off (usual for HPC and training), 2 keeps it.
   * @default - HyperPod's default for the instance type
   */
  readonly threadsPerCore?: number;

  /**
   * The size in GiB of an extra EBS volume per instance, mounted at `/opt/sagemaker` (1–16384).
   * @default - no extra volume
   */
  readonly ebsVolumeSizeGiB?: number;
}

/** A worker (Slurm compute) group of a HyperPod cluster. */
export interface HyperPodWorkerGroupOptions extends HyperPodInstanceGroupOptions {
  /**
   * The Slurm partition the group's nodes join (letters, digits and hyphens).
   * @default - the group name
   */
  readonly partitionName?: string;

  /**
   * Require Elastic Fabric Adapter: synthesis fails unless the instance type supports EFA (see
   * `HyperPodCluster.isEfaInstanceType`). The cluster's security group admits all traffic to and
   * from itself either way, as EFA requires.
   * @default false
   */
  readonly efa?: boolean;

  /**
   * Deep health checks run on the group's instances when they are created or replaced.
   * @default - none
   */
  readonly deepHealthChecks?: HyperPodDeepHealthCheck[];
}

/** One instance group, validated and with its defaults filled in. */
export interface ResolvedInstanceGroup {
  readonly name: string;
  readonly nodeType: HyperPodSlurmNodeType;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly threadsPerCore?: number;
  readonly ebsVolumeSizeGiB?: number;
  readonly partitionName?: string;
  readonly deepHealthChecks: HyperPodDeepHealthCheck[];
  readonly efa: boolean;
}

const GROUP_NAME = /^(?=.{1,63}$)[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
const PARTITION_NAME = /^(?=.{1,1024}$)[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
/** `ClusterInstanceGroup.InstanceCount` maximum (cfn-lint 1.51.0 schema). */
const MAX_INSTANCE_COUNT = 6758;

/**
 * Validates one group and fills in its defaults. `prop` names the group in messages, e.g.
 * `workers[1]`; failures are `ValidationError`s in `ctx` (the cluster).
 */
export function resolveInstanceGroup(ctx: PropContext, prop: string, nodeType: HyperPodSlurmNodeType, defaultName: string,
  options: HyperPodInstanceGroupOptions & Partial<HyperPodWorkerGroupOptions>): ResolvedInstanceGroup {
  const name = matchesPattern(ctx, `${prop}.name`, options.name ?? defaultName, GROUP_NAME,
    'it is not a valid instance group name: 1-63 letters, digits and hyphens, starting and ending with a letter or digit', 'Use e.g. \'gpu-workers\'.');
  const type = options.instanceType;
  if (!Token.isUnresolved(type) && !HYPERPOD_INSTANCE_TYPES.includes(type)) {
    const family = type.replace(/^ml\./, '').split('.')[0];
    const sameFamily = HYPERPOD_INSTANCE_TYPES.filter((t) => t.startsWith(`ml.${family}.`));
    let fix = "Use an 'ml.' type such as ml.m5.xlarge, ml.g5.8xlarge or ml.p5.48xlarge.";
    if (!type.startsWith('ml.') && HYPERPOD_INSTANCE_TYPES.includes(`ml.${type}`)) {
      fix = `HyperPod instance types carry the 'ml.' prefix: use 'ml.${type}'.`;
    } else if (sameFamily.length > 0) {
      fix = `Pick one of ${sameFamily.join(', ')}.`;
    }
    failProp(ctx, `${prop}.instanceType`, JSON.stringify(type), 'it is not a HyperPod instance type (one of the instance types AWS::SageMaker::Cluster accepts)', fix);
  }
  const count = integerIn(ctx, `${prop}.instanceCount`, options.instanceCount ?? 1, 1, MAX_INSTANCE_COUNT,
    'Remove the group instead of setting 0.');
  if (nodeType === HyperPodSlurmNodeType.CONTROLLER && !Token.isUnresolved(count) && count !== 1) {
    failProp(ctx, `${prop}.instanceCount`, String(count), 'a Slurm cluster has exactly one controller instance here', 'Set instanceCount to 1.');
  }
  const threads = options.threadsPerCore === undefined ? undefined
    : numberOneOf(ctx, `${prop}.threadsPerCore`, options.threadsPerCore, [1, 2], 'Use 1 (multithreading off) or 2 (on).');
  const ebs = options.ebsVolumeSizeGiB === undefined ? undefined
    : integerIn(ctx, `${prop}.ebsVolumeSizeGiB`, options.ebsVolumeSizeGiB, 1, 16384, 'It is the GiB of the EBS volume mounted at /opt/sagemaker; use e.g. 500.');
  let partitionName: string | undefined;
  if (nodeType === HyperPodSlurmNodeType.COMPUTE) {
    partitionName = matchesPattern(ctx, `${prop}.partitionName`, options.partitionName ?? name, PARTITION_NAME,
      'it is not a valid Slurm partition name here: up to 1024 letters, digits and hyphens, starting and ending with a letter or digit', 'Use e.g. \'gpu\'.');
  }
  const checks = options.deepHealthChecks ?? [];
  if (new Set(checks).size !== checks.length) {
    failProp(ctx, `${prop}.deepHealthChecks`, `[${checks.join(', ')}]`, 'it lists a check more than once', 'List each of INSTANCE_STRESS and INSTANCE_CONNECTIVITY at most once.');
  }
  const efa = options.efa ?? false;
  if (efa && !Token.isUnresolved(type) && !EFA_INSTANCE_TYPES.includes(type)) {
    failIn(ctx, invalidPropName(`${prop}.efa`), `${prop}.efa is true but ${type} has no Elastic Fabric Adapter (its EC2 type does not report EfaSupported in DescribeInstanceTypes). ` +
      `Pick an EFA type such as ${EFA_INSTANCE_TYPES.filter((t) => /^ml\.(g5|g6|p4d|p5)\./.test(t)).slice(0, 6).join(', ')}, or set efa: false.`);
  }
  return {
    name,
    nodeType,
    instanceType: type,
    instanceCount: count,
    threadsPerCore: threads,
    ebsVolumeSizeGiB: ebs,
    partitionName,
    deepHealthChecks: [...checks],
    efa,
  };
}

/** What every instance group shares. */
export interface InstanceGroupContext {
  readonly executionRoleArn: string;
  readonly sourceS3Uri: string;
  readonly onCreate: string;
  /** The key of the root and extra EBS volumes (none: AWS owned keys). */
  readonly ebsVolumeKmsKeyId?: string;
}

/**
 * A group's EBS volumes: with a key, the root volume (`RootVolume: true`, whose size HyperPod
 * chooses) and the extra volume at `/opt/sagemaker` both use it; without one, AWS owned keys.
 */
function instanceStorage(group: ResolvedInstanceGroup, volumeKmsKeyId?: string): sagemaker.CfnCluster.ClusterInstanceStorageConfigProperty[] | undefined {
  const configs: sagemaker.CfnCluster.ClusterInstanceStorageConfigProperty[] = [];
  if (volumeKmsKeyId !== undefined) {
    configs.push({ ebsVolumeConfig: { rootVolume: true, volumeKmsKeyId } });
  }
  if (group.ebsVolumeSizeGiB !== undefined) {
    configs.push({ ebsVolumeConfig: { volumeSizeInGb: group.ebsVolumeSizeGiB, volumeKmsKeyId } });
  }
  return configs.length > 0 ? configs : undefined;
}

/** The CloudFormation shape of one group. */
export function renderInstanceGroup(group: ResolvedInstanceGroup, context: InstanceGroupContext): sagemaker.CfnCluster.ClusterInstanceGroupProperty {
  return {
    instanceGroupName: group.name,
    instanceType: group.instanceType,
    instanceCount: group.instanceCount,
    executionRole: context.executionRoleArn,
    lifeCycleConfig: { sourceS3Uri: context.sourceS3Uri, onCreate: context.onCreate },
    threadsPerCore: group.threadsPerCore,
    instanceStorageConfigs: instanceStorage(group, context.ebsVolumeKmsKeyId),
    onStartDeepHealthChecks: group.deepHealthChecks.length > 0 ? group.deepHealthChecks : undefined,
    slurmConfig: {
      nodeType: group.nodeType,
      partitionNames: group.partitionName !== undefined ? [group.partitionName] : undefined,
    },
  };
}
