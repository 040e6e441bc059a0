/**
 * What each region offers a SageMaker dataset platform, as plain data with a source for every fact.
 *
 * Built from ../shared/reference/aws-facts.md §3 (the per-region table of every region cfn-lint
 * 1.51.0 knows), which cites cfn-lint's bundled CloudFormation schemas, botocore's endpoints.json,
 * the Lambda and FSx guides and the seed report. Nothing here is fetched at synth time.
 */

/** How sure the library is that a region offers something. */
export enum Availability {
  /** A source says it is there. */
  AVAILABLE = 'AVAILABLE',
  /** A source says it is not there (or it was observed failing). */
  UNAVAILABLE = 'UNAVAILABLE',
  /** No source either way. The library picks the safe option and says so in a warning. */
  UNVERIFIED = 'UNVERIFIED',
}

/** One fact about one region, with where it comes from. */
export interface CapabilityFact {
  /** Whether the region offers it. */
  readonly availability: Availability;
  /** Where that comes from. */
  readonly source: string;
}

/** Everything the dataset platform needs to know about a region. */
export interface RegionCapabilities {
  /** The region name, e.g. `cn-north-1`. */
  readonly region: string;
  /** The partition: `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, … */
  readonly partition: string;
  /** Whether the region is in the table (false: every fact is UNVERIFIED). */
  readonly listed: boolean;
  /** SageMaker training jobs can read an FSx for Lustre `FileSystemDataSource` channel. */
  readonly sageMakerFsxLustreChannel: CapabilityFact;
  /** SageMaker training jobs can read an EFS `FileSystemDataSource` channel. */
  readonly sageMakerEfsChannel: CapabilityFact;
  /** `AWS::FSx::FileSystem` exists in the region's CloudFormation. */
  readonly fsxLustreFileSystem: CapabilityFact;
  /** `AWS::FSx::DataRepositoryAssociation` exists in the region's CloudFormation. */
  readonly dataRepositoryAssociation: CapabilityFact;
  /** The SCRATCH_1 and SCRATCH_2 deployment types can be created. */
  readonly scratchDeploymentTypes: CapabilityFact;
  /** The PERSISTENT_2 deployment type can be created. */
  readonly persistent2DeploymentType: CapabilityFact;
  /** `LustreConfiguration.MetadataConfiguration` is in the region's `AWS::FSx::FileSystem` schema. */
  readonly lustreMetadataConfiguration: CapabilityFact;
  /** `LustreConfiguration.EfaEnabled` is in the region's `AWS::FSx::FileSystem` schema. */
  readonly lustreEfa: CapabilityFact;
  /** `LustreConfiguration.LogConfiguration` is in the region's `AWS::FSx::FileSystem` schema. */
  readonly lustreLogConfiguration: CapabilityFact;
  /** `AWS::EFS::FileSystem`, `AccessPoint` and `MountTarget` exist in the region's CloudFormation. */
  readonly efsFileSystem: CapabilityFact;
  /** Lambda functions can mount EFS access points. */
  readonly lambdaEfsMount: CapabilityFact;
  /** The SageMaker API has an endpoint in the region. */
  readonly sageMakerApi: CapabilityFact;
  /** `AWS::SageMaker::Cluster` (SageMaker HyperPod) exists in the region's CloudFormation. */
  readonly hyperPodCluster: CapabilityFact;
}

/** What cfn-lint 1.51.0 knows about the region's CloudFormation. */
type CfnData = 'downloaded' | 'copy-of-us-east-1';
/** The `AWS::FSx::FileSystem` schema variant: `full` has EfaEnabled/MetadataConfiguration, `old` does not, `none`: no FSx types. */
type FsxSchema = 'full' | 'old' | 'none';
/** The Lambda guide's statement on Lambda + EFS: yes, no, or the region is outside the guide's commercial list. */
type LambdaEfs = 'yes' | 'no' | 'not-listed';

/** One row of aws-facts.md §3.3. Endpoints are botocore's `fsx`, `elasticfilesystem`, `api.sagemaker`. */
interface RegionRow {
  readonly region: string;
  readonly partition: string;
  readonly cfnData: CfnData;
  readonly fsxSchema: FsxSchema;
  readonly endpoints: { readonly fsx: boolean; readonly efs: boolean; readonly sageMaker: boolean };
  readonly lambdaEfs: LambdaEfs;
}

const ALL_ENDPOINTS = { fsx: true, efs: true, sageMaker: true } as const;

function row(region: string, partition: string, fsxSchema: FsxSchema, lambdaEfs: LambdaEfs,
  cfnData: CfnData = 'downloaded', endpoints: RegionRow['endpoints'] = ALL_ENDPOINTS): RegionRow {
  return { region, partition, cfnData, fsxSchema, endpoints, lambdaEfs };
}

/** aws-facts.md §3.3: every region cfn-lint 1.51.0 knows (46). */
const REGION_TABLE: readonly RegionRow[] = [
  row('af-south-1', 'aws', 'full', 'yes'),
  row('ap-east-1', 'aws', 'full', 'yes'),
  row('ap-east-2', 'aws', 'full', 'no'),
  row('ap-northeast-1', 'aws', 'full', 'yes'),
  row('ap-northeast-2', 'aws', 'full', 'yes'),
  row('ap-northeast-3', 'aws', 'full', 'yes'),
  row('ap-south-1', 'aws', 'full', 'yes'),
  row('ap-south-2', 'aws', 'full', 'yes'),
  row('ap-southeast-1', 'aws', 'full', 'yes'),
  row('ap-southeast-2', 'aws', 'full', 'yes'),
  row('ap-southeast-3', 'aws', 'full', 'yes'),
  row('ap-southeast-4', 'aws', 'full', 'yes'),
  row('ap-southeast-5', 'aws', 'full', 'no'),
  row('ap-southeast-6', 'aws', 'none', 'no'),
  row('ap-southeast-7', 'aws', 'full', 'no'),
  row('ca-central-1', 'aws', 'full', 'yes'),
  row('ca-west-1', 'aws', 'full', 'no'),
  row('cn-north-1', 'aws-cn', 'full', 'not-listed'),
  row('cn-northwest-1', 'aws-cn', 'old', 'not-listed'),
  row('eu-central-1', 'aws', 'full', 'yes'),
  row('eu-central-2', 'aws', 'full', 'yes'),
  row('eu-isoe-west-1', 'aws-iso-e', 'full', 'not-listed', 'copy-of-us-east-1', { fsx: false, efs: true, sageMaker: false }),
  row('eu-north-1', 'aws', 'full', 'yes'),
  row('eu-south-1', 'aws', 'full', 'yes'),
  row('eu-south-2', 'aws', 'full', 'yes'),
  row('eu-west-1', 'aws', 'full', 'yes'),
  row('eu-west-2', 'aws', 'full', 'yes'),
  row('eu-west-3', 'aws', 'full', 'yes'),
  row('eusc-de-east-1', 'aws-eusc', 'full', 'not-listed', 'copy-of-us-east-1'),
  row('il-central-1', 'aws', 'full', 'yes'),
  row('me-central-1', 'aws', 'full', 'yes'),
  row('me-south-1', 'aws', 'full', 'yes'),
  row('mx-central-1', 'aws', 'full', 'no'),
  row('sa-east-1', 'aws', 'full', 'yes'),
  row('us-east-1', 'aws', 'full', 'yes'),
  row('us-east-2', 'aws', 'full', 'yes'),
  row('us-gov-east-1', 'aws-us-gov', 'old', 'not-listed'),
  row('us-gov-west-1', 'aws-us-gov', 'old', 'not-listed'),
  row('us-iso-east-1', 'aws-iso', 'full', 'not-listed', 'copy-of-us-east-1'),
  row('us-iso-west-1', 'aws-iso', 'full', 'not-listed', 'copy-of-us-east-1', { fsx: true, efs: true, sageMaker: false }),
  row('us-isob-east-1', 'aws-iso-b', 'full', 'not-listed', 'copy-of-us-east-1'),
  row('us-isob-west-1', 'aws-iso-b', 'full', 'not-listed', 'copy-of-us-east-1', { fsx: false, efs: false, sageMaker: false }),
  row('us-isof-east-1', 'aws-iso-f', 'full', 'not-listed', 'copy-of-us-east-1'),
  row('us-isof-south-1', 'aws-iso-f', 'full', 'not-listed', 'copy-of-us-east-1'),
  row('us-west-1', 'aws', 'full', 'yes'),
  row('us-west-2', 'aws', 'full', 'yes'),
];

/** The regions the archived 2022 FSx for Lustre guide lists for PERSISTENT_2. */
const PERSISTENT_2_REGIONS_2022: readonly string[] = ['us-east-1', 'us-east-2', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-central-1',
  'eu-west-2', 'ap-northeast-1', 'ap-southeast-1', 'ap-southeast-2'];

/**
 * The regions whose cfn-lint 1.51.0 schema data has `AWS::SageMaker::Cluster` (SageMaker HyperPod),
 * besides the iso and eusc regions whose data is a copy of us-east-1 (aws-facts-2.md §6.4).
 */
const HYPERPOD_CFN_REGIONS: readonly string[] = ['ap-northeast-1', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3',
  'ap-southeast-4', 'ca-central-1', 'eu-central-1', 'eu-north-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'sa-east-1', 'us-east-1',
  'us-east-2', 'us-west-1', 'us-west-2'];

/** The sources the facts cite. */
export const SOURCES = {
  cfnSchema: (region: string) => `cfn-lint 1.51.0 CloudFormation registry schemas for ${region} (cfnlint/data/schemas/providers/${region.replace(/-/g, '_')}.py); aws-facts.md §3.3`,
  cfnSchemaCopy: (region: string) => `cfn-lint 1.51.0 has no schema data of its own for ${region} (its updater copies us-east-1 for iso and eusc regions, cfnlint/schema/manager.py); aws-facts.md §3.3`,
  oldFsxSchema: (region: string) => `cfn-lint 1.51.0 ${region} AWS::FSx::FileSystem schema is the older variant without EfaEnabled, MetadataConfiguration, ThroughputCapacity and DataReadCacheConfiguration; aws-facts.md §3.1, §3.3`,
  endpoints: (region: string) => `botocore 1.43.11 endpoints.json (fsx, elasticfilesystem, api.sagemaker in ${region}); aws-facts.md §3.3`,
  lambdaEfs: 'Lambda developer guide, configuration-filesystem: "Amazon EFS for Lambda is available in all commercial Regions except Asia Pacific (New Zealand), Asia Pacific (Taipei), Asia Pacific (Malaysia), Mexico (Central), Asia Pacific (Thailand), and Canada West (Calgary)"; aws-facts.md §3.2',
  lambdaEfsNotListed: 'Lambda developer guide, configuration-filesystem, covers commercial Regions only; no statement for this partition; aws-facts.md §3.2',
  sageMakerFsxDoc: 'SageMaker developer guide, model-access-training-data.md: FSx for Lustre and EFS are training data sources (FileSystemDataSource); no regional exception stated; aws-facts.md §1',
  sageMakerChinaFsx: 'Seed report (2021): SageMaker answered "FSx for Lustre is currently not supported in the region cn-north-1 for SageMaker" and AWS confirmed only EFS; no stored AWS doc confirms or refutes it today (aws-facts.md §3.1). cn-northwest-1 is treated the same to be safe. Unverified: override with assumeSageMakerFsxChannelSupported',
  sageMakerChinaEfs: 'Seed report (2021): AWS China confirmed EFS channels for SageMaker training in cn-north-1 (API only, not the console); aws-facts.md §3.1',
  sageMakerOtherPartition: 'No stored SageMaker source covers FileSystemDataSource channels in this partition',
  chinaScratch: 'docs.amazonaws.cn/en_us/aws/latest/userguide/fsx.md: "For Amazon FSx for Lustre, the Scratch 1 and Scratch 2 file system deployment types are not available"; aws-facts.md §3.1',
  fsxModelScratch: 'FSx API model: SCRATCH_1 is the default DeploymentType; no regional exclusion found outside China; aws-facts.md §4.1',
  persistent2Listed: 'Archived FSx for Lustre guide (2022), using-fsx-lustre.md, lists PERSISTENT_2 in this region; aws-facts.md §3.3',
  persistent2NotListed: 'Not in the archived 2022 PERSISTENT_2 region list; the current list is longer but was not found ("PERSISTENT_2 is available in a limited number of AWS Regions", FSx API model); aws-facts.md §3.3',
  persistent2China: 'The China-partition FSx guide (docs.amazonaws.cn fsx/latest/LustreGuide/using-fsx-lustre.html) describes persistent options in PERSISTENT_1 terms only; cdk-anchors.md §8.4',
  logConfigurationSpec: 'aws-cdk-lib 2.276 CfnFileSystem.LustreConfigurationProperty.logConfiguration, generated from the CloudFormation resource specification (us-east-1); cfn-lint 1.51.0 schemas lack it in every region (schema lag)',
  logConfigurationUnverified: 'LogConfiguration is in the CloudFormation resource specification aws-cdk-lib 2.276 is generated from (us-east-1) and in no cfn-lint 1.51.0 region schema; not verified for this region',
  hyperPodCfn: (region: string) => `cfn-lint 1.51.0 CloudFormation registry schemas for ${region} list AWS::SageMaker::Cluster (SageMaker HyperPod); aws-facts-2.md §6.4`,
  noHyperPodCfn: (region: string) => `cfn-lint 1.51.0 CloudFormation registry schemas for ${region} have no AWS::SageMaker::Cluster, so CloudFormation cannot create a HyperPod cluster there; aws-facts-2.md §6.4`,
  hyperPodChina: 'cfn-lint 1.51.0 has no AWS::SageMaker::Cluster for the China regions, and docs.amazonaws.cn mirroring the HyperPod pages is no proof of availability; aws-facts-2.md §6.4',
  notInTable: 'Not in the capability table (the regions cfn-lint 1.51.0 knows, aws-facts.md §3.3)',
} as const;

function fact(availability: Availability, source: string): CapabilityFact {
  return { availability, source };
}

const { AVAILABLE, UNAVAILABLE, UNVERIFIED } = Availability;

function capabilitiesOf(r: RegionRow): RegionCapabilities {
  const copy = r.cfnData === 'copy-of-us-east-1';
  const schemaSource = copy ? SOURCES.cfnSchemaCopy(r.region) : SOURCES.cfnSchema(r.region);
  const china = r.partition === 'aws-cn';
  const commercial = r.partition === 'aws';

  const cfnTypeFact = (present: boolean, endpoint: boolean): CapabilityFact => {
    if (!endpoint) return fact(UNAVAILABLE, SOURCES.endpoints(r.region));
    if (copy) return fact(UNVERIFIED, schemaSource);
    return fact(present ? AVAILABLE : UNAVAILABLE, schemaSource);
  };
  const fsxType = cfnTypeFact(r.fsxSchema !== 'none', r.endpoints.fsx);
  const lustreSchemaProperty = (): CapabilityFact => {
    if (fsxType.availability !== AVAILABLE) return fsxType;
    return r.fsxSchema === 'full' ? fact(AVAILABLE, schemaSource) : fact(UNAVAILABLE, SOURCES.oldFsxSchema(r.region));
  };

  let sageMakerFsx: CapabilityFact;
  let sageMakerEfs: CapabilityFact;
  if (!r.endpoints.sageMaker) {
    sageMakerFsx = sageMakerEfs = fact(UNAVAILABLE, SOURCES.endpoints(r.region));
  } else if (china) {
    sageMakerFsx = fact(UNAVAILABLE, SOURCES.sageMakerChinaFsx);
    sageMakerEfs = fact(AVAILABLE, SOURCES.sageMakerChinaEfs);
  } else if (commercial) {
    sageMakerFsx = sageMakerEfs = fact(AVAILABLE, SOURCES.sageMakerFsxDoc);
  } else {
    sageMakerFsx = sageMakerEfs = fact(UNVERIFIED, SOURCES.sageMakerOtherPartition);
  }

  let scratch: CapabilityFact;
  let persistent2: CapabilityFact;
  if (fsxType.availability === UNAVAILABLE) {
    scratch = persistent2 = fsxType;
  } else if (china) {
    scratch = fact(UNAVAILABLE, SOURCES.chinaScratch);
    persistent2 = fact(UNVERIFIED, SOURCES.persistent2China);
  } else if (commercial) {
    scratch = fact(AVAILABLE, SOURCES.fsxModelScratch);
    persistent2 = PERSISTENT_2_REGIONS_2022.includes(r.region) ? fact(AVAILABLE, SOURCES.persistent2Listed) : fact(UNVERIFIED, SOURCES.persistent2NotListed);
  } else {
    scratch = fact(UNVERIFIED, schemaSource);
    persistent2 = fact(UNVERIFIED, SOURCES.persistent2NotListed);
  }

  const metadata = lustreSchemaProperty();
  let logConfiguration: CapabilityFact;
  if (metadata.availability !== AVAILABLE) {
    logConfiguration = metadata;
  } else {
    logConfiguration = r.region === 'us-east-1' ? fact(AVAILABLE, SOURCES.logConfigurationSpec) : fact(UNVERIFIED, SOURCES.logConfigurationUnverified);
  }

  let lambdaEfs: CapabilityFact;
  if (r.lambdaEfs === 'yes') lambdaEfs = fact(AVAILABLE, SOURCES.lambdaEfs);
  else if (r.lambdaEfs === 'no') lambdaEfs = fact(UNAVAILABLE, SOURCES.lambdaEfs);
  else lambdaEfs = fact(UNVERIFIED, SOURCES.lambdaEfsNotListed);

  return {
    region: r.region,
    partition: r.partition,
    listed: true,
    sageMakerFsxLustreChannel: sageMakerFsx,
    sageMakerEfsChannel: sageMakerEfs,
    fsxLustreFileSystem: fsxType,
    dataRepositoryAssociation: cfnTypeFact(r.fsxSchema !== 'none', r.endpoints.fsx),
    scratchDeploymentTypes: scratch,
    persistent2DeploymentType: persistent2,
    lustreMetadataConfiguration: metadata,
    lustreEfa: lustreSchemaProperty(),
    lustreLogConfiguration: logConfiguration,
    efsFileSystem: cfnTypeFact(true, r.endpoints.efs),
    lambdaEfsMount: lambdaEfs,
    sageMakerApi: r.endpoints.sageMaker ? fact(AVAILABLE, SOURCES.endpoints(r.region)) : fact(UNAVAILABLE, SOURCES.endpoints(r.region)),
    hyperPodCluster: hyperPodFact(r, copy, schemaSource),
  };
}

function hyperPodFact(r: RegionRow, copy: boolean, schemaSource: string): CapabilityFact {
  if (!r.endpoints.sageMaker) return fact(UNAVAILABLE, SOURCES.endpoints(r.region));
  if (copy) return fact(UNVERIFIED, schemaSource);
  if (r.partition === 'aws-cn') return fact(UNAVAILABLE, SOURCES.hyperPodChina);
  return HYPERPOD_CFN_REGIONS.includes(r.region) ? fact(AVAILABLE, SOURCES.hyperPodCfn(r.region)) : fact(UNAVAILABLE, SOURCES.noHyperPodCfn(r.region));
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

/**
 * The capabilities of one region. A region missing from the table gets UNVERIFIED for every
 * fact, so the platform falls back to its safe choices and warns.
 */
export function regionCapabilities(region: string): RegionCapabilities {
  const found = REGION_TABLE.find((r) => r.region === region);
  if (found) {
    return capabilitiesOf(found);
  }
  const unknown = fact(UNVERIFIED, SOURCES.notInTable);
  return {
    region,
    partition: partitionOf(region),
    listed: false,
    sageMakerFsxLustreChannel: unknown,
    sageMakerEfsChannel: unknown,
    fsxLustreFileSystem: unknown,
    dataRepositoryAssociation: unknown,
    scratchDeploymentTypes: unknown,
    persistent2DeploymentType: unknown,
    lustreMetadataConfiguration: unknown,
    lustreEfa: unknown,
    lustreLogConfiguration: unknown,
    efsFileSystem: unknown,
    lambdaEfsMount: unknown,
    sageMakerApi: unknown,
    hyperPodCluster: unknown,
  };
}

/** Every region of the table, in table order. */
export function listedRegions(): string[] {
  return REGION_TABLE.map((r) => r.region);
}

/** The region capability table (aws-facts.md §3), for jsii consumers. */
export class RegionCapabilityTable {
  /** The capabilities of one region; every fact is UNVERIFIED for a region missing from the table. */
  public static of(region: string): RegionCapabilities {
    return regionCapabilities(region);
  }

  /** Every region of the table, in table order. */
  public static regions(): string[] {
    return listedRegions();
  }

  private constructor() {}
}
