import { Construct } from 'constructs';
import { IDatasetFileSystem } from './dataset-file-system';
import { DatasetStorage, DatasetStorageProps } from './dataset-storage';
import { throwValidation } from '../validation';

/**
 * Properties of {@link DatasetFileSystems.forRegion}: those of {@link DatasetStorage.forRegion}
 * (a struct of its own so the two factories can diverge without breaking callers).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- jsii has no type aliases
export interface DatasetFileSystemsProps extends DatasetStorageProps {}

/**
 * Creates the dataset file system that works in the stack's region: FSx for Lustre (with a data
 * repository association on the dataset bucket) where SageMaker reads FSx channels, EFS elsewhere
 * with a warning that says why. The same code deploys to us-east-1 and cn-north-1.
 *
 * Where no file system can serve (ap-southeast-6) this throws; {@link DatasetStorage.forRegion}
 * falls back to reading datasets from S3 instead.
 */
export class DatasetFileSystems {
  /**
   * The dataset file system for the stack's region.
   * @param scope the parent
   * @param id the construct id of the file system
   */
  public static forRegion(scope: Construct, id: string, props: DatasetFileSystemsProps): IDatasetFileSystem {
    const storage = DatasetStorage.forRegion(scope, id, props);
    if (!storage.fileSystem) {
      throwValidation(scope, 'NoDatasetFileSystem', `DatasetFileSystems.forRegion ${scope.node.path}/${id}: no dataset file system here (${storage.reason}) ` +
        'Use DatasetStorage.forRegion, which reads datasets from S3 where no file system can serve, or prefer a file system the region offers.');
    }
    return storage.fileSystem;
  }

  private constructor() {}
}
