import { Token } from 'aws-cdk-lib';
import { DatasetFileSystemType } from '../filesystems/dataset-file-system';
import { Availability, CapabilityFact, regionCapabilities } from './capability-table';

/** What to base a file-system choice on. */
export interface FileSystemChoiceOptions {
  /**
   * The file system wanted where the region allows it.
   * @default DatasetFileSystemType.FSX_LUSTRE
   */
  readonly preferredType?: DatasetFileSystemType;

  /**
   * Use FSx for Lustre even where the table says SageMaker cannot read FSx channels or has no
   * source either way (China, GovCloud, ISO). The China rule rests on a 2021 report that no stored
   * AWS source confirms or refutes, so this override is offered but unverified: test a training job
   * in the region before relying on it.
   * @default false
   */
  readonly assumeSageMakerFsxChannelSupported?: boolean;
}

/** The file system chosen for a region, and why. */
export interface FileSystemChoice {
  /** The region the choice is for. */
  readonly region: string;
  /** The chosen kind. */
  readonly fileSystemType: DatasetFileSystemType;
  /** Whether the preferred kind could not be used. */
  readonly fellBack: boolean;
  /** Why, citing the capability table's sources. */
  readonly reason: string;
}

function describe(name: string, f: CapabilityFact): string {
  return `${name}: ${f.availability} (${f.source})`;
}

/**
 * Picks the dataset file system for a region: FSx for Lustre where SageMaker is known to read FSx
 * channels and CloudFormation can create FSx file systems and data repository associations, EFS
 * elsewhere. Throws for a token region when FSx for Lustre is preferred, and where neither works.
 */
export function chooseDatasetFileSystemType(region: string, options: FileSystemChoiceOptions = {}): FileSystemChoice {
  const preferred = options.preferredType ?? DatasetFileSystemType.FSX_LUSTRE;
  if (preferred === DatasetFileSystemType.FSX_LUSTRE && Token.isUnresolved(region)) {
    throw new Error('FSx for Lustre was requested but the stack has no concrete region (env.region is unset or a token), so the library ' +
      'cannot check whether SageMaker reads FSx channels there and which FSx CloudFormation properties exist. ' +
      "Set env: { region: 'us-east-1' } (or another region) on the stack, or prefer DatasetFileSystemType.EFS.");
  }
  const caps = regionCapabilities(region);
  const efsUsable = caps.efsFileSystem.availability !== Availability.UNAVAILABLE
    && caps.sageMakerEfsChannel.availability !== Availability.UNAVAILABLE;

  if (preferred === DatasetFileSystemType.EFS) {
    if (!efsUsable) {
      throw new Error(`EFS was requested for ${region}, but ${describe('EFS', caps.efsFileSystem)}; ${describe('SageMaker EFS channel', caps.sageMakerEfsChannel)}.`);
    }
    return { region, fileSystemType: DatasetFileSystemType.EFS, fellBack: false, reason: 'EFS was requested.' };
  }

  const blockers: string[] = [];
  const channel = caps.sageMakerFsxLustreChannel;
  if (channel.availability !== Availability.AVAILABLE && !(options.assumeSageMakerFsxChannelSupported && caps.sageMakerApi.availability !== Availability.UNAVAILABLE)) {
    blockers.push(describe('SageMaker FSx for Lustre channel', channel));
  }
  for (const [name, f] of [['AWS::FSx::FileSystem', caps.fsxLustreFileSystem], ['AWS::FSx::DataRepositoryAssociation', caps.dataRepositoryAssociation]] as const) {
    if (f.availability !== Availability.AVAILABLE) {
      blockers.push(describe(name, f));
    }
  }
  if (blockers.length === 0) {
    const assumed = channel.availability !== Availability.AVAILABLE;
    return {
      region,
      fileSystemType: DatasetFileSystemType.FSX_LUSTRE,
      fellBack: false,
      reason: assumed
        ? `FSx for Lustre because assumeSageMakerFsxChannelSupported is set, although ${describe('SageMaker FSx for Lustre channel', channel)}.`
        : 'FSx for Lustre: SageMaker reads FSx channels and CloudFormation creates FSx file systems and data repository associations here.',
    };
  }
  if (!efsUsable) {
    throw new Error(`${region} supports neither dataset file system: FSx for Lustre is blocked by ${blockers.join('; ')}; ` +
      `and ${describe('EFS', caps.efsFileSystem)}, ${describe('SageMaker EFS channel', caps.sageMakerEfsChannel)}.`);
  }
  return {
    region,
    fileSystemType: DatasetFileSystemType.EFS,
    fellBack: true,
    reason: `EFS instead of FSx for Lustre in ${region}: ${blockers.join('; ')}.`,
  };
}
