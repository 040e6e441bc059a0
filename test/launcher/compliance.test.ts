import { describeCompliance } from '../support/compliance';
import { LauncherStackOptions, launcherStack } from './support/launcher-stack';

const VARIANTS: Array<[string, LauncherStackOptions]> = [
  ['FSx for Lustre with KMS keys (us-east-1)', { fileSystem: 'fsx', keys: true }],
  ['EFS (cn-north-1)', { region: 'cn-north-1', fileSystem: 'efs' }],
  ['EFS (us-gov-west-1)', { region: 'us-gov-west-1', fileSystem: 'efs' }],
  ['S3 only, custom prefix (eu-west-1)', { region: 'eu-west-1', fileSystem: 'none', props: { jobNamePrefix: 'team-a', interContainerTrafficEncryption: false } }],
];

// Each variant is built once, for cdk-nag and cfn-lint alike.
describeCompliance('TrainingJobLauncher', VARIANTS.map(([name, options]) => [name, launcherStack(options)] as const));
