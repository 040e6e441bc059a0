import { cfnLintVersion, lintTemplateGroups } from '../support/cfn-lint';
import { CFN_LINT, describeWithTool } from '../support/external-tool';
import { nagFindings } from '../support/nag';
import { ClusterStackOptions, clusterStack } from './support';
import { HyperPodDeepHealthCheck } from '../../lib';

const VARIANTS: Array<[string, ClusterStackOptions]> = [
  ['FSx for Lustre with a results directory (us-east-1)', { results: true }],
  ['FSx for Lustre, every group option (us-west-2)', {
    region: 'us-west-2',
    props: {
      login: { instanceType: 'ml.m5.large' },
      workers: [{ instanceType: 'ml.p5.48xlarge', instanceCount: 2, efa: true, threadsPerCore: 1, ebsVolumeSizeGiB: 500, deepHealthChecks: [HyperPodDeepHealthCheck.INSTANCE_STRESS] }],
    },
  }],
  ['EFS (ap-northeast-1, older AWS::SageMaker::Cluster schema)', { region: 'ap-northeast-1', fileSystem: 'efs' }],
];

/** Each variant built once, for cdk-nag and cfn-lint alike; `variant-<index>` names its template for cfn-lint. */
const stacks = new Map(VARIANTS.map(([name, options], index) => [name, { id: `variant-${index}`, ...clusterStack(options) }]));

describe('HyperPodCluster: cdk-nag (AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1, Serverless)', () => {
  test.each(VARIANTS)('%s has zero unacknowledged findings', (name) => {
    expect(nagFindings(stacks.get(name)!.stack)).toEqual([]);
  });
});

describeWithTool(CFN_LINT, 'HyperPodCluster: cfn-lint', () => {
  // The three templates in two cfn-lint processes, each for its own region.
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
