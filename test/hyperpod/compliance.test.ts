import { describeCompliance } from '../support/compliance';
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

// Each variant is built once, for cdk-nag and cfn-lint alike.
describeCompliance('HyperPodCluster', VARIANTS.map(([name, options]) => [name, clusterStack(options)] as const));
