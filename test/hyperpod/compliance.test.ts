import { cfnLintVersion, lintTemplates } from '../support/cfn-lint';
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

describe('HyperPodCluster: cdk-nag (AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1, Serverless)', () => {
  test.each(VARIANTS)('%s has zero unacknowledged findings', (_name, options) => {
    expect(nagFindings(clusterStack(options).stack)).toEqual([]);
  });
});

describeWithTool(CFN_LINT, 'HyperPodCluster: cfn-lint', () => {
  test.concurrent.each(VARIANTS)('%s has zero errors and warnings', async (_name, options) => {
    const { stack, template } = clusterStack(options);
    const problems = await lintTemplates(stack.region, { [stack.region]: template().toJSON() });
    if (problems.length > 0) {
      throw new Error(`${cfnLintVersion()} on ${stack.region}:\n${problems.join('\n')}`);
    }
  });
});
