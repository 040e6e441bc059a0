/**
 * SageMaker file-system channels: the one place that derives a channel's `DirectoryPath` and
 * renders the `Channel` shape of `CreateTrainingJob`.
 *
 * Pure and dependency-free on purpose. The CDK constructs call it at synth time with CDK tokens as
 * parts (an FSx mount name is only known after creation, so it is `${Token[...]}` then), and the
 * launcher Lambda calls it at run time with concrete strings. A token is an opaque string without
 * `/`, so it passes through the join unchanged and CDK turns the result into `Fn::Join`.
 *
 * Sources: SageMaker `FileSystemDataSource` (botocore sagemaker 2017-07-24 model: DirectoryPath
 * max 4096, ChannelName `[A-Za-z0-9\.\-_]+` 1–64, FileSystemId `fs-[0-9a-f]{8,}`); FSx paths start
 * with the mount name (SageMaker developer guide, model-access-training-data.md); channels on file
 * systems must use `File` input mode (your-algorithms-training-algo-running-container.md).
 */

/** `FileSystemDataSource.FileSystemType`, exact case. */
export type FileSystemTypeName = 'EFS' | 'FSxLustre';

/** `FileSystemDataSource.FileSystemAccessMode`, lowercase. */
export type FileSystemAccessModeName = 'ro' | 'rw';

/** The `ContentType` of channels that hold TFRecord files (kinds images and tfrecord) unless a request names another. */
export const TFRECORD_CONTENT_TYPE = 'application/x-tfrecord';

/** The longest `DirectoryPath` SageMaker accepts. */
export const MAX_DIRECTORY_PATH_LENGTH = 4096;

/** The longest channel name SageMaker accepts. */
export const MAX_CHANNEL_NAME_LENGTH = 64;

/** Channel names, anchored (the service matches the whole string). */
export const CHANNEL_NAME_PATTERN = /^[A-Za-z0-9.\-_]+$/;

/** FSx and EFS file-system ids, anchored. */
export const FILE_SYSTEM_ID_PATTERN = /^fs-[0-9a-f]{8,}$/;

/** Lambda `FileSystemConfig.LocalMountPath`. */
export const LAMBDA_MOUNT_PATH_PATTERN = /^\/mnt\/[a-zA-Z0-9\-_.]+$/;

/** Thrown for a path, channel name or id that SageMaker would reject or that would point elsewhere. */
export class ChannelInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelInputError';
  }
}

/**
 * Joins path parts into one absolute path with exactly one `/` between parts.
 *
 * Each part may itself contain `/`-separated segments; leading and trailing slashes of a part are
 * dropped, so `['/', 'abcd1234', '/datasets/', 'cifar/train']` gives `/abcd1234/datasets/cifar/train`.
 * A part that is empty or only `/` adds nothing (a root data repository association has path `/`).
 * Rejected: `..` and `.` segments, empty segments inside a part (`a//b`), NUL, and results longer
 * than 4096 characters.
 */
export function joinDirectoryPath(parts: readonly string[]): string {
  const segments: string[] = [];
  parts.forEach((part, index) => {
    if (typeof part !== 'string') {
      throw new ChannelInputError(`DirectoryPath part ${index} is not a string (got ${JSON.stringify(part)}).`);
    }
    if (part.includes('\0')) {
      throw new ChannelInputError(`DirectoryPath part ${index} contains a NUL character.`);
    }
    const inner = part.replace(/^\/+/, '').replace(/\/+$/, '');
    if (inner.length === 0) {
      return;
    }
    for (const segment of inner.split('/')) {
      if (segment.length === 0) {
        throw new ChannelInputError(`DirectoryPath part ${JSON.stringify(part)} has an empty segment ('//'); remove the doubled slash.`);
      }
      if (segment === '..' || segment === '.') {
        throw new ChannelInputError(`DirectoryPath part ${JSON.stringify(part)} contains a '${segment}' segment; ` +
          'give a normalized path below the dataset root (no . or .. segments).');
      }
      segments.push(segment);
    }
  });
  const path = `/${segments.join('/')}`;
  if (path.length > MAX_DIRECTORY_PATH_LENGTH) {
    throw new ChannelInputError(`DirectoryPath is ${path.length} characters long; SageMaker accepts at most ${MAX_DIRECTORY_PATH_LENGTH}.`);
  }
  return path;
}

/**
 * The SageMaker `DirectoryPath` of a directory on FSx for Lustre: `/<mountName>/<DRA file-system
 * path>/<dataset path>`. SageMaker mounts the file system by its mount name, so the path must start
 * with it (for SCRATCH_1 the mount name is `fsx`).
 */
export function fsxLustreDirectoryPath(mountName: string, fileSystemPath: string, datasetPath: string): string {
  if (mountName.replace(/\//g, '').length === 0) {
    throw new ChannelInputError('FSx for Lustre mount name is empty; DirectoryPath must start with /<MountName>.');
  }
  return joinDirectoryPath([mountName, fileSystemPath, datasetPath]);
}

/**
 * The SageMaker `DirectoryPath` of a directory on EFS. SageMaker mounts the file-system root (it
 * has no access-point field), so a path seen through an access point rooted at `accessPointRoot`
 * is `accessPointRoot` + that path.
 */
export function efsDirectoryPath(accessPointRoot: string, pathInAccessPoint: string): string {
  return joinDirectoryPath([accessPointRoot, pathInAccessPoint]);
}

/**
 * Maps a path that a Lambda sees below its EFS mount (`/mnt/datasets/cifar/train`) to the
 * `DirectoryPath` a training job needs (`/datasets/cifar/train` when the access point is rooted at
 * `/datasets`).
 */
export function efsDirectoryPathFromLambdaPath(localMountPath: string, accessPointRoot: string, localPath: string): string {
  validateLambdaMountPath(localMountPath);
  const mount = localMountPath.replace(/\/+$/, '');
  if (localPath !== mount && !localPath.startsWith(`${mount}/`)) {
    throw new ChannelInputError(`Path ${JSON.stringify(localPath)} is not below the Lambda's EFS mount ${mount}.`);
  }
  return efsDirectoryPath(accessPointRoot, localPath.slice(mount.length));
}

/** Throws unless `name` is a valid SageMaker channel name. */
export function validateTrainingChannelName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_CHANNEL_NAME_LENGTH || !CHANNEL_NAME_PATTERN.test(name)) {
    throw new ChannelInputError(`Channel name ${JSON.stringify(name)} is invalid: use 1-${MAX_CHANNEL_NAME_LENGTH} characters of ` +
      'A-Z, a-z, 0-9, ".", "-" and "_". The container sees it at /opt/ml/input/data/<channel name>.');
  }
}

/** Throws unless `id` looks like an FSx or EFS file-system id. */
export function validateFileSystemId(id: string): void {
  if (typeof id !== 'string' || id.length < 11 || id.length > 21 || !FILE_SYSTEM_ID_PATTERN.test(id)) {
    throw new ChannelInputError(`File-system id ${JSON.stringify(id)} is invalid: expected fs- followed by at least 8 lowercase hex digits (11-21 characters).`);
  }
}

/** Throws unless `path` is a valid Lambda `LocalMountPath`. */
export function validateLambdaMountPath(path: string): void {
  if (typeof path !== 'string' || path.length > 160 || !LAMBDA_MOUNT_PATH_PATTERN.test(path)) {
    throw new ChannelInputError(`Lambda mount path ${JSON.stringify(path)} is invalid: Lambda mounts file systems at /mnt/<name> ` +
      '(one level, letters, digits, "-", "_" and ".", at most 160 characters).');
  }
}

/** The `FileSystemDataSource` of `CreateTrainingJob`. */
export interface FileSystemDataSourceShape {
  readonly FileSystemId: string;
  readonly FileSystemType: FileSystemTypeName;
  readonly DirectoryPath: string;
  readonly FileSystemAccessMode: FileSystemAccessModeName;
}

/** A `CreateTrainingJob` input channel that reads a file system. */
export interface SageMakerFileSystemChannel {
  readonly ChannelName: string;
  readonly DataSource: { readonly FileSystemDataSource: FileSystemDataSourceShape };
  /** File systems work only in File mode; FastFile and Pipe read S3 only. */
  readonly InputMode: 'File';
}

/** What a file-system channel is made of. */
export interface FileSystemChannelInput {
  readonly channelName: string;
  readonly fileSystemId: string;
  readonly fileSystemType: FileSystemTypeName;
  readonly directoryPath: string;
  readonly accessMode: FileSystemAccessModeName;
}

/** Renders the API shape without validating (the constructs render token values this way). */
export function renderFileSystemChannel(input: FileSystemChannelInput): SageMakerFileSystemChannel {
  return {
    ChannelName: input.channelName,
    DataSource: {
      FileSystemDataSource: {
        FileSystemId: input.fileSystemId,
        FileSystemType: input.fileSystemType,
        DirectoryPath: input.directoryPath,
        FileSystemAccessMode: input.accessMode,
      },
    },
    InputMode: 'File',
  };
}

/** Validates concrete values (run time) and renders the API shape. */
export function fileSystemChannel(input: FileSystemChannelInput): SageMakerFileSystemChannel {
  validateTrainingChannelName(input.channelName);
  validateFileSystemId(input.fileSystemId);
  if (input.fileSystemType !== 'EFS' && input.fileSystemType !== 'FSxLustre') {
    throw new ChannelInputError(`FileSystemType ${JSON.stringify(input.fileSystemType)} is invalid: use EFS or FSxLustre (exact case).`);
  }
  if (input.accessMode !== 'ro' && input.accessMode !== 'rw') {
    throw new ChannelInputError(`FileSystemAccessMode ${JSON.stringify(input.accessMode)} is invalid: use ro or rw (lowercase).`);
  }
  if (joinDirectoryPath([input.directoryPath]) !== input.directoryPath) {
    throw new ChannelInputError(`DirectoryPath ${JSON.stringify(input.directoryPath)} is not normalized: ` +
      `use ${JSON.stringify(joinDirectoryPath([input.directoryPath]))} (absolute, one / between segments, no trailing /).`);
  }
  return renderFileSystemChannel(input);
}
