import { cfnLintVersion, lintTemplate } from '../support/cfn-lint';
import { CFN_LINT, describeWithTool } from '../support/external-tool';
import { LauncherStackOptions, launcherStack } from './support/launcher-stack';
import { nagFindings } from '../support/nag';



const VARIANTS: Array<[string, LauncherStackOptions]> = [
  ['FSx for Lustre with KMS keys (us-east-1)', { fileSystem: 'fsx', keys: true }],
  ['EFS (cn-north-1)', { region: 'cn-north-1', fileSystem: 'efs' }],
  ['EFS (us-gov-west-1)', { region: 'us-gov-west-1', fileSystem: 'efs' }],
  ['S3 only, custom prefix (eu-west-1)', { region: 'eu-west-1', fileSystem: 'none', props: { jobNamePrefix: 'team-a', interContainerTrafficEncryption: false } }],
];

describe('TrainingJobLauncher: cdk-nag (AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1, Serverless)', () => {
  test.each(VARIANTS)('%s has zero unacknowledged findings', (_name, options) => {
    const { stack } = launcherStack(options);
    expect(nagFindings(stack)).toEqual([]);
  });
});

describeWithTool(CFN_LINT, 'TrainingJobLauncher: cfn-lint', () => {
  test.concurrent.each(VARIANTS)('%s has zero errors and warnings', async (_name, options) => {
    const { stack, template } = launcherStack(options);
    const problems = await lintTemplate(template().toJSON(), stack.region);
    if (problems.length > 0) {
      throw new Error(`${cfnLintVersion()} on ${stack.region}:\n${problems.join('\n')}`);
    }
  });
});
