/**
 * What each region offers a SageMaker dataset platform, as plain data with a source for every fact.
 *
 * Built from the CloudFormation resource schemas AWS publishes per region (as cfn-lint 1.51.0 bundles
 * them), the AWS SDK endpoint list, the Lambda, SageMaker and FSx guides, and a first-hand report
 * from cn-north-1; each fact names its source. Nothing here is fetched at synth time.
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

/** One region's row. Endpoints are the AWS SDK's `fsx`, `elasticfilesystem`, `api.sagemaker`. */
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

/** Every region with published CloudFormation resource schemas as of cfn-lint 1.51.0 (46). */
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
 * besides the iso and eusc regions, for which AWS publishes no schemas.
 */
const HYPERPOD_CFN_REGIONS: readonly string[] = ['ap-northeast-1', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3',
  'ap-southeast-4', 'ca-central-1', 'eu-central-1', 'eu-north-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'sa-east-1', 'us-east-1',
  'us-east-2', 'us-west-1', 'us-west-2'];

/**
 * The sources the facts cite. Each reads on its own in a synth message: a public document, the
 * version of a published data set, or a first-hand report, never a file that does not ship.
 */
const CFN_SCHEMAS = (region: string) => `the CloudFormation resource schemas AWS publishes for ${region} (as of cfn-lint 1.51.0)`;
const CN_NORTH_1_FSX_REPORT = 'in 2021 SageMaker rejected an FSx for Lustre channel in cn-north-1 ("FSx for Lustre is currently not supported in the region cn-north-1 for SageMaker") and AWS China support confirmed that only EFS channels work; no AWS China documentation says this has changed';
const CN_NORTH_1_EFS_REPORT = 'in 2021 AWS China support confirmed EFS channels for SageMaker training jobs in cn-north-1 (through the API; the console did not offer them)';
/** A China region other than cn-north-1 inherits cn-north-1's report, and the message says so. */
const chinaReport = (region: string, report: string) => region === 'cn-north-1'
  ? `${report.charAt(0).toUpperCase()}${report.slice(1)}`
  : `No report covers ${region}; ${report}, and ${region}, the other China Region, is treated the same`;

export const SOURCES = {
  cfnSchema: (region: string) => CFN_SCHEMAS(region),
  cfnSchemaCopy: (region: string) => `AWS publishes no CloudFormation resource schemas for ${region} (as of cfn-lint 1.51.0), so which resource types it has cannot be checked`,
  oldFsxSchema: (region: string) => `${CFN_SCHEMAS(region)}: its AWS::FSx::FileSystem is the older variant without EfaEnabled, MetadataConfiguration, ThroughputCapacity and DataReadCacheConfiguration`,
  endpoints: (region: string) => `the AWS SDK endpoint list (botocore 1.43.11) for fsx, elasticfilesystem and api.sagemaker in ${region}`,
  lambdaEfs: 'AWS Lambda Developer Guide, "Configuring file system access for Lambda functions" (docs.aws.amazon.com/lambda/latest/dg/configuration-filesystem.html): "Amazon EFS for Lambda is available in all commercial Regions except Asia Pacific (New Zealand), Asia Pacific (Taipei), Asia Pacific (Malaysia), Mexico (Central), Asia Pacific (Thailand), and Canada West (Calgary)"',
  lambdaEfsNotListed: 'the AWS Lambda Developer Guide (docs.aws.amazon.com/lambda/latest/dg/configuration-filesystem.html) covers commercial Regions only and says nothing about this partition',
  sageMakerFsxDoc: 'Amazon SageMaker Developer Guide, "Setting up training jobs to access datasets" (docs.aws.amazon.com/sagemaker/latest/dg/model-access-training-data.html): FSx for Lustre and EFS are training data sources, with no Region excluded',
  sageMakerChinaFsx: (region: string) => chinaReport(region, CN_NORTH_1_FSX_REPORT),
  sageMakerChinaEfs: (region: string) => chinaReport(region, CN_NORTH_1_EFS_REPORT),
  sageMakerOtherPartition: 'no AWS documentation found covers FileSystemDataSource channels of SageMaker training jobs in this partition',
  chinaScratch: 'the AWS China FSx guide (docs.amazonaws.cn/en_us/aws/latest/userguide/fsx.html): "For Amazon FSx for Lustre, the Scratch 1 and Scratch 2 file system deployment types are not available"',
  fsxModelScratch: 'Amazon FSx API Reference, LustreDeploymentType: SCRATCH_1 is the default deployment type, and no Region outside China is excluded',
  persistent2Listed: 'the FSx for Lustre User Guide\'s 2022 list of PERSISTENT_2 Regions (docs.aws.amazon.com/fsx/latest/LustreGuide/using-fsx-lustre.html) includes this Region',
  persistent2NotListed: 'not in the FSx for Lustre User Guide\'s 2022 list of PERSISTENT_2 Regions, and the FSx API Reference only says "PERSISTENT_2 is available in a limited number of AWS Regions"',
  persistent2China: 'the AWS China FSx for Lustre guide (docs.amazonaws.cn/fsx/latest/LustreGuide/using-fsx-lustre.html) describes persistent deployments as PERSISTENT_1 only',
  logConfigurationSpec: 'LustreConfiguration.LogConfiguration is in the CloudFormation resource specification of us-east-1 (aws-cdk-lib 2.276 generates CfnFileSystem from it) but not yet in cfn-lint 1.51.0',
  logConfigurationUnverified: 'LustreConfiguration.LogConfiguration is in the CloudFormation resource specification of us-east-1 only (as aws-cdk-lib 2.276 and cfn-lint 1.51.0 know it); not verified for this Region',
  hyperPodCfn: (region: string) => `${CFN_SCHEMAS(region)} include AWS::SageMaker::Cluster (SageMaker HyperPod)`,
  noHyperPodCfn: (region: string) => `${CFN_SCHEMAS(region)} have no AWS::SageMaker::Cluster, so CloudFormation cannot create a HyperPod cluster there`,
  hyperPodChina: 'the CloudFormation resource schemas AWS publishes for the China Regions (as of cfn-lint 1.51.0) have no AWS::SageMaker::Cluster; the HyperPod pages on docs.amazonaws.cn are mirrors, not an availability statement',
  notInTable: 'this Region is not in the capability table of this version of cdk-sagemaker-datasets (the 46 Regions with published CloudFormation resource schemas as of cfn-lint 1.51.0)',
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
    sageMakerFsx = fact(UNAVAILABLE, SOURCES.sageMakerChinaFsx(r.region));
    sageMakerEfs = fact(AVAILABLE, SOURCES.sageMakerChinaEfs(r.region));
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

/** The region capability table: what each region offers a dataset platform, with a source for every fact. */
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
