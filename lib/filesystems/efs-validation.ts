import { Token } from 'aws-cdk-lib';
import * as efs from 'aws-cdk-lib/aws-efs';
import { joinDirectoryPath } from '../../contract/sagemaker-channel';
import { Availability, RegionCapabilities } from '../regions/capability-table';
import { PURE, integerIn, matchesPattern, throwUnscoped } from '../validation';
import { FileSystemAccessMode } from './dataset-file-system';
import { EfsDatasetFileSystemAttributes, EfsDatasetFileSystemOptions, PosixOwner } from './efs-props';

/**
 * The EFS rules as pure functions: each takes props (and the region's capabilities) and returns the
 * settings to use, or throws an `UnscopedValidationError` that says what to change. The constructs
 * attach the errors to themselves (`rethrowInScope`); tests call these directly.
 */

/** What the rules resolve the props of a new EFS dataset file system to. */
export interface EfsSettings {
  readonly datasetDirectory: string;
  readonly writerOwner: PosixOwner;
  readonly datasetDirectoryPermissions: string;
  readonly throughputMode: efs.ThroughputMode;
  readonly performanceMode: efs.PerformanceMode;
  readonly trainingAccessMode: FileSystemAccessMode;
}

const DEFAULT_DATASET_DIRECTORY = '/datasets';
/** EFS RootDirectory.Path: 1–100 characters, at most 4 levels (EFS API model). */
const ACCESS_POINT_PATH = /^(\/|(\/(?!\.)+[^$#<>;`|&?{}^*/\n]+){1,4})$/;

/** `path` normalized; a path `joinDirectoryPath` refuses is an `UnscopedValidationError`. */
function normalizedDirectory(path: string): string {
  try {
    return joinDirectoryPath([path]);
  } catch (error) {
    return throwUnscoped('InvalidDatasetDirectory', `datasetDirectory ${JSON.stringify(path)}: ${(error as Error).message}`);
  }
}

/** Resolves and checks every prop of a new EFS dataset file system but the network; `caps` undefined: the region is a token. */
export function resolveEfsSettings(options: EfsDatasetFileSystemOptions, caps: RegionCapabilities | undefined): EfsSettings {
  if (caps) checkEfsRegion(caps);
  const datasetDirectory = options.datasetDirectory ?? DEFAULT_DATASET_DIRECTORY;
  checkAccessPointRoot(datasetDirectory);
  const writerOwner = options.writerOwner ?? { uid: 1000, gid: 1000 };
  integerIn(PURE, 'writerOwner.uid', writerOwner.uid, 0, 4294967295, 'POSIX user ids are unsigned 32-bit integers.');
  integerIn(PURE, 'writerOwner.gid', writerOwner.gid, 0, 4294967295, 'POSIX group ids are unsigned 32-bit integers.');
  const permissions = matchesPattern(PURE, 'datasetDirectoryPermissions', options.datasetDirectoryPermissions ?? '755', /^[0-7]{3,4}$/,
    'it must be 3 or 4 octal digits', 'Use e.g. \'755\' (training jobs read through the "other" bits).');
  const throughputMode = options.throughputMode ?? efs.ThroughputMode.ELASTIC;
  const performanceMode = options.performanceMode ?? efs.PerformanceMode.GENERAL_PURPOSE;
  checkThroughput(options, throughputMode, performanceMode);
  return {
    datasetDirectory, writerOwner, datasetDirectoryPermissions: permissions, throughputMode, performanceMode,
    trainingAccessMode: options.trainingAccessMode ?? FileSystemAccessMode.READ_ONLY,
  };
}

/** Whether CloudFormation creates EFS, and SageMaker reads EFS channels, in the region. */
export function checkEfsRegion(caps: RegionCapabilities): void {
  if (caps.efsFileSystem.availability === Availability.UNAVAILABLE) {
    throwUnscoped('EfsUnavailable', `CloudFormation cannot create EFS file systems in ${caps.region} (${caps.efsFileSystem.source}). Deploy the dataset platform in a region with EFS.`);
  }
  if (caps.sageMakerEfsChannel.availability === Availability.UNAVAILABLE) {
    throwUnscoped('SageMakerEfsChannelUnavailable', `SageMaker training jobs cannot read EFS channels in ${caps.region} (${caps.sageMakerEfsChannel.source}). Use LustreDatasetFileSystem, or DatasetFileSystems.forRegion().`);
  }
}

/** An access point root: absolute, normalized, at most 4 levels and 100 characters (EFS `RootDirectory.Path`); tokens pass. */
export function checkAccessPointRoot(datasetDirectory: string): void {
  if (Token.isUnresolved(datasetDirectory)) return;
  if (datasetDirectory.length > 100 || !ACCESS_POINT_PATH.test(datasetDirectory)) {
    throwUnscoped('InvalidDatasetDirectory', `datasetDirectory ${JSON.stringify(datasetDirectory)} cannot be an access point root: use an absolute path of at most 4 levels ` +
      'and 100 characters, without a trailing slash, dot segments or the characters $#<>;`|&?{}^*.');
  }
  const normalized = normalizedDirectory(datasetDirectory);
  if (normalized !== datasetDirectory) {
    throwUnscoped('InvalidDatasetDirectory', `datasetDirectory ${JSON.stringify(datasetDirectory)} is not normalized; use ${JSON.stringify(normalized)}.`);
  }
}

/** Throughput and performance modes that EFS combines, and provisioned throughput only with PROVISIONED. */
export function checkThroughput(options: EfsDatasetFileSystemOptions, throughputMode: efs.ThroughputMode, performanceMode: efs.PerformanceMode): void {
  if (throughputMode === efs.ThroughputMode.ELASTIC && performanceMode === efs.PerformanceMode.MAX_IO) {
    throwUnscoped('InvalidPerformanceMode', 'performanceMode MAX_IO does not work with elastic throughput. Use GENERAL_PURPOSE, or another throughputMode.');
  }
  if (throughputMode === efs.ThroughputMode.PROVISIONED && !options.provisionedThroughputPerSecond) {
    throwUnscoped('InvalidThroughputMode', 'throughputMode PROVISIONED needs provisionedThroughputPerSecond.');
  }
  if (throughputMode !== efs.ThroughputMode.PROVISIONED && options.provisionedThroughputPerSecond) {
    throwUnscoped('InvalidProvisionedThroughputPerSecond', 'provisionedThroughputPerSecond needs throughputMode: efs.ThroughputMode.PROVISIONED.');
  }
}

/** The attributes of an imported EFS file system (tokens pass). */
export function checkEfsAttributes(attrs: EfsDatasetFileSystemAttributes): void {
  matchesPattern(PURE, 'fileSystemId', attrs.fileSystemId, /^fs-[0-9a-f]{8,}$/,
    'it is not an EFS file-system id (fs- followed by at least 8 lowercase hex digits)', 'Copy FileSystemId from DescribeFileSystems.');
  if (attrs.subnets.length === 0) {
    throwUnscoped('InvalidSubnets', 'subnets is empty; list the subnets training jobs may use (each in an Availability Zone with a mount target).');
  }
  const datasetDirectory = attrs.datasetDirectory ?? DEFAULT_DATASET_DIRECTORY;
  if (!Token.isUnresolved(datasetDirectory) && (!datasetDirectory.startsWith('/') || normalizedDirectory(datasetDirectory) !== datasetDirectory)) {
    throwUnscoped('InvalidDatasetDirectory', `datasetDirectory ${JSON.stringify(datasetDirectory)} must be absolute and normalized, e.g. /datasets.`);
  }
}
