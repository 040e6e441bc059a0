import { Aws } from 'aws-cdk-lib';
import { Availability, DatasetStorageType, RegionCapabilities, RegionCapabilityTable } from '../../lib';
import { NoDatasetStorageError, chooseDatasetStorage } from '../../lib/regions/file-system-choice';

const { AVAILABLE, UNAVAILABLE, UNVERIFIED } = Availability;
const LUSTRE = DatasetStorageType.FSX_LUSTRE;
const EFS = DatasetStorageType.EFS;
const S3 = DatasetStorageType.S3;
const NEITHER = 'error';

/**
 * aws-facts.md §3.3, every region cfn-lint 1.51.0 knows: the storage tier chosen by default, and with
 * assumeSageMakerFsxChannelSupported (the unverified override).
 */
const DECISIONS: Array<[string, DatasetStorageType | typeof NEITHER, DatasetStorageType | typeof NEITHER]> = [
  ['af-south-1', LUSTRE, LUSTRE],
  ['ap-east-1', LUSTRE, LUSTRE],
  ['ap-east-2', LUSTRE, LUSTRE],
  ['ap-northeast-1', LUSTRE, LUSTRE],
  ['ap-northeast-2', LUSTRE, LUSTRE],
  ['ap-northeast-3', LUSTRE, LUSTRE],
  ['ap-south-1', LUSTRE, LUSTRE],
  ['ap-south-2', LUSTRE, LUSTRE],
  ['ap-southeast-1', LUSTRE, LUSTRE],
  ['ap-southeast-2', LUSTRE, LUSTRE],
  ['ap-southeast-3', LUSTRE, LUSTRE],
  ['ap-southeast-4', LUSTRE, LUSTRE],
  ['ap-southeast-5', LUSTRE, LUSTRE],
  ['ap-southeast-6', S3, S3], // no AWS::FSx::* in CloudFormation, and Lambda cannot mount EFS
  ['ap-southeast-7', LUSTRE, LUSTRE],
  ['ca-central-1', LUSTRE, LUSTRE],
  ['ca-west-1', LUSTRE, LUSTRE],
  ['cn-north-1', EFS, LUSTRE], // SageMaker FSx channel unavailable (seed report), override allowed
  ['cn-northwest-1', EFS, LUSTRE],
  ['eu-central-1', LUSTRE, LUSTRE],
  ['eu-central-2', LUSTRE, LUSTRE],
  ['eu-isoe-west-1', NEITHER, NEITHER], // botocore: no SageMaker and no FSx endpoint
  ['eu-north-1', LUSTRE, LUSTRE],
  ['eu-south-1', LUSTRE, LUSTRE],
  ['eu-south-2', LUSTRE, LUSTRE],
  ['eu-west-1', LUSTRE, LUSTRE],
  ['eu-west-2', LUSTRE, LUSTRE],
  ['eu-west-3', LUSTRE, LUSTRE],
  ['eusc-de-east-1', EFS, EFS], // cfn-lint data is a copy of us-east-1: FSx types unverified
  ['il-central-1', LUSTRE, LUSTRE],
  ['me-central-1', LUSTRE, LUSTRE],
  ['me-south-1', LUSTRE, LUSTRE],
  ['mx-central-1', LUSTRE, LUSTRE],
  ['sa-east-1', LUSTRE, LUSTRE],
  ['us-east-1', LUSTRE, LUSTRE],
  ['us-east-2', LUSTRE, LUSTRE],
  ['us-gov-east-1', EFS, LUSTRE], // no source on SageMaker FSx channels in GovCloud
  ['us-gov-west-1', EFS, LUSTRE],
  ['us-iso-east-1', EFS, EFS],
  ['us-iso-west-1', NEITHER, NEITHER], // botocore: no SageMaker endpoint
  ['us-isob-east-1', EFS, EFS],
  ['us-isob-west-1', NEITHER, NEITHER], // botocore: no fsx, elasticfilesystem or SageMaker endpoint
  ['us-isof-east-1', EFS, EFS],
  ['us-isof-south-1', EFS, EFS],
  ['us-west-1', LUSTRE, LUSTRE],
  ['us-west-2', LUSTRE, LUSTRE],
];

describe('region decisions for every region in the table', () => {
  test('the table lists exactly the 46 regions of aws-facts.md §3.3', () => {
    expect(RegionCapabilityTable.regions()).toEqual(DECISIONS.map(([region]) => region));
  });

  test.each(DECISIONS)('%s: %s by default, %s with the override', (region, byDefault, withOverride) => {
    for (const [expected, assume] of [[byDefault, false], [withOverride, true]] as const) {
      const choose = () => chooseDatasetStorage(region, { assumeSageMakerFsxChannelSupported: assume });
      if (expected === NEITHER) {
        expect(choose).toThrow(NoDatasetStorageError);
        expect(choose).toThrow(new RegExp(`^${region} has no SageMaker training jobs, so no dataset storage can serve them: SageMaker API: UNAVAILABLE \\(the AWS SDK endpoint list \\(botocore`));
      } else {
        const choice = choose();
        expect(choice.storageType).toBe(expected);
        expect(choice.fellBack).toBe(expected !== LUSTRE);
        expect(choice.reason).toMatch({
          [LUSTRE]: /^FSx for Lustre/,
          [EFS]: new RegExp(`^EFS instead of FSx for Lustre in ${region}: `),
          [S3]: new RegExp(`^No dataset file system in ${region}: FSx for Lustre is blocked by .*; and EFS is blocked by Lambda EFS mount`),
        }[expected]);
      }
    }
  });

  test('EFS is chosen wherever it is requested and usable, else S3', () => {
    expect(chooseDatasetStorage('us-east-1', { preferredType: EFS })).toEqual({ region: 'us-east-1', storageType: EFS, fellBack: false, reason: 'EFS was requested.' });
    expect(chooseDatasetStorage('ca-west-1', { preferredType: EFS })).toEqual({
      region: 'ca-west-1', storageType: S3, fellBack: true,
      reason: expect.stringMatching(/^No dataset file system in ca-west-1: EFS is blocked by Lambda EFS mount \(the converter writes EFS\): UNAVAILABLE \(AWS Lambda Developer Guide/),
    });
    expect(() => chooseDatasetStorage('us-isob-west-1', { preferredType: EFS })).toThrow(/us-isob-west-1 has no SageMaker training jobs/);
  });

  test('S3 is chosen wherever it is requested and SageMaker runs, token regions included', () => {
    for (const region of ['us-east-1', 'cn-north-1', 'us-gov-west-1', 'ap-southeast-6', 'xx-future-1', Aws.REGION]) {
      expect(chooseDatasetStorage(region, { preferredType: S3 })).toEqual({ region, storageType: S3, fellBack: false, reason: 'S3 was requested.' });
    }
    expect(() => chooseDatasetStorage('us-iso-west-1', { preferredType: S3 })).toThrow(NoDatasetStorageError);
  });

  test('the fallback reason cites the source', () => {
    expect(chooseDatasetStorage('cn-north-1').reason).toMatch(/SageMaker FSx for Lustre channel: UNAVAILABLE \(In 2021 SageMaker rejected an FSx for Lustre channel in cn-north-1 \("FSx for Lustre is currently not supported in the region cn-north-1 for SageMaker"\)/);
    expect(chooseDatasetStorage('ap-southeast-6').reason).toMatch(/AWS::FSx::FileSystem: UNAVAILABLE \(the CloudFormation resource schemas AWS publishes for ap-southeast-6 \(as of cfn-lint 1.51.0\)/);
    expect(chooseDatasetStorage('ap-southeast-6').reason).toMatch(/Lambda EFS mount \(the converter writes EFS\): UNAVAILABLE \(AWS Lambda Developer Guide, "Configuring file system access for Lambda functions" \(docs.aws.amazon.com\/lambda\/latest\/dg\/configuration-filesystem.html\): "Amazon EFS for Lambda is available in all commercial Regions except Asia Pacific \(New Zealand\)/);
  });

  test('the override reason says it is an assumption', () => {
    expect(chooseDatasetStorage('cn-north-1', { assumeSageMakerFsxChannelSupported: true }).reason)
      .toMatch(/^FSx for Lustre because assumeSageMakerFsxChannelSupported is set, although SageMaker FSx for Lustre channel: UNAVAILABLE/);
  });

  test('a token region with FSx for Lustre preferred asks for an explicit region; EFS works without one', () => {
    expect(() => chooseDatasetStorage(Aws.REGION)).toThrow(/no concrete region .* Set env: \{ region: 'us-east-1' \}/);
    expect(chooseDatasetStorage(Aws.REGION, { preferredType: EFS }).storageType).toBe(EFS);
  });

  test('a region missing from the table gets EFS (every fact UNVERIFIED)', () => {
    const caps = RegionCapabilityTable.of('xx-future-1');
    expect(caps.listed).toBe(false);
    expect(caps.partition).toBe('aws');
    expect(chooseDatasetStorage('xx-future-1').storageType).toBe(EFS);
  });
});

describe('capability facts', () => {
  const FACTS: Array<keyof RegionCapabilities> = ['sageMakerFsxLustreChannel', 'sageMakerEfsChannel', 'fsxLustreFileSystem', 'dataRepositoryAssociation',
    'scratchDeploymentTypes', 'persistent2DeploymentType', 'lustreMetadataConfiguration', 'lustreEfa', 'lustreLogConfiguration', 'efsFileSystem',
    'lambdaEfsMount', 'sageMakerApi', 'hyperPodCluster'];

  test('every fact of every region has an availability and a source', () => {
    for (const region of [...RegionCapabilityTable.regions(), 'xx-future-1']) {
      const caps = RegionCapabilityTable.of(region);
      for (const name of FACTS) {
        const fact = caps[name] as { availability: Availability; source: string };
        expect([AVAILABLE, UNAVAILABLE, UNVERIFIED]).toContain(fact.availability);
        expect(fact.source.length).toBeGreaterThan(20);
      }
    }
  });

  type Row = [string, keyof RegionCapabilities, Availability, RegExp];
  test.each<Row>([
    ['cn-north-1', 'scratchDeploymentTypes', UNAVAILABLE, /Scratch 1 and Scratch 2 file system deployment types are not available/],
    ['cn-northwest-1', 'scratchDeploymentTypes', UNAVAILABLE, /docs.amazonaws.cn/],
    ['cn-north-1', 'lustreMetadataConfiguration', AVAILABLE, /the CloudFormation resource schemas AWS publishes for cn-north-1 \(as of cfn-lint 1.51.0\)/],
    ['cn-northwest-1', 'lustreMetadataConfiguration', UNAVAILABLE, /older variant without EfaEnabled, MetadataConfiguration/],
    ['cn-northwest-1', 'lustreEfa', UNAVAILABLE, /older variant/],
    ['us-gov-west-1', 'lustreMetadataConfiguration', UNAVAILABLE, /older variant/],
    ['us-gov-east-1', 'lustreEfa', UNAVAILABLE, /older variant/],
    ['us-gov-west-1', 'lustreLogConfiguration', UNAVAILABLE, /older variant/],
    ['us-east-1', 'lustreLogConfiguration', AVAILABLE, /resource specification of us-east-1 \(aws-cdk-lib 2.276 generates CfnFileSystem from it\)/],
    ['eu-west-1', 'lustreLogConfiguration', UNVERIFIED, /not verified for this Region/],
    ['us-east-1', 'sageMakerFsxLustreChannel', AVAILABLE, /docs.aws.amazon.com\/sagemaker\/latest\/dg\/model-access-training-data.html/],
    ['cn-north-1', 'sageMakerFsxLustreChannel', UNAVAILABLE, /^In 2021 SageMaker rejected an FSx for Lustre channel in cn-north-1 /],
    ['cn-northwest-1', 'sageMakerFsxLustreChannel', UNAVAILABLE, /^No report covers cn-northwest-1; in 2021 SageMaker rejected an FSx for Lustre channel in cn-north-1 .* and cn-northwest-1, the other China Region, is treated the same$/],
    ['cn-northwest-1', 'sageMakerEfsChannel', AVAILABLE, /^No report covers cn-northwest-1; in 2021 AWS China support confirmed EFS channels/],
    ['cn-north-1', 'sageMakerEfsChannel', AVAILABLE, /^In 2021 AWS China support confirmed EFS channels for SageMaker training jobs in cn-north-1/],
    ['us-gov-west-1', 'sageMakerFsxLustreChannel', UNVERIFIED, /no AWS documentation found covers FileSystemDataSource channels/],
    ['us-east-1', 'persistent2DeploymentType', AVAILABLE, /2022/],
    ['ap-south-1', 'persistent2DeploymentType', UNVERIFIED, /not in the FSx for Lustre User Guide's 2022 list of PERSISTENT_2 Regions/],
    ['cn-north-1', 'persistent2DeploymentType', UNVERIFIED, /persistent deployments as PERSISTENT_1 only/],
    ['ap-southeast-6', 'fsxLustreFileSystem', UNAVAILABLE, /publishes for ap-southeast-6/],
    ['ap-southeast-6', 'dataRepositoryAssociation', UNAVAILABLE, /publishes for ap-southeast-6/],
    ['ap-southeast-6', 'efsFileSystem', AVAILABLE, /publishes for ap-southeast-6/],
    ['eusc-de-east-1', 'fsxLustreFileSystem', UNVERIFIED, /AWS publishes no CloudFormation resource schemas for eusc-de-east-1/],
    ['us-isob-west-1', 'efsFileSystem', UNAVAILABLE, /the AWS SDK endpoint list \(botocore 1.43.11\)/],
    ['us-iso-west-1', 'sageMakerApi', UNAVAILABLE, /botocore/],
    ['eu-isoe-west-1', 'fsxLustreFileSystem', UNAVAILABLE, /botocore/],
    ...(['ap-east-2', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ca-west-1', 'mx-central-1'].map((region) =>
      [region, 'lambdaEfsMount', UNAVAILABLE, /available in all commercial Regions except/] as Row)),
    ['us-east-1', 'lambdaEfsMount', AVAILABLE, /configuration-filesystem/],
    ['cn-north-1', 'lambdaEfsMount', UNVERIFIED, /covers commercial Regions only/],
    ['us-gov-west-1', 'lambdaEfsMount', UNVERIFIED, /covers commercial Regions only/],
    ['us-east-1', 'hyperPodCluster', AVAILABLE, /us-east-1 \(as of cfn-lint 1.51.0\) include AWS::SageMaker::Cluster/],
    ['ap-northeast-1', 'hyperPodCluster', AVAILABLE, /SageMaker HyperPod/],
    ['cn-north-1', 'hyperPodCluster', UNAVAILABLE, /the China Regions \(as of cfn-lint 1.51.0\) have no AWS::SageMaker::Cluster/],
    ['cn-northwest-1', 'hyperPodCluster', UNAVAILABLE, /China Regions/],
    ['ap-northeast-2', 'hyperPodCluster', UNAVAILABLE, /have no AWS::SageMaker::Cluster/],
    ['us-gov-west-1', 'hyperPodCluster', UNAVAILABLE, /have no AWS::SageMaker::Cluster/],
    ['us-isof-east-1', 'hyperPodCluster', UNVERIFIED, /AWS publishes no CloudFormation resource schemas for us-isof-east-1/],
    ['us-iso-west-1', 'hyperPodCluster', UNAVAILABLE, /botocore/],
  ])('%s %s is %s', (region, name, availability, source) => {
    const fact = RegionCapabilityTable.of(region)[name] as { availability: Availability; source: string };
    expect(fact.availability).toBe(availability);
    expect(fact.source).toMatch(source);
  });

  test('HyperPod is AVAILABLE exactly where cfn-lint 1.51.0 ships AWS::SageMaker::Cluster in downloaded schema data', () => {
    const available = RegionCapabilityTable.regions().filter((region) => RegionCapabilityTable.of(region).hyperPodCluster.availability === AVAILABLE);
    expect(available).toEqual(['ap-northeast-1', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ca-central-1',
      'eu-central-1', 'eu-north-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2']);
  });

  test.each([['cn-north-1', 'aws-cn'], ['us-gov-west-1', 'aws-us-gov'], ['us-isob-east-1', 'aws-iso-b'], ['eusc-de-east-1', 'aws-eusc'], ['eu-west-1', 'aws']])('%s is in partition %s', (region, partition) => {
    expect(RegionCapabilityTable.of(region).partition).toBe(partition);
  });
});

describe('every fact\'s source reads on its own', () => {
  const facts = RegionCapabilityTable.regions().concat('xx-future-1').flatMap((region) =>
    Object.entries(RegionCapabilityTable.of(region)).filter(([, value]) => typeof value === 'object').map(([name, value]) => [region, name, (value as { source: string }).source] as const));

  test.each(facts)('%s %s names no unshipped file, no tool internals and no other region as its own', (region, _name, source) => {
    expect(source).not.toMatch(/aws-facts|cdk-anchors|§|\.md\b|\.py\b|cfnlint\/|endpoints\.json|seed|stored/i);
    const otherChinaRegion = region === 'cn-north-1' ? 'cn-northwest-1' : 'cn-north-1';
    if (region.startsWith('cn-') && source.includes(otherChinaRegion)) {
      expect(source).toMatch(new RegExp(`No report covers ${region}; .* ${region}, the other China Region, is treated the same`));
    }
  });
});
