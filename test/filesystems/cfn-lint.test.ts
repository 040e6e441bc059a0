import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CFN_LINT_EXCEPTIONS_METADATA_KEY } from '../../lib/filesystems/cfn-lint-exceptions';
import {
  EfsDatasetFileSystem, LustreDatasetFileSystem, LustreDatasetFileSystemOptions, SecureBucket, TrainingNetwork,
} from '../../lib';
import { cfnLintVersion, lintTemplateGroups } from '../support/cfn-lint';
import { CFN_LINT, describeWithTool } from '../support/external-tool';

type CfnTemplate = { Resources: Record<string, { Type: string; Metadata?: Record<string, unknown>; Properties?: Record<string, unknown> }> };

/** Everything the file-system constructs create in one region, with clients, a writer Lambda and EventBridge. */
function templatesFor(region: string, lustreOptions: LustreDatasetFileSystemOptions = {}) {
  const app = new App();
  const lustreStack = new Stack(app, 'Lustre', { env: { region } });
  const lustreNetwork = new TrainingNetwork(lustreStack, 'Network');
  const storage = new SecureBucket(lustreStack, 'DatasetBucket');
  const lustre = new LustreDatasetFileSystem(lustreStack, 'Datasets', { network: lustreNetwork, assumeSageMakerFsxChannelSupported: true, ...lustreOptions });
  lustre.addDataRepositoryAssociation('Link', { fileSystemPath: '/datasets', bucket: storage.bucket, bucketPrefix: 'datasets/' });
  lustre.allowClient(lustreNetwork);
  storage.enableEventBridgeNotifications();

  const efsStack = new Stack(app, 'Efs', { env: { region } });
  const efsNetwork = new TrainingNetwork(efsStack, 'Network');
  const efs = new EfsDatasetFileSystem(efsStack, 'Datasets', { network: efsNetwork });
  efs.allowClient(efsNetwork);
  new lambda.Function(efsStack, 'Writer', {
    runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};'),
    vpc: efsNetwork.vpc, vpcSubnets: efsNetwork.trainingSubnets, filesystem: efs.lambdaMount().fileSystem,
  });
  const assembly = app.synth();
  return {
    lustre: assembly.getStackByName('Lustre').template as CfnTemplate,
    efs: assembly.getStackByName('Efs').template as CfnTemplate,
  };
}

function fileSystemResource(template: CfnTemplate) {
  return Object.values(template.Resources).find((r) => r.Type === 'AWS::FSx::FileSystem')!;
}

function withoutLintExceptions(template: CfnTemplate): CfnTemplate {
  const copy = JSON.parse(JSON.stringify(template)) as CfnTemplate;
  delete fileSystemResource(copy).Metadata!['cfn-lint'];
  return copy;
}

const REGIONS = ['us-east-1', 'eu-west-1', 'cn-north-1', 'cn-northwest-1', 'us-gov-west-1'];

describeWithTool(CFN_LINT, 'cfn-lint: FSx for Lustre (with DRA, EventBridge) and EFS (with a writer Lambda) in every region', () => {
  const templates = new Map(REGIONS.map((region) => [region, templatesFor(region)]));
  const large = templatesFor('eu-west-1', { storageCapacityGiB: 72000 }).lustre;
  // Every template in two cfn-lint processes (each spends about 2 s starting).
  let results = new Map<string, string[]>();
  beforeAll(async () => {
    results = await lintTemplateGroups({
      ...Object.fromEntries(REGIONS.map((region) => [region, { region, templates: { lustre: templates.get(region)!.lustre, efs: templates.get(region)!.efs } }])),
      'log-configuration-without-exception': { region: 'us-east-1', templates: { lustre: withoutLintExceptions(templates.get('us-east-1')!.lustre) } },
      'large': { region: 'eu-west-1', templates: { lustre: large } },
      'large-without-exception': { region: 'eu-west-1', templates: { lustre: withoutLintExceptions(large) } },
    });
  }, 300_000);

  test.each(REGIONS)('%s: zero errors and zero warnings', (region) => {
    const findings = results.get(region)!;
    if (findings.length > 0) {
      throw new Error(`${cfnLintVersion()} on ${region}:\n${findings.join('\n')}`);
    }
  });

  test('us-east-1 emits LogConfiguration, and its named cfn-lint exception hides exactly that property', () => {
    expect(fileSystemResource(templates.get('us-east-1')!.lustre).Metadata).toEqual({
      'cfn-lint': { config: { ignore_checks: ['E3002'] } },
      [CFN_LINT_EXCEPTIONS_METADATA_KEY]: { E3002: expect.stringMatching(/LogConfiguration is in the CloudFormation resource specification .* not in cfn-lint 1.51.0's FSx schema/) },
    });
    expect(results.get('log-configuration-without-exception')).toEqual([expect.stringMatching(/^lustre.json:.*:E3002:Additional properties are not allowed \('LogConfiguration' was unexpected\)$/)]);
  });

  test.each(['eu-west-1', 'cn-north-1', 'cn-northwest-1', 'us-gov-west-1'])('%s: no LogConfiguration, so no cfn-lint exception at all', (region) => {
    expect(fileSystemResource(templates.get(region)!.lustre).Metadata?.['cfn-lint']).toBeUndefined();
  });

  test('a Lustre file system over 65536 GiB: cfn-lint 1.51.0 applies the Windows cap; the exception names it and hides only that', () => {
    expect(fileSystemResource(large).Metadata).toEqual({
      'cfn-lint': { config: { ignore_checks: ['E3034'] } },
      [CFN_LINT_EXCEPTIONS_METADATA_KEY]: { E3034: expect.stringMatching(/caps AWS::FSx::FileSystem StorageCapacity at 65536 GiB, a Windows File Server limit/) },
    });
    expect(results.get('large')).toEqual([]);
    expect(results.get('large-without-exception')).toEqual([expect.stringMatching(/^lustre.json:.*:E3034:72000 is greater than the maximum of 65536$/)]);
  });
});
