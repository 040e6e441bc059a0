import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DatasetFileSystems, DatasetStorageType, IDatasetFileSystem, SecureBucket, TrainingJobLauncher, TrainingJobLauncherProps, TrainingNetwork } from '../../../lib';

export interface LauncherStackOptions {
  readonly region?: string;
  /** 'fsx' (default in us-east-1), 'efs' or 'none'. */
  readonly fileSystem?: 'fsx' | 'efs' | 'none';
  readonly props?: Partial<TrainingJobLauncherProps>;
  readonly keys?: boolean;
}

/** A stack with a training network, a dataset bucket, a file system and a launcher. */
export function launcherStack(options: LauncherStackOptions = {}) {
  const app = new App();
  const stack = new Stack(app, 'LauncherTest', { env: { region: options.region ?? 'us-east-1' } });
  const network = new TrainingNetwork(stack, 'Network');
  const datasets = new SecureBucket(stack, 'Datasets');
  const kind = options.fileSystem ?? 'fsx';
  let fileSystem: IDatasetFileSystem | undefined;
  if (kind !== 'none') {
    fileSystem = DatasetFileSystems.forRegion(stack, 'DatasetFileSystem', {
      network,
      datasetBucket: datasets.bucket,
      preferredType: kind === 'fsx' ? DatasetStorageType.FSX_LUSTRE : DatasetStorageType.EFS,
    });
  }
  const repository = new ecr.Repository(stack, 'TrainingImages', { imageScanOnPush: true });
  const keys = options.keys ? {
    volumeEncryptionKey: new kms.Key(stack, 'VolumeKey', { enableKeyRotation: true }),
    outputEncryptionKey: new kms.Key(stack, 'OutputKey', { enableKeyRotation: true }),
  } : {};
  const launcher = new TrainingJobLauncher(stack, 'Launcher', {
    network,
    datasetBucket: datasets.bucket,
    fileSystem,
    trainingImageRepositories: [repository],
    maxRuntime: Duration.days(3),
    ...keys,
    ...options.props,
  });
  return { app, stack, network, datasets, fileSystem, repository, launcher, template: () => Template.fromStack(stack) };
}
