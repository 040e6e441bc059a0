import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { joinDirectoryPath, renderFileSystemChannel, validateTrainingChannelName } from '../../contract/sagemaker-channel';
import { throwValidation } from '../validation';

/** The kind of file system behind a SageMaker `FileSystemDataSource` (`FileSystemType`, exact case). */
export enum DatasetFileSystemType {
  /** Amazon EFS. */
  EFS = 'EFS',
  /** Amazon FSx for Lustre. */
  FSX_LUSTRE = 'FSxLustre',
}

/** How a training job mounts a file-system channel (`FileSystemAccessMode`, lowercase). */
export enum FileSystemAccessMode {
  /** Read-only: what datasets need, and the SageMaker Python SDK's default. */
  READ_ONLY = 'ro',
  /** Read-write. */
  READ_WRITE = 'rw',
}

/**
 * One SageMaker training input channel that reads a file system: the `Channel` of
 * `CreateTrainingJob` with a `FileSystemDataSource`, as a jsii-friendly struct. Values may be CDK
 * tokens (an FSx mount name is only known after deployment). Render the API shape with
 * {@link FileSystemChannel.render}.
 */
export interface FileSystemTrainingChannel {
  /** The channel name; the container sees the data at `/opt/ml/input/data/<channelName>`. */
  readonly channelName: string;
  /** The file-system id (`fs-…`). */
  readonly fileSystemId: string;
  /** The file-system type. */
  readonly fileSystemType: DatasetFileSystemType;
  /** The absolute directory SageMaker mounts (FSx: starts with `/<mountName>`; EFS: from the file-system root). */
  readonly directoryPath: string;
  /** The access mode. */
  readonly accessMode: FileSystemAccessMode;
  /** Always `File`: FastFile and Pipe read S3 only. */
  readonly inputMode: string;
}

/** Renders {@link FileSystemTrainingChannel}s into the shapes `CreateTrainingJob` takes. */
export class FileSystemChannel {
  /**
   * The API-shaped channel: `{ ChannelName, DataSource: { FileSystemDataSource: { FileSystemId,
   * FileSystemType, DirectoryPath, FileSystemAccessMode } }, InputMode: 'File' }`. Resolve it with
   * `Stack.resolve` (or `Stack.toJsonString` for a Lambda environment variable) when it holds tokens.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- jsii: the API shape has PascalCase keys, which jsii structs cannot carry
  public static render(channel: FileSystemTrainingChannel): any {
    return renderFileSystemChannel({
      channelName: channel.channelName,
      fileSystemId: channel.fileSystemId,
      fileSystemType: channel.fileSystemType as 'EFS' | 'FSxLustre',
      directoryPath: channel.directoryPath,
      accessMode: channel.accessMode as 'ro' | 'rw',
    });
  }

  private constructor() {}
}

/**
 * A file system that SageMaker training jobs read datasets from, whatever its kind. Every platform
 * piece uses this interface: it derives the channel's `DirectoryPath`, opens the ports and names the
 * subnets, so no caller computes them.
 */
export interface IDatasetFileSystem extends IConstruct, ec2.IConnectable {
  /** The file-system id (`fs-…`). */
  readonly fileSystemId: string;

  /** EFS or FSx for Lustre. */
  readonly fileSystemType: DatasetFileSystemType;

  /**
   * The dataset root directory as SageMaker sees it: `/<mountName>/datasets` on FSx for Lustre,
   * `/datasets` on EFS. May contain tokens.
   */
  readonly datasetRootDirectory: string;

  /**
   * The subnets a training job reading this file system may use. FSx for Lustre: only the training
   * subnets of its Availability Zone (SageMaker places ENIs in any subnet it is given). EFS: the
   * training subnets whose AZ has a mount target.
   */
  readonly trainingSubnets: ec2.SubnetSelection;

  /** The SageMaker `DirectoryPath` of a dataset, relative to {@link datasetRootDirectory}. */
  directoryPath(datasetPath: string): string;

  /**
   * The training channel that reads `datasetPath` (relative to the dataset root).
   * @param channelName the channel name (1–64 of `A-Za-z0-9.-_`)
   * @param datasetPath the dataset directory below the dataset root, e.g. `cifar10/train`
   * @param accessMode default `FileSystemAccessMode.READ_ONLY`
   */
  trainingChannel(channelName: string, datasetPath: string, accessMode?: FileSystemAccessMode): FileSystemTrainingChannel;

  /**
   * Opens exactly the ports `client` (a training job's or a Lambda's security group) needs, between
   * security groups only: EFS TCP 2049 client → file system; FSx for Lustre TCP 988 and 1018–1023
   * in both directions.
   */
  allowClient(client: ec2.IConnectable): void;

  /**
   * Grants the Describe actions SageMaker's execution role needs on this file system
   * (`fsx:DescribeFileSystems`, or `elasticfilesystem:DescribeFileSystems` and `DescribeMountTargets`).
   */
  grantDescribe(grantee: iam.IGrantable): iam.Grant;
}

/** Shared implementation of {@link IDatasetFileSystem.trainingChannel}. */
export function buildTrainingChannel(fs: IDatasetFileSystem, channelName: string, datasetPath: string,
  accessMode: FileSystemAccessMode = FileSystemAccessMode.READ_ONLY): FileSystemTrainingChannel {
  if (!Token.isUnresolved(channelName)) {
    try {
      validateTrainingChannelName(channelName);
    } catch (error) {
      throwValidation(fs, (error as Error).name, `${fs.node.path}: ${(error as Error).message}`);
    }
  }
  return {
    channelName,
    fileSystemId: fs.fileSystemId,
    fileSystemType: fs.fileSystemType,
    directoryPath: fs.directoryPath(datasetPath),
    accessMode,
    inputMode: 'File',
  };
}

/** {@link joinDirectoryPath} with the construct path in its error messages. */
export function deriveDirectoryPath(scope: IConstruct, parts: string[]): string {
  try {
    return joinDirectoryPath(parts);
  } catch (error) {
    throwValidation(scope, (error as Error).name, `${scope.node.path}: ${(error as Error).message}`);
  }
}
