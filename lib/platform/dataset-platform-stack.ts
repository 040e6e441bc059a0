import { Annotations, CfnOutput, Size, Stack, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DATASET_KEY_PREFIX } from '../../contract/ingestion-events';
import { PlatformApi, PlatformApiEndpointType } from '../api';
import { PlatformEventBus } from '../events';
import { PlatformEncryption, PlatformKey } from '../encryption';
import { bucketEncryption } from '../encryption/encryption-props';
import { DatasetFileSystemType, DatasetStorage, DatasetStorageType, IDatasetFileSystem } from '../filesystems';
import { HyperPodCluster, HyperPodClusterOptions } from '../hyperpod';
import { DatasetIngestion, DatasetIngestionConversionOptions, DatasetIngestionDistributedOptions } from '../ingestion';
import { TrainingImageRepository, TrainingJobLauncher } from '../launcher';
import { PlatformMonitoring } from '../monitoring';
import { TrainingNetwork, TrainingNetworkProps } from '../network';
import { Availability, RegionCapabilityTable } from '../regions/capability-table';
import { UnsupportedRegionError, unsupportedRegionsMessage } from '../regions/platform-regions';
import { SecureBucket } from '../storage';
import { Tenant } from '../tenancy';
import { DatasetPlatformParameters } from './platform-parameters';
import { throwValidation } from '../validation';

/** Properties of a {@link DatasetPlatformStack}. */
export interface DatasetPlatformStackProps extends StackProps {
  /**
   * How the training network is built.
   * @default - a new VPC with isolated subnets in two AZs, an S3 gateway endpoint and every interface endpoint
   */
  readonly network?: TrainingNetworkProps;

  /**
   * The ECR repositories training images may come from.
   * @default - a new TrainingImageRepository (scan on push, immutable tags, untagged images expire after 14 days, the newest 200 kept; only `trainingImagePushers` push, the training jobs' execution roles pull) named by CloudFormation
   */
  readonly trainingImageRepositories?: ecr.IRepository[];

  /**
   * Who may push images to the training-image repository the stack creates (e.g. the CI role that
   * builds them); everyone else is denied by its repository policy. Ignored with `trainingImageRepositories`.
   * @default - identity policies decide who pushes
   */
  readonly trainingImagePushers?: iam.IPrincipal[];

  /**
   * Where training jobs read datasets from. FSx for Lustre falls back to EFS and EFS to S3 where the
   * region cannot serve them; `DatasetStorageType.S3` deploys no file system in any region (no
   * fixed cost; every job pays in start-up time instead).
   * @default DatasetStorageType.FSX_LUSTRE
   */
  readonly preferredStorageType?: DatasetStorageType;

  /**
   * Adds a SageMaker HyperPod (Slurm) cluster that mounts the dataset file system read-only, with
   * these options; on FSx for Lustre its results directory exports to `results/` of the dataset
   * bucket unless `results` says otherwise. Regions without HyperPod (the China regions, …) or
   * without a dataset file system get a synth warning and no cluster.
   * @default - no cluster
   */
  readonly hyperPod?: HyperPodClusterOptions;

  /**
   * Whether every training job the launcher starts runs with `EnableNetworkIsolation`: the
   * container gets no network (SageMaker still reads the S3 and file-system channels and writes the
   * output), and the launcher's role may start jobs only with `sagemaker:NetworkIsolation` true.
   * Code that calls AWS or downloads anything from inside the container then fails. See
   * `TrainingJobLauncherProps.enableNetworkIsolation`.
   * @default false
   */
  readonly enableNetworkIsolation?: boolean;

  /**
   * The platform's tenants: teams whose uploads, datasets, jobs, logs and models are isolated from
   * each other by IAM. Platform-owned datasets live under `datasets/shared/…`, readable by all.
   * @default - one tenant, Tenant.accountDefault(): every principal of the account
   */
  readonly tenants?: Tenant[];

  /**
   * The largest upload the platform accepts: the API refuses to start a larger upload, and the
   * ingestion refuses to convert one (`DatasetConversionFailed` code `upload-too-large`) whichever
   * way it reached the upload bucket.
   * @default Size.gibibytes(200)
   */
  readonly maxUploadSize?: Size;

  /**
   * How uploads are converted (shard size, shuffle, rejection tolerance, validation split); the
   * single function and the distributed conversion use the same settings.
   * @default - the ingestion's defaults: 128 MiB shards, 16 MiB shuffle runs, no rejected entry accepted, no validation split
   */
  readonly conversion?: DatasetIngestionConversionOptions;

  /**
   * How zips above the single function's limit are converted: workers per conversion, how many
   * conversions run at once (the rest wait, queued), the workers' reserved concurrency, memory,
   * retries and time limits, or `enabled: false` to refuse such zips.
   * @default - enabled, with the DistributedConversion defaults: 100 workers per conversion, 2 conversions at once, 200 workers reserved
   */
  readonly distributedConversion?: DatasetIngestionDistributedOptions;

  /**
   * Whether the platform API is regional or private.
   * @default PlatformApiEndpointType.REGIONAL
   */
  readonly apiEndpointType?: PlatformApiEndpointType;

  /**
   * Where the platform's handles (network, storage, buckets, launcher, events) are published as SSM
   * parameters, for team stacks of other apps (`DatasetPlatformHandles.fromParameters`): `/` then
   * levels of letters, digits, `_`, `.`, `-`, no trailing `/`, not under `/aws` or `/ssm`.
   * @default '/cdk-sagemaker-datasets/<stack name>'
   */
  readonly parameterPrefix?: string;

  /**
   * Exports the handle outputs as `<exportNamePrefix>-<Handle>` (e.g. `-VpcId`) for `Fn.importValue`.
   * @default - the outputs are not exported
   */
  readonly exportNamePrefix?: string;

  /**
   * Where the platform's alarms notify (every dead-letter queue, failed distributed conversions,
   * launcher and converter errors, converter throttles, FSx free storage under 10 %).
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * How data at rest is encrypted: one customer managed key for the stack (rotation on, key policy
   * limited to this account's principals through the platform's services), or AWS managed keys.
   * @default PlatformEncryption.CUSTOMER_MANAGED_KEY
   */
  readonly encryption?: PlatformEncryption;

  /**
   * The customer managed key to use instead of a new one (`PlatformEncryption.CUSTOMER_MANAGED_KEY`
   * only). Its key policy must allow what {@link PlatformKey}'s does: the platform's services for
   * this account, CloudWatch Logs of the region, EventBridge for the dead-letter queues.
   * @default - a new `PlatformKey`
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The dataset platform of one region: what `cdk deploy` creates once per region.
 * Other stacks import its constructs through the public handles.
 *
 * Where training jobs read datasets comes from {@link DatasetStorage.forRegion}: FSx for Lustre (1.2 TiB
 * PERSISTENT_2, the minimum) linked to `datasets/` of the dataset bucket where SageMaker reads FSx
 * channels (us-east-1), EFS where SageMaker reads EFS and Lambda writes it (cn-north-1), and no file
 * system at all elsewhere (ap-southeast-6: channels read S3), from the same code. A region without
 * SageMaker is refused before any construct is built.
 */
export class DatasetPlatformStack extends Stack {
  /** The VPC, subnets and security groups that training jobs, file systems and Lambdas share. */
  public readonly network: TrainingNetwork;

  /** The dataset bucket with its access-log bucket. */
  public readonly datasetStorage: SecureBucket;

  /** The bucket that holds the datasets under `datasets/`. */
  public readonly datasetBucket: s3.IBucket;

  /** Where training jobs read datasets from: the tier the region allows, and why. */
  public readonly storageTier: DatasetStorage;

  /**
   * The file system training jobs read datasets from; training jobs may connect to it. Undefined
   * exactly when `storageTier.storageType` is `DatasetStorageType.S3`.
   */
  public readonly fileSystem?: IDatasetFileSystem;

  /**
   * The ingestion pipeline: its own upload bucket (`uploads/<datasetId>/<channel>.zip`) → EventBridge
   * → SQS → converter → versioned TFRecord datasets in the dataset bucket (imported by FSx for Lustre,
   * or also written to EFS), with `DatasetConverted` / `DatasetConversionFailed` events.
   */
  public readonly ingestion: DatasetIngestion;

  /**
   * The platform's event bus (`DatasetConverted`, `DatasetConversionFailed`, `TrainingJobStateChanged`, …):
   * only the platform's publishers may put events on it; read it with the `on*()` helpers.
   */
  public readonly eventBus: PlatformEventBus;

  /**
   * The training-job launcher: invoke it with a launch request (dataset, channels, image, instance
   * type, hyperparameters, sweep); jobs read the dataset file system and report state changes as
   * `TrainingJobStateChanged` events on the ingestion's bus.
   */
  public readonly launcher: TrainingJobLauncher;

  /** The HyperPod cluster, when `hyperPod` is set and the region offers HyperPod and a file system. */
  public readonly hyperPodCluster?: HyperPodCluster;

  /**
   * The key that encrypts the platform's buckets (except the access-log bucket), queues, log groups,
   * file system, training volumes and output, and state machine; undefined with
   * `PlatformEncryption.AWS_MANAGED`.
   */
  public readonly encryptionKey?: kms.IKey;

  /** The user API (IAM-authorized REST API) the CLI talks to. */
  public readonly api: PlatformApi;

  /** The published handles: SSM parameters under `parameterPrefix` and stack outputs. */
  public readonly handles: DatasetPlatformParameters;

  /** The platform's alarms and its CloudWatch dashboard. */
  public readonly monitoring: PlatformMonitoring;

  constructor(scope: Construct, id: string, props: DatasetPlatformStackProps = {}) {
    super(scope, id, props);
    const refusal = unsupportedRegionsMessage([this.region]);
    if (refusal) {
      throw new UnsupportedRegionError(refusal);
    }
    this.encryptionKey = platformEncryptionKey(this, props);
    const key = this.encryptionKey;
    this.network = new TrainingNetwork(this, 'Network', { logEncryptionKey: key, ...props.network });
    this.datasetStorage = new SecureBucket(this, 'DatasetBucket', bucketEncryption(key));
    this.datasetBucket = this.datasetStorage.bucket;
    this.storageTier = DatasetStorage.forRegion(this, 'DatasetFileSystem', {
      network: this.network,
      preferredType: props.preferredStorageType,
      datasetBucket: this.datasetBucket,
      datasetBucketPrefix: DATASET_KEY_PREFIX,
      lustre: {
        storageCapacityGiB: 1200,
        kmsKey: key,
        // FSx event logs are on by default only where the region's schema has LogConfiguration.
        logEncryptionKey: RegionCapabilityTable.of(this.region).lustreLogConfiguration.availability === Availability.AVAILABLE ? key : undefined,
      },
      efs: { kmsKey: key },
    });
    this.fileSystem = this.storageTier.fileSystem;
    this.fileSystem?.allowClient(this.network);
    this.eventBus = new PlatformEventBus(this, 'Events');
    this.ingestion = new DatasetIngestion(this, 'Ingestion', {
      network: this.network,
      eventBus: this.eventBus,
      datasetBucket: this.datasetBucket,
      accessLogsBucket: this.datasetStorage.accessLogsBucket,
      fileSystem: this.fileSystem,
      maxUploadSize: props.maxUploadSize,
      conversion: props.conversion,
      distributedConversion: props.distributedConversion,
      encryptionKey: key,
    });
    const trainingImages = props.trainingImageRepositories ? undefined : new TrainingImageRepository(this, 'TrainingImages', { pushers: props.trainingImagePushers });
    const repositories = props.trainingImageRepositories ?? [trainingImages!];
    this.launcher = new TrainingJobLauncher(this, 'TrainingJobLauncher', {
      network: this.network,
      datasetBucket: this.datasetBucket,
      fileSystem: this.fileSystem,
      s3InputMode: this.storageTier.s3InputMode,
      trainingImageRepositories: repositories,
      eventBus: this.eventBus,
      eventSource: this.ingestion.eventSource,
      tenants: props.tenants,
      encryptionKey: key,
      enableNetworkIsolation: props.enableNetworkIsolation,
    });
    for (const roles of this.launcher.tenantRoles) trainingImages?.allowTrainingJobPulls(roles.executionRole);
    this.api = new PlatformApi(this, 'Api', {
      network: this.network,
      uploadBucket: this.ingestion.uploadBucket,
      datasetBucket: this.datasetBucket,
      launcher: this.launcher,
      endpointType: props.apiEndpointType,
      maxUploadSize: props.maxUploadSize,
      logEncryptionKey: key,
    });
    this.handles = new DatasetPlatformParameters(this, 'Platform', {
      parameterPrefix: props.parameterPrefix,
      exportNamePrefix: props.exportNamePrefix,
      network: this.network,
      storage: this.storageTier,
      datasetBucket: this.datasetBucket,
      uploadBucket: this.ingestion.uploadBucket,
      launcherFunction: this.launcher.launcher,
      eventBus: this.ingestion.eventBus,
      eventSource: this.ingestion.eventSource,
    });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'The platform API: cdk-sagemaker-datasets configure --endpoint <this>' });
    if (props.hyperPod) {
      this.hyperPodCluster = this.addHyperPodCluster(props.hyperPod);
    }
    this.monitoring = new PlatformMonitoring(this, 'Monitoring', {
      ingestion: this.ingestion,
      launcher: this.launcher,
      fileSystem: this.fileSystem,
      alarmTopic: props.alarmTopic,
    });
  }

  private addHyperPodCluster(options: HyperPodClusterOptions): HyperPodCluster | undefined {
    const hyperPod = RegionCapabilityTable.of(this.region).hyperPodCluster;
    if (hyperPod.availability === Availability.UNAVAILABLE) {
      Annotations.of(this).addWarningV2('cdk-sagemaker-datasets:hyperPodSkipped',
        `No HyperPod cluster in ${this.region}: CloudFormation cannot create AWS::SageMaker::Cluster here (${hyperPod.source}). ` +
        'The rest of the platform is deployed; run HyperPod from a HyperPod region.');
      return undefined;
    }
    if (!this.fileSystem) {
      Annotations.of(this).addWarningV2('cdk-sagemaker-datasets:hyperPodSkipped',
        `No HyperPod cluster in ${this.region}: the platform has no dataset file system here (${this.storageTier.storageType}), so there is nothing to mount.`);
      return undefined;
    }
    const lustre = this.fileSystem.fileSystemType === DatasetFileSystemType.FSX_LUSTRE;
    return new HyperPodCluster(this, 'HyperPodCluster', {
      lifecycleScriptsBucket: new SecureBucket(this, 'HyperPodLifecycleScripts', {
        accessLogsBucket: this.datasetStorage.accessLogsBucket,
        ...bucketEncryption(this.encryptionKey),
      }).bucket,
      results: lustre ? { bucket: this.datasetBucket } : undefined,
      ebsVolumeKey: this.encryptionKey,
      ...options,
      network: this.network,
      fileSystem: this.fileSystem,
    });
  }
}

/** The stack's key: the one given, a new PlatformKey, or none for AWS managed encryption. */
function platformEncryptionKey(stack: DatasetPlatformStack, props: DatasetPlatformStackProps): kms.IKey | undefined {
  const encryption = props.encryption ?? PlatformEncryption.CUSTOMER_MANAGED_KEY;
  if (encryption === PlatformEncryption.AWS_MANAGED) {
    if (props.encryptionKey) {
      throwValidation(stack, 'InvalidEncryptionKey', `DatasetPlatformStack ${stack.node.path}: encryptionKey is set but encryption is PlatformEncryption.AWS_MANAGED, which uses no customer managed key. ` +
        'Remove encryptionKey, or set encryption: PlatformEncryption.CUSTOMER_MANAGED_KEY.');
    }
    return undefined;
  }
  return props.encryptionKey ?? new PlatformKey(stack, 'PlatformKey').key;
}
