import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  EfsDatasetFileSystem, HyperPodCluster, HyperPodClusterOptions, IDatasetFileSystem, LustreDatasetFileSystem, SecureBucket, TrainingNetwork,
} from '../../lib';

/** Which dataset file system the test cluster mounts. */
export type FileSystemKind = 'lustre' | 'efs';

export interface ClusterStackOptions {
  readonly region?: string;
  readonly fileSystem?: FileSystemKind;
  readonly props?: HyperPodClusterOptions;
  /** Give the cluster a results directory in a bucket of the stack. */
  readonly results?: boolean;
}

/** A stack with a training network, a dataset file system and a HyperPod cluster. */
export function clusterStack(options: ClusterStackOptions = {}) {
  const { stack, network, fileSystem, bucket } = fileSystemStack(options.region ?? 'us-east-1', options.fileSystem ?? 'lustre');
  const cluster = new HyperPodCluster(stack, 'Cluster', {
    network,
    fileSystem,
    ...(options.results ? { results: { bucket } } : {}),
    ...options.props,
  });
  let template: Template | undefined;
  return { stack, network, fileSystem, bucket, cluster, template: () => (template ??= Template.fromStack(stack)) };
}

/** A stack with a network, a dataset file system and a bucket, without a cluster. */
export function fileSystemStack(region: string, kind: FileSystemKind) {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { region } });
  const network = new TrainingNetwork(stack, 'Network');
  const bucket = new SecureBucket(stack, 'Bucket').bucket;
  const fileSystem: IDatasetFileSystem = kind === 'lustre'
    ? new LustreDatasetFileSystem(stack, 'Datasets', { network })
    : new EfsDatasetFileSystem(stack, 'Datasets', { network });
  return { app, stack, network, fileSystem, bucket };
}
