import { Stack } from 'aws-cdk-lib';
import { LAUNCHER_ENV } from '../../contract/launcher';
import { DatasetPlatformStack, DatasetStorageType, RegionCapabilityTable } from '../../lib';
import { UnsupportedRegionError, unsupportedRegionsMessage } from '../../lib/regions/platform-regions';
import { RegionalTemplate, cfnLintVersion, lintRegionalTemplates } from '../support/cfn-lint';
import { CFN_LINT, describeWithTool, isToolAvailable } from '../support/external-tool';
import { platformApp } from '../support/platform-app';

/**
 * The sweep: every region of the capability table either synthesizes the example app (cdk-nag runs
 * as validation plugins during synthesis, so each region is also nag-clean) and lints clean with
 * cfn-lint for its own region, or is refused with the one message that says what it lacks.
 *
 * Cost on 2 cores: the regions are synthesized in-process in chunks; each chunk's templates go to
 * one cfn-lint process (at most two at a time) as soon as the chunk is synthesized, so linting
 * overlaps the next chunk's synthesis. Minutes of CPU in all (mostly cfn-lint, several seconds
 * per platform template), so the file starts first:
 *
 * @slow
 */

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

const ALL_REGIONS = RegionCapabilityTable.regions();
/** No SageMaker API endpoint (botocore endpoints.json), so no storage tier can serve training jobs. */
const REFUSED = ['eu-isoe-west-1', 'us-iso-west-1', 'us-isob-west-1'];
const DEPLOYED = ALL_REGIONS.filter((region) => !REFUSED.includes(region));
/** Where the table leaves no file system: FSx is not in CloudFormation and Lambda cannot mount EFS. */
const S3_TIER = ['ap-southeast-6'];
/** SageMaker FSx channels unverified (China: reported missing), or FSx CloudFormation types unverified (copied schemas). */
const EFS_TIER = ['cn-north-1', 'cn-northwest-1', 'eusc-de-east-1', 'us-gov-east-1', 'us-gov-west-1', 'us-iso-east-1', 'us-isob-east-1', 'us-isof-east-1', 'us-isof-south-1'];
/** Chunks of regions: each is one in-process synthesis and one cfn-lint process (two cfn-lint processes at a time). */
const CHUNK_COUNT = 6;

interface Synthesized {
  readonly template: Template;
  readonly storageType: DatasetStorageType;
  readonly warnings: string[];
}

/** `items` in `count` contiguous chunks whose sizes differ by at most one. */
function chunks<T>(items: readonly T[], count: number): T[][] {
  const bounds = Array.from({ length: count + 1 }, (_, i) => Math.round((i * items.length) / count));
  return bounds.slice(1).map((end, i) => items.slice(bounds[i], end)).filter((chunk) => chunk.length > 0);
}

function resourcesOfType(template: Template, type: string) {
  return Object.values(template.Resources).filter((resource) => resource.Type === type);
}

describe('every region of the capability table: synthesized and cfn-lint clean, or refused', () => {
  const synthesized = new Map<string, Synthesized>();
  const lintRuns = new Map<string, Promise<string[]>>();
  const lint = isToolAvailable(CFN_LINT);

  beforeAll(async () => {
    for (const regions of chunks(DEPLOYED, CHUNK_COUNT)) {
      const app = platformApp(regions);
      const assembly = app.synth();
      const batch: RegionalTemplate[] = [];
      for (const stack of app.node.children.filter((child): child is DatasetPlatformStack => Stack.isStack(child))) {
        const artifact = assembly.getStackArtifact(stack.artifactId);
        const warnings = artifact.messages.filter((message) => message.level === 'warning').map((message) => String(message.entry.data));
        synthesized.set(stack.region, { template: artifact.template as Template, storageType: stack.storageTier.storageType, warnings });
        batch.push({ name: stack.region, region: stack.region, template: artifact.template });
      }
      if (lint) {
        const run = lintRegionalTemplates(batch);
        run.catch(() => undefined); // reported by the region tests that await it
        for (const { region } of batch) {
          lintRuns.set(region, run);
        }
      }
      // Let finished cfn-lint processes hand their slot to the next chunk before synthesizing on.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }, 1_200_000); // about 5 minutes on 2 idle cores; room for a machine shared by several runs

  test('the table splits into refused and synthesized regions, and every commercial, China and GovCloud region synthesizes', () => {
    expect(ALL_REGIONS).toHaveLength(46);
    expect(ALL_REGIONS.filter((region) => unsupportedRegionsMessage([region]) !== undefined)).toEqual(REFUSED);
    expect([...synthesized.keys()].sort()).toEqual([...DEPLOYED].sort());
    const partitions = new Set(['aws', 'aws-cn', 'aws-us-gov']);
    expect(DEPLOYED).toEqual(expect.arrayContaining(ALL_REGIONS.filter((region) => partitions.has(RegionCapabilityTable.of(region).partition))));
  });

  test('the refused regions: one UnsupportedRegionError, before any stack, naming each region and what it lacks', () => {
    expect(() => platformApp(ALL_REGIONS)).toThrow(UnsupportedRegionError);
    expect(() => platformApp(ALL_REGIONS)).toThrow(new RegExp(`^The dataset platform cannot be deployed to ${REFUSED.join(', ')}: every way of reading datasets`));
    for (const region of REFUSED) {
      expect(() => platformApp([region])).toThrow(new RegExp(`^The dataset platform cannot be deployed to ${region}: .*\\n  ${region} \\(aws-iso(-[a-z])?\\) has no SageMaker API \\(training jobs\\)`));
    }
  });

  test('each tier where the table puts it: S3 in ap-southeast-6, EFS where FSx cannot serve, FSx for Lustre elsewhere', () => {
    const tierOf = (type: DatasetStorageType) => DEPLOYED.filter((region) => synthesized.get(region)!.storageType === type);
    expect(tierOf(DatasetStorageType.S3)).toEqual(S3_TIER);
    expect(tierOf(DatasetStorageType.EFS)).toEqual(EFS_TIER);
    expect(tierOf(DatasetStorageType.FSX_LUSTRE)).toEqual(DEPLOYED.filter((region) => !S3_TIER.includes(region) && !EFS_TIER.includes(region)));
  });

  test.each(DEPLOYED)('%s: the template holds exactly the chosen tier\'s resources', (region) => {
    const { template, storageType } = synthesized.get(region)!;
    const count = (type: string) => resourcesOfType(template, type).length;
    expect({ fsx: count('AWS::FSx::FileSystem'), association: count('AWS::FSx::DataRepositoryAssociation'), efs: count('AWS::EFS::FileSystem') }).toEqual({
      fsx: storageType === DatasetStorageType.FSX_LUSTRE ? 1 : 0,
      association: storageType === DatasetStorageType.FSX_LUSTRE ? 1 : 0,
      efs: storageType === DatasetStorageType.EFS ? 1 : 0,
    });
  });

  test('ap-southeast-6: no file system anywhere, S3-only launcher and converter, and the warning that says why and what it costs', () => {
    const { template, warnings } = synthesized.get('ap-southeast-6')!;
    expect(JSON.stringify(template)).not.toMatch(/AWS::FSx::|AWS::EFS::|FileSystemConfigs|"sagemaker:FileSystem(Id|Type|DirectoryPath|AccessMode)":"false"/);
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    const launcher = functions.find((fn) => JSON.stringify(fn.Properties).includes(LAUNCHER_ENV.JOB_NAME_PREFIX))!;
    const variables = (launcher.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables[LAUNCHER_ENV.FILE_SYSTEM]).toBeUndefined();
    expect(variables[LAUNCHER_ENV.S3_INPUT_MODE]).toBe('FastFile');
    expect(warnings.filter((warning) => warning.includes('cdk-sagemaker-datasets:s3Fallback'))).toEqual([expect.stringMatching(new RegExp(
      '^No dataset file system in ap-southeast-6: FSx for Lustre is blocked by AWS::FSx::FileSystem: UNAVAILABLE .*; and EFS is blocked by Lambda EFS mount .*' +
      'The platform deploys without a file system .*read the pinned dataset version straight from the dataset bucket in FastFile mode\\. ' +
      'What it costs is start-up time on every job'))]);
  });

  describeWithTool(CFN_LINT, 'cfn-lint', () => {
    test.each(DEPLOYED)('%s: zero findings for its own region', async (region) => {
      // This region's findings, and any line that names no template (cfn-lint's own errors).
      const findings = (await lintRuns.get(region)!).filter((line) => line.startsWith(`${region}.json:`) || !/^[a-z0-9-]+\.json:/.test(line));
      if (findings.length > 0) {
        throw new Error(`${cfnLintVersion()} on ${region}:\n${findings.join('\n')}`);
      }
    }, 1_200_000);
  });
});
