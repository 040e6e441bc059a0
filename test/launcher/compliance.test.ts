import { cfnLintVersion, lintTemplateGroups } from '../support/cfn-lint';
import { CFN_LINT, describeWithTool } from '../support/external-tool';
import { LauncherStackOptions, launcherStack } from './support/launcher-stack';
import { nagFindings } from '../support/nag';

const VARIANTS: Array<[string, LauncherStackOptions]> = [
  ['FSx for Lustre with KMS keys (us-east-1)', { fileSystem: 'fsx', keys: true }],
  ['EFS (cn-north-1)', { region: 'cn-north-1', fileSystem: 'efs' }],
  ['EFS (us-gov-west-1)', { region: 'us-gov-west-1', fileSystem: 'efs' }],
  ['S3 only, custom prefix (eu-west-1)', { region: 'eu-west-1', fileSystem: 'none', props: { jobNamePrefix: 'team-a', interContainerTrafficEncryption: false } }],
];

/** Each variant built once, for cdk-nag and cfn-lint alike; `variant-<index>` names its templates for cfn-lint. */
const stacks = new Map(VARIANTS.map(([name, options], index) => [name, { id: `variant-${index}`, ...launcherStack(options) }]));

describe('TrainingJobLauncher: cdk-nag (AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1, Serverless)', () => {
  test.each(VARIANTS)('%s has zero unacknowledged findings', (name) => {
    expect(nagFindings(stacks.get(name)!.stack)).toEqual([]);
  });
});

describeWithTool(CFN_LINT, 'TrainingJobLauncher: cfn-lint', () => {
  // The four templates in two cfn-lint processes, each for its own region.
  let findings = new Map<string, string[]>();
  beforeAll(async () => {
    findings = await lintTemplateGroups(Object.fromEntries([...stacks.values()].map(({ id, stack, template }) =>
      [id, { region: stack.region, templates: { [stack.region]: template().toJSON() } }])));
  }, 300_000);

  test.each(VARIANTS)('%s has zero errors and warnings', (name) => {
    const { id, stack } = stacks.get(name)!;
    const problems = findings.get(id)!;
    if (problems.length > 0) {
      throw new Error(`${cfnLintVersion()} on ${stack.region}:\n${problems.join('\n')}`);
    }
  });
});
