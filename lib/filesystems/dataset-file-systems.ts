import { Annotations, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TrainingNetwork } from '../network';
import { chooseDatasetFileSystemType } from '../regions/file-system-choice';
import { DatasetFileSystemType, IDatasetFileSystem } from './dataset-file-system';
import { EfsDatasetFileSystem, EfsDatasetFileSystemOptions } from './efs-dataset-file-system';
import { LustreDatasetFileSystem, LustreDatasetFileSystemOptions } from './lustre-dataset-file-system';

/** Properties of {@link DatasetFileSystems.forRegion}. */
export interface DatasetFileSystemsProps {
  /** The training network. */
  readonly network: TrainingNetwork;

  /**
   * The file system wanted where the region allows it.
   * @default DatasetFileSystemType.FSX_LUSTRE
   */
  readonly preferredType?: DatasetFileSystemType;

  /**
   * The bucket that holds the datasets. With FSx for Lustre, a data repository association links
   * `datasetBucketPrefix` to the dataset directory with automatic import; with EFS it is not linked
   * (writers such as DatasetIngestion write datasets through the access point).
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
   * Use FSx for Lustre even where the capability table says SageMaker cannot read FSx channels (the
   * China regions) or has no source either way. Unverified: test a training job in the region first.
   * @default false
   */
  readonly assumeSageMakerFsxChannelSupported?: boolean;
}

/**
 * Creates the dataset file system that works in the stack's region: FSx for Lustre (with a data
 * repository association on the dataset bucket) where SageMaker reads FSx channels, EFS elsewhere
 * with a warning that says why. The same code deploys to us-east-1 and cn-north-1.
 */
export class DatasetFileSystems {
  /**
   * The dataset file system for the stack's region.
   * @param scope the parent
   * @param id the construct id of the file system
   */
  public static forRegion(scope: Construct, id: string, props: DatasetFileSystemsProps): IDatasetFileSystem {
    const region = Stack.of(scope).region;
    let choice;
    try {
      choice = chooseDatasetFileSystemType(region, {
        preferredType: props.preferredType,
        assumeSageMakerFsxChannelSupported: props.assumeSageMakerFsxChannelSupported,
      });
    } catch (error) {
      throw new Error(`DatasetFileSystems.forRegion ${scope.node.path}/${id}: ${(error as Error).message}`);
    }

    if (choice.fileSystemType === DatasetFileSystemType.FSX_LUSTRE) {
      const lustre = new LustreDatasetFileSystem(scope, id, {
        ...props.lustre,
        network: props.network,
        assumeSageMakerFsxChannelSupported: props.assumeSageMakerFsxChannelSupported ?? props.lustre?.assumeSageMakerFsxChannelSupported,
      });
      if (props.datasetBucket) {
        lustre.addDataRepositoryAssociation('DatasetBucketAssociation', {
          fileSystemPath: lustre.datasetDirectory,
          bucket: props.datasetBucket,
          bucketPrefix: props.datasetBucketPrefix ?? 'datasets/',
        });
      }
      return lustre;
    }

    const efsFileSystem = new EfsDatasetFileSystem(scope, id, { ...props.efs, network: props.network });
    if (choice.fellBack) {
      Annotations.of(efsFileSystem).addWarningV2('cdk-sagemaker-datasets:efsFallback',
        `${choice.reason} Training jobs read datasets from EFS here; the dataset bucket is not linked to EFS, so datasets reach it only through ` +
        'the writer access point (DatasetIngestion writes every converted version there when given this file system). Set assumeSageMakerFsxChannelSupported: true only after verifying FSx channels in this region.');
    }
    return efsFileSystem;
  }

  private constructor() {}
}
