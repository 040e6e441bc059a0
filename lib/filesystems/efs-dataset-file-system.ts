import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeFindings } from '../nag/acknowledge';
import { regionCapabilities } from '../regions/capability-table';
import { rethrowInScope } from '../validation';
import { FileSystemAccessMode } from './dataset-file-system';
import { EfsDatasetFileSystemBase, IEfsDatasetFileSystem } from './efs-dataset-file-system-base';
import { EfsDatasetFileSystemAttributes, EfsDatasetFileSystemProps } from './efs-props';
import { resolveEfsSettings } from './efs-validation';
import { ImportedEfsDatasetFileSystem } from './imported-efs-dataset-file-system';

const EFS_DATASET_FILE_SYSTEM_SYMBOL = Symbol.for('cdk-sagemaker-datasets.EfsDatasetFileSystem');

/**
 * An EFS file system for SageMaker training datasets: encrypted, elastic throughput, automatic
 * backups, RETAIN by default, one mount target per Availability Zone of the training subnets behind a
 * security group that admits only NFS (TCP 2049) from the clients it is opened to, and an access
 * point for writers rooted at the dataset directory with owner and permissions set, so EFS creates
 * the directory before the first write (without it, writers fail with "No such file or directory: /efs/...").
 *
 * SageMaker cannot use access points: a training job mounts the file-system root, so a file a Lambda
 * writes at `/mnt/datasets/x` through the access point is `/datasets/x` for the job. The channel
 * paths are derived here; callers never compute them.
 *
 * File-system policy: SageMaker's `FileSystemDataSource` has no IAM or access-point field and the
 * SageMaker execution-role documentation lists no `elasticfilesystem:Client*` action, so training
 * jobs are treated as clients without IAM authorization. The policy allows them `ClientMount` (and
 * `ClientWrite` with `trainingAccessMode` READ_WRITE) through mount targets only and never
 * `ClientRootAccess`; the network (2049 only from registered security groups) is the boundary.
 * (aws-cdk-lib's own anonymous-access statement omits `ClientMount`, which makes such mounts fail,
 * aws/aws-cdk#36224.) Verify with a training job in a new account before relying on it.
 *
 * @example
 * const datasets = new EfsDatasetFileSystem(this, 'Datasets', { network });
 * datasets.allowClient(network);
 * const mount = datasets.lambdaMount('/mnt/datasets');
 * // new lambda.Function(this, 'Writer', { ..., vpc: network.vpc, filesystem: mount.fileSystem });
 */
export class EfsDatasetFileSystem extends EfsDatasetFileSystemBase {
  /** Imports an existing EFS file system. */
  public static fromEfsDatasetFileSystemAttributes(scope: Construct, id: string, attrs: EfsDatasetFileSystemAttributes): IEfsDatasetFileSystem {
    return new ImportedEfsDatasetFileSystem(scope, id, attrs);
  }

  /**
   * Whether `x` is an {@link EfsDatasetFileSystem} (not an imported one). Checks a marker, not
   * `instanceof`, so it holds when the app loads two copies of this library.
   */
  public static isEfsDatasetFileSystem(x: unknown): x is EfsDatasetFileSystem {
    return x !== null && typeof x === 'object' && EFS_DATASET_FILE_SYSTEM_SYMBOL in x;
  }

  /** The L2 file system. */
  public readonly fileSystem: efs.FileSystem;
  /** The mount targets' security group (NFS rules only). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The access point writers use, rooted at the dataset directory (always set on a file system this construct creates). */
  public readonly writerAccessPoint?: efs.IAccessPoint;
  public readonly connections: ec2.Connections;
  public readonly fileSystemId: string;
  public readonly fileSystemArn: string;
  public readonly datasetDirectory: string;
  public readonly trainingSubnets: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, props: EfsDatasetFileSystemProps) {
    super(scope, id);
    Object.defineProperty(this, EFS_DATASET_FILE_SYSTEM_SYMBOL, { value: true });
    const region = Stack.of(this).region;
    const caps = Token.isUnresolved(region) ? undefined : regionCapabilities(region);
    const settings = rethrowInScope(this, 'EfsDatasetFileSystem', () => resolveEfsSettings(props, caps));
    const { writerOwner: owner, datasetDirectoryPermissions: permissions, throughputMode, performanceMode } = settings;
    this.datasetDirectory = settings.datasetDirectory;
    this.trainingAccessMode = settings.trainingAccessMode;

    // One mount target per AZ: EFS allows one per AZ, and every training subnet's AZ needs one.
    const trainingSubnets = props.network.trainingSubnetList();
    const mountTargetSubnets: ec2.ISubnet[] = [];
    for (const subnet of trainingSubnets) {
      if (!mountTargetSubnets.some((s) => s.availabilityZone === subnet.availabilityZone)) {
        mountTargetSubnets.push(subnet);
      }
    }
    this.trainingSubnets = { subnets: trainingSubnets };

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.network.vpc,
      description: 'EFS dataset file system mount targets: NFS (TCP 2049) from their clients only',
      allowAllOutbound: false,
    });

    const clientActions = ['elasticfilesystem:ClientMount'];
    if (this.trainingAccessMode === FileSystemAccessMode.READ_WRITE) {
      clientActions.push('elasticfilesystem:ClientWrite');
    }
    this.fileSystem = new efs.FileSystem(this, 'Resource', {
      vpc: props.network.vpc,
      vpcSubnets: { subnets: mountTargetSubnets },
      securityGroup: this.securityGroup,
      encrypted: true,
      kmsKey: props.kmsKey,
      throughputMode,
      provisionedThroughputPerSecond: props.provisionedThroughputPerSecond,
      performanceMode,
      enableAutomaticBackups: props.enableAutomaticBackups ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      // Our own policy replaces aws-cdk-lib's anonymous-access statement (which lacks ClientMount).
      allowAnonymousAccess: true,
      fileSystemPolicy: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          sid: 'TrainingJobsMountThroughMountTargets',
          principals: [new iam.AnyPrincipal()],
          actions: clientActions,
          conditions: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
        })],
      }),
    });
    this.connections = this.fileSystem.connections;
    this.mountTargetsAvailable = [this.fileSystem.mountTargetsAvailable];
    this.fileSystemId = this.fileSystem.fileSystemId;
    this.fileSystemArn = this.fileSystem.fileSystemArn;

    this.writerAccessPoint = this.fileSystem.addAccessPoint('WriterAccessPoint', {
      path: this.datasetDirectory,
      posixUser: { uid: String(owner.uid), gid: String(owner.gid) },
      createAcl: { ownerUid: String(owner.uid), ownerGid: String(owner.gid), permissions },
    });

    if (props.enableAutomaticBackups ?? true) {
      acknowledgeFindings(this.fileSystem, ['NIST.800.53.R5-EFSInBackupPlan', 'HIPAA.Security-EFSInBackupPlan'],
        'EFS automatic backups are on (BackupPolicy ENABLED): AWS Backup protects the file system with its default plan aws/efs/automatic-backup-plan, outside the template.');
    }
  }
}
