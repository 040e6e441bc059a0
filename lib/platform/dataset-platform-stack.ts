import { Stack, StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DatasetFileSystems, IDatasetFileSystem } from '../filesystems';
import { DatasetIngestion } from '../ingestion';
import { TrainingJobLauncher } from '../launcher';
import { TrainingNetwork, TrainingNetworkProps } from '../network';
import { SecureBucket } from '../storage';

/** Properties of a {@link DatasetPlatformStack}. */
export interface DatasetPlatformStackProps extends StackProps {
  /**
   * How the training network is built.
   * @default - a new VPC with isolated subnets in two AZs, an S3 gateway endpoint and every interface endpoint
   */
  readonly network?: TrainingNetworkProps;

  /**
   * The ECR repositories training images may come from.
   * @default - a new repository (scan on push, immutable tags) named by CloudFormation
   */
  readonly trainingImageRepositories?: ecr.IRepository[];
}

/**
 * The dataset platform of one region: what `cdk deploy` creates once per region.
 * Other stacks import its constructs through the public handles.
 *
 * The dataset file system comes from {@link DatasetFileSystems.forRegion}: FSx for Lustre (1.2 TiB
 * PERSISTENT_2, the minimum) linked to `datasets/` of the dataset bucket where SageMaker reads FSx
 * channels (us-east-1), EFS elsewhere (cn-north-1), from the same code.
 */
export class DatasetPlatformStack extends Stack {
  /** The VPC, subnets and security groups that training jobs, file systems and Lambdas share. */
  public readonly network: TrainingNetwork;

  /** The dataset bucket with its access-log bucket. */
  public readonly datasetStorage: SecureBucket;

  /** The bucket that holds the datasets under `datasets/`. */
  public readonly datasetBucket: s3.IBucket;

  /** The file system training jobs read datasets from; training jobs may connect to it. */
  public readonly fileSystem: IDatasetFileSystem;

  /**
   * The ingestion pipeline: its own upload bucket (`uploads/<datasetId>/<channel>.zip`) → EventBridge
   * → SQS → converter → versioned TFRecord datasets in the dataset bucket (imported by FSx for Lustre,
   * or also written to EFS), with `DatasetConverted` / `DatasetConversionFailed` events.
   */
  public readonly ingestion: DatasetIngestion;

  /**
   * The training-job launcher: invoke it with a launch request (dataset, channels, image, instance
   * type, hyperparameters, sweep); jobs read the dataset file system and report state changes as
   * `TrainingJobStateChanged` events on the ingestion's bus.
   */
  public readonly launcher: TrainingJobLauncher;

  constructor(scope: Construct, id: string, props: DatasetPlatformStackProps = {}) {
    super(scope, id, props);
    this.network = new TrainingNetwork(this, 'Network', props.network);
    this.datasetStorage = new SecureBucket(this, 'DatasetBucket');
    this.datasetBucket = this.datasetStorage.bucket;
    this.fileSystem = DatasetFileSystems.forRegion(this, 'DatasetFileSystem', {
      network: this.network,
      datasetBucket: this.datasetBucket,
      datasetBucketPrefix: 'datasets/',
      lustre: { storageCapacityGiB: 1200 },
    });
    this.fileSystem.allowClient(this.network);
    this.ingestion = new DatasetIngestion(this, 'Ingestion', {
      network: this.network,
      datasetBucket: this.datasetBucket,
      accessLogsBucket: this.datasetStorage.accessLogsBucket,
      fileSystem: this.fileSystem,
    });
    const repositories = props.trainingImageRepositories ?? [new ecr.Repository(this, 'TrainingImages', {
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
    })];
    this.launcher = new TrainingJobLauncher(this, 'TrainingJobLauncher', {
      network: this.network,
      datasetBucket: this.datasetBucket,
      fileSystem: this.fileSystem,
      trainingImageRepositories: repositories,
      eventBus: this.ingestion.eventBus,
      eventSource: this.ingestion.eventSource,
    });
  }
}
