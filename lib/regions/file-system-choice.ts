import { Token } from 'aws-cdk-lib';
import { DatasetStorageType } from '../filesystems/dataset-storage-type';
import { Availability, CapabilityFact, regionCapabilities } from './capability-table';
import { throwUnscoped } from '../validation';

/** What to base a dataset-storage choice on. */
export interface DatasetStorageChoiceOptions {
  /**
   * The storage wanted where the region allows it. `S3` is honoured everywhere SageMaker runs;
   * FSx for Lustre and EFS fall back to the next tier where the region cannot serve them.
   * @default DatasetStorageType.FSX_LUSTRE
   */
  readonly preferredType?: DatasetStorageType;

  /**
   * Use FSx for Lustre even where the table says SageMaker cannot read FSx channels or has no
   * source either way (China, GovCloud, ISO). The China rule rests on a 2021 report that no stored
   * AWS source confirms or refutes, so this override is offered but unverified: test a training job
   * in the region before relying on it.
   * @default false
   */
  readonly assumeSageMakerFsxChannelSupported?: boolean;
}

/** The dataset storage chosen for a region, and why. */
export interface DatasetStorageChoice {
  /** The region the choice is for. */
  readonly region: string;
  /** The chosen tier. */
  readonly storageType: DatasetStorageType;
  /** Whether the preferred tier could not be used. */
  readonly fellBack: boolean;
  /** Why, citing the capability table's sources. */
  readonly reason: string;
}

/** Thrown when no tier can serve a region: SageMaker itself is missing. */
export class NoDatasetStorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoDatasetStorageError';
  }
}

export function describeFact(name: string, f: CapabilityFact): string {
  return `${name}: ${f.availability} (${f.source})`;
}

const usable = (f: CapabilityFact) => f.availability !== Availability.UNAVAILABLE;

/**
 * Picks where training jobs read datasets in a region, in three tiers:
 *
 * 1. FSx for Lustre where SageMaker is known to read FSx channels and CloudFormation creates FSx
 *    file systems and data repository associations;
 * 2. EFS where CloudFormation creates EFS, SageMaker reads EFS channels and Lambda can mount EFS
 *    (the converter writes every version through an access point);
 * 3. S3 (no file system) wherever the SageMaker API exists.
 *
 * Each tier is taken from `preferredType` down. Throws for a token region when FSx for Lustre is
 * preferred, and {@link NoDatasetStorageError} where SageMaker has no endpoint.
 */
export function chooseDatasetStorage(region: string, options: DatasetStorageChoiceOptions = {}): DatasetStorageChoice {
  const preferred = options.preferredType ?? DatasetStorageType.FSX_LUSTRE;
  if (Token.isUnresolved(region)) {
    if (preferred === DatasetStorageType.FSX_LUSTRE) {
      throwUnscoped('RegionUnknown', 'FSx for Lustre was requested but the stack has no concrete region (env.region is unset or a token), so the library ' +
        'cannot check whether SageMaker reads FSx channels there and which FSx CloudFormation properties exist. ' +
        "Set env: { region: 'us-east-1' } (or another region) on the stack, or prefer DatasetStorageType.EFS or DatasetStorageType.S3.");
    }
    return { region, storageType: preferred, fellBack: false, reason: `${preferred} was requested.` };
  }
  const caps = regionCapabilities(region);
  if (!usable(caps.sageMakerApi)) {
    throw new NoDatasetStorageError(`${region} has no SageMaker training jobs, so no dataset storage can serve them: ${describeFact('SageMaker API', caps.sageMakerApi)}.`);
  }

  const fsxBlockers: string[] = [];
  const channel = caps.sageMakerFsxLustreChannel;
  if (channel.availability !== Availability.AVAILABLE && !options.assumeSageMakerFsxChannelSupported) {
    fsxBlockers.push(describeFact('SageMaker FSx for Lustre channel', channel));
  }
  for (const [name, f] of [['AWS::FSx::FileSystem', caps.fsxLustreFileSystem], ['AWS::FSx::DataRepositoryAssociation', caps.dataRepositoryAssociation]] as const) {
    if (f.availability !== Availability.AVAILABLE) {
      fsxBlockers.push(describeFact(name, f));
    }
  }
  const efsBlockers = ([['EFS', caps.efsFileSystem], ['SageMaker EFS channel', caps.sageMakerEfsChannel], ['Lambda EFS mount (the converter writes EFS)', caps.lambdaEfsMount]] as const)
    .filter(([, f]) => !usable(f)).map(([name, f]) => describeFact(name, f));

  const tiers = [DatasetStorageType.FSX_LUSTRE, DatasetStorageType.EFS, DatasetStorageType.S3];
  const skipped: string[] = [];
  for (const tier of tiers.slice(tiers.indexOf(preferred))) {
    const fellBack = tier !== preferred;
    if (tier === DatasetStorageType.FSX_LUSTRE) {
      if (fsxBlockers.length === 0) {
        const assumed = channel.availability !== Availability.AVAILABLE;
        return {
          region, storageType: tier, fellBack,
          reason: assumed
            ? `FSx for Lustre because assumeSageMakerFsxChannelSupported is set, although ${describeFact('SageMaker FSx for Lustre channel', channel)}.`
            : 'FSx for Lustre: SageMaker reads FSx channels and CloudFormation creates FSx file systems and data repository associations here.',
        };
      }
      skipped.push(`FSx for Lustre is blocked by ${fsxBlockers.join('; ')}`);
    } else if (tier === DatasetStorageType.EFS) {
      if (efsBlockers.length === 0) {
        return { region, storageType: tier, fellBack, reason: fellBack ? `EFS instead of FSx for Lustre in ${region}: ${fsxBlockers.join('; ')}.` : 'EFS was requested.' };
      }
      skipped.push(`EFS is blocked by ${efsBlockers.join('; ')}`);
    } else {
      return { region, storageType: tier, fellBack, reason: fellBack ? `No dataset file system in ${region}: ${skipped.join('; and ')}.` : 'S3 was requested.' };
    }
  }
  throw new Error(`internal error: no dataset storage tier for ${region}`);
}
