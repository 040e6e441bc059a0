import { Token } from 'aws-cdk-lib';
import { Availability, CapabilityFact, regionCapabilities } from './capability-table';

/** Thrown before any construct is built when the platform cannot run in a region. */
export class UnsupportedRegionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedRegionError';
  }
}

/** What the region lacks of what the platform uses, blocking services first; empty when nothing. */
function missing(region: string): Array<{ name: string; blocks: boolean; fact: CapabilityFact }> {
  const caps = regionCapabilities(region);
  const facts: Array<{ name: string; blocks: boolean; fact: CapabilityFact }> = [
    { name: 'SageMaker API (training jobs)', blocks: true, fact: caps.sageMakerApi },
    { name: 'FSx for Lustre', blocks: false, fact: caps.fsxLustreFileSystem },
    { name: 'EFS', blocks: false, fact: caps.efsFileSystem },
    { name: 'Lambda EFS mounts', blocks: false, fact: caps.lambdaEfsMount },
  ];
  return facts.filter((f) => f.fact.availability === Availability.UNAVAILABLE);
}

/**
 * Why the dataset platform cannot be deployed to some of `regions`, as one message listing what
 * each lacks, or undefined when every region can host it (a token region is not checked). Every
 * storage tier needs SageMaker training jobs; FSx for Lustre and EFS only narrow the choice.
 */
export function unsupportedRegionsMessage(regions: readonly string[]): string | undefined {
  const refused = regions.filter((region) => !Token.isUnresolved(region))
    .map((region) => ({ region, missing: missing(region) }))
    .filter((r) => r.missing.some((m) => m.blocks));
  if (refused.length === 0) {
    return undefined;
  }
  const lines = refused.map(({ region, missing: gaps }) => {
    const sources = [...new Set(gaps.map((g) => g.fact.source))];
    return `  ${region} (${regionCapabilities(region).partition}) has no ${gaps.map((g) => g.name).join(', no ')} [${sources.join('; ')}]`;
  });
  const names = refused.map((r) => r.region);
  return `The dataset platform cannot be deployed to ${names.join(', ')}: every way of reading datasets (FSx for Lustre, EFS or S3) ` +
    `needs SageMaker training jobs, and ${names.length === 1 ? 'this region lacks' : 'these regions lack'} them.\n${lines.join('\n')}\n` +
    `Remove ${names.length === 1 ? 'it' : 'them'} from the regions context (-c regions=...).`;
}
