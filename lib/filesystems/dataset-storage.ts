import { Annotations, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DATASET_KEY_PREFIX } from '../../contract/ingestion-events';
import { ITrainingNetwork } from '../network';
import { chooseDatasetStorage } from '../regions/file-system-choice';
import { DatasetFileSystemType, IDatasetFileSystem } from './dataset-file-system';
import { DatasetStorageType, S3InputMode } from './dataset-storage-type';
import { EfsDatasetFileSystem } from './efs-dataset-file-system';
import { IEfsDatasetFileSystem } from './efs-dataset-file-system-base';
import { EfsDatasetFileSystemOptions } from './efs-props';
import { LustreDatasetFileSystem } from './lustre-dataset-file-system';
import { ILustreDatasetFileSystem } from './lustre-dataset-file-system-base';
import { LustreDatasetFileSystemOptions } from './lustre-props';
import { throwValidation } from '../validation';

/** Properties of {@link DatasetStorage.forRegion} (and `DatasetFileSystems.forRegion`). */
export interface DatasetStorageProps {
  /** The training network. */
  readonly network: ITrainingNetwork;

  /**
   * The storage wanted where the region allows it. FSx for Lustre falls back to EFS, EFS to S3,
   * each with a warning that says why; `DatasetStorageType.S3` (no file system, no fixed cost)
   * is honoured in every region where SageMaker runs.
   * @default DatasetStorageType.FSX_LUSTRE
   */
  readonly preferredType?: DatasetStorageType;

  /**
   * The bucket that holds the datasets. With FSx for Lustre, a data repository association links
   * `datasetBucketPrefix` to the dataset directory with automatic import; with EFS it is not linked
   * (writers such as DatasetIngestion write datasets through the access point); with S3 training
   * jobs read it directly.
   * @default - no data repository association
   */
  readonly datasetBucket?: s3.IBucket;

  /**
   * The key prefix of the datasets in `datasetBucket`.
   * @default 'datasets/'
   */
  readonly datasetBucketPrefix?: string;

  /**
   * Options for FSx for Lustre, when it is chosen.
   * @default - the LustreDatasetFileSystem defaults
   */
  readonly lustre?: LustreDatasetFileSystemOptions;

  /**
   * Options for EFS, when it is chosen.
   * @default - the EfsDatasetFileSystem defaults
   */
  readonly efs?: EfsDatasetFileSystemOptions;

  /**
   * How S3 channels read a dataset version when a launch request names no input mode: the default
   * of every channel in the S3 tier, and of channels that ask for `source: "s3"` otherwise.
   * @default S3InputMode.FAST_FILE
   */
  readonly s3InputMode?: S3InputMode;

  /**
   * Use FSx for Lustre even where the capability table says SageMaker cannot read FSx channels (the
   * China regions) or has no source either way. Unverified: test a training job in the region first.
   * @default false
   */
  readonly assumeSageMakerFsxChannelSupported?: boolean;
}

/**
 * Where a platform's training jobs read datasets from: a file system (FSx for Lustre or EFS) or,
 * in the S3 tier, the dataset bucket itself. {@link DatasetStorage.forRegion} picks the tier that
 * works in the stack's region, so the same code deploys everywhere SageMaker runs.
 *
 * @example
 * const storage = DatasetStorage.forRegion(this, 'Datasets', { network, datasetBucket });
 * new DatasetIngestion(this, 'Ingestion', { network, datasetBucket, fileSystem: storage.fileSystem });
 * new TrainingJobLauncher(this, 'Launcher', {
 *   network, datasetBucket, fileSystem: storage.fileSystem, s3InputMode: storage.s3InputMode,
 *   trainingImageRepositories: [repository],
 * });
 */
export class DatasetStorage {
  /**
   * The storage that works in the stack's region: FSx for Lustre (with a data repository
   * association on the dataset bucket) where SageMaker reads FSx channels, EFS where SageMaker reads
   * EFS channels and Lambda can write it, S3 elsewhere, each fallback with a synth warning that says
   * why. File systems are created at `scope`/`id`.
   * @param scope the parent of the file system
   * @param id the construct id of the file system
   */
  public static forRegion(scope: Construct, id: string, props: DatasetStorageProps): DatasetStorage {
    const region = Stack.of(scope).region;
    let choice;
    try {
      choice = chooseDatasetStorage(region, {
        preferredType: props.preferredType,
        assumeSageMakerFsxChannelSupported: props.assumeSageMakerFsxChannelSupported,
      });
    } catch (error) {
      throwValidation(scope, (error as Error).name, `DatasetStorage.forRegion ${scope.node.path}/${id}: ${(error as Error).message}`);
    }
    const s3InputMode = props.s3InputMode ?? S3InputMode.FAST_FILE;

    if (choice.storageType === DatasetStorageType.FSX_LUSTRE) {
      const lustre = new LustreDatasetFileSystem(scope, id, {
        ...props.lustre,
        network: props.network,
        assumeSageMakerFsxChannelSupported: props.assumeSageMakerFsxChannelSupported ?? props.lustre?.assumeSageMakerFsxChannelSupported,
      });
      if (props.datasetBucket) {
        lustre.addDataRepositoryAssociation('DatasetBucketAssociation', {
          fileSystemPath: lustre.datasetDirectory,
          bucket: props.datasetBucket,
          bucketPrefix: props.datasetBucketPrefix ?? DATASET_KEY_PREFIX,
        });
      }
      return new DatasetStorage(choice.storageType, choice.reason, lustre, s3InputMode);
    }

    if (choice.storageType === DatasetStorageType.EFS) {
      const efsFileSystem = new EfsDatasetFileSystem(scope, id, { ...props.efs, network: props.network });
      if (choice.fellBack) {
        Annotations.of(efsFileSystem).addWarningV2('cdk-sagemaker-datasets:efsFallback',
          `${choice.reason} Training jobs read datasets from EFS here; the dataset bucket is not linked to EFS, so datasets reach it only through ` +
          'the writer access point (DatasetIngestion writes every converted version there when given this file system). Set assumeSageMakerFsxChannelSupported: true only after verifying FSx channels in this region.');
      }
      return new DatasetStorage(choice.storageType, choice.reason, efsFileSystem, s3InputMode);
    }

    if (choice.fellBack) {
      Annotations.of(scope).addWarningV2('cdk-sagemaker-datasets:s3Fallback',
        `${choice.reason} The platform deploys without a file system (${scope.node.path}/${id} creates nothing): training channels read the pinned ` +
        `dataset version straight from the dataset bucket in ${s3InputMode} mode. What it costs is start-up time on every job instead of a file ` +
        'system billed around the clock: FastFile streams each TFRecord shard on first read (no download, but every epoch reads from S3; best read ' +
        'sequentially), File downloads the whole version to every instance\'s volume before training starts (start-up grows with the dataset, ' +
        'and volumeSizeInGB must hold it).');
    }
    return new DatasetStorage(choice.storageType, choice.reason, undefined, s3InputMode);
  }

  /** An existing file system (FSx for Lustre or EFS) as a platform's dataset storage. */
  public static fromFileSystem(fileSystem: IDatasetFileSystem, s3InputMode: S3InputMode = S3InputMode.FAST_FILE): DatasetStorage {
    const storageType = fileSystem.fileSystemType === DatasetFileSystemType.FSX_LUSTRE ? DatasetStorageType.FSX_LUSTRE : DatasetStorageType.EFS;
    return new DatasetStorage(storageType, `The file system ${fileSystem.node.path} was given.`, fileSystem, s3InputMode);
  }

  /** The S3 tier: no file system; channels read dataset versions from the dataset bucket. */
  public static s3(s3InputMode: S3InputMode = S3InputMode.FAST_FILE): DatasetStorage {
    return new DatasetStorage(DatasetStorageType.S3, 'S3 was requested.', undefined, s3InputMode);
  }

  /**
   * The tier: FSx for Lustre, EFS, or S3 (no file system).
   */
  public readonly storageType: DatasetStorageType;

  /** Why this tier, citing the capability table's sources when the region decided it. */
  public readonly reason: string;

  /**
   * The file system training jobs read datasets from; undefined exactly when
   * {@link storageType} is `DatasetStorageType.S3`.
   */
  public readonly fileSystem?: IDatasetFileSystem;

  /**
   * The file system as FSx for Lustre, with what a team needs to mount or publish it (mount name,
   * DNS name, security group, subnet and AZ); undefined unless the tier is FSx for Lustre.
   */
  public readonly lustreFileSystem?: ILustreDatasetFileSystem;

  /**
   * The file system as EFS, with its ARN, dataset directory and writer access point; undefined
   * unless the tier is EFS. Its security group is `connections.securityGroups`.
   */
  public readonly efsFileSystem?: IEfsDatasetFileSystem;

  /** How S3 channels read a dataset version when a launch request names no input mode. */
  public readonly s3InputMode: S3InputMode;

  private constructor(storageType: DatasetStorageType, reason: string, fileSystem: IDatasetFileSystem | undefined, s3InputMode: S3InputMode) {
    this.storageType = storageType;
    this.reason = reason;
    this.fileSystem = fileSystem;
    this.lustreFileSystem = asLustre(fileSystem);
    this.efsFileSystem = asEfs(fileSystem);
    this.s3InputMode = s3InputMode;
  }
}

/** `fileSystem` as the Lustre interface when it is one (new or imported). */
function asLustre(fileSystem: IDatasetFileSystem | undefined): ILustreDatasetFileSystem | undefined {
  const candidate = fileSystem as Partial<ILustreDatasetFileSystem> | undefined;
  return candidate?.fileSystemType === DatasetFileSystemType.FSX_LUSTRE && candidate.mountName !== undefined && candidate.securityGroup !== undefined
    ? fileSystem as ILustreDatasetFileSystem : undefined;
}

/** `fileSystem` as the EFS interface when it is one (new or imported). */
function asEfs(fileSystem: IDatasetFileSystem | undefined): IEfsDatasetFileSystem | undefined {
  const candidate = fileSystem as Partial<IEfsDatasetFileSystem> | undefined;
  return candidate?.fileSystemType === DatasetFileSystemType.EFS && candidate.fileSystemArn !== undefined && typeof candidate.lambdaMount === 'function'
    ? fileSystem as IEfsDatasetFileSystem : undefined;
}
