/**
 * The instance types HyperPod clusters accept, and which of them have Elastic Fabric Adapter.
 * Plain data with its sources; nothing is fetched at synth time.
 */

/**
 * The `InstanceType` enum of `AWS::SageMaker::Cluster` instance groups (cfn-lint 1.51.0 schema
 * `d925fcd4200eee28.json`, the us-east-1 variant, from the CloudFormation resource schemas AWS publishes): 123 types.
 */
export const HYPERPOD_INSTANCE_TYPES: readonly string[] = [
  'ml.c5.12xlarge', 'ml.c5.18xlarge', 'ml.c5.24xlarge', 'ml.c5.2xlarge', 'ml.c5.4xlarge', 'ml.c5.9xlarge',
  'ml.c5.large', 'ml.c5.xlarge', 'ml.c5n.18xlarge', 'ml.c5n.2xlarge', 'ml.c5n.4xlarge', 'ml.c5n.9xlarge',
  'ml.c5n.large', 'ml.c6i.12xlarge', 'ml.c6i.16xlarge', 'ml.c6i.24xlarge', 'ml.c6i.2xlarge', 'ml.c6i.32xlarge',
  'ml.c6i.4xlarge', 'ml.c6i.8xlarge', 'ml.c6i.large', 'ml.c6i.xlarge', 'ml.g5.12xlarge', 'ml.g5.16xlarge',
  'ml.g5.24xlarge', 'ml.g5.2xlarge', 'ml.g5.48xlarge', 'ml.g5.4xlarge', 'ml.g5.8xlarge', 'ml.g5.xlarge',
  'ml.g6.12xlarge', 'ml.g6.16xlarge', 'ml.g6.24xlarge', 'ml.g6.2xlarge', 'ml.g6.48xlarge', 'ml.g6.4xlarge',
  'ml.g6.8xlarge', 'ml.g6.xlarge', 'ml.g6e.12xlarge', 'ml.g6e.16xlarge', 'ml.g6e.24xlarge', 'ml.g6e.2xlarge',
  'ml.g6e.48xlarge', 'ml.g6e.4xlarge', 'ml.g6e.8xlarge', 'ml.g6e.xlarge', 'ml.g7e.12xlarge', 'ml.g7e.24xlarge',
  'ml.g7e.2xlarge', 'ml.g7e.48xlarge', 'ml.g7e.4xlarge', 'ml.g7e.8xlarge', 'ml.gr6.4xlarge', 'ml.gr6.8xlarge',
  'ml.i3en.12xlarge', 'ml.i3en.24xlarge', 'ml.i3en.2xlarge', 'ml.i3en.3xlarge', 'ml.i3en.6xlarge', 'ml.i3en.large',
  'ml.i3en.xlarge', 'ml.m5.12xlarge', 'ml.m5.16xlarge', 'ml.m5.24xlarge', 'ml.m5.2xlarge', 'ml.m5.4xlarge',
  'ml.m5.8xlarge', 'ml.m5.large', 'ml.m5.xlarge', 'ml.m6i.12xlarge', 'ml.m6i.16xlarge', 'ml.m6i.24xlarge',
  'ml.m6i.2xlarge', 'ml.m6i.32xlarge', 'ml.m6i.4xlarge', 'ml.m6i.8xlarge', 'ml.m6i.large', 'ml.m6i.xlarge',
  'ml.m7i.12xlarge', 'ml.m7i.16xlarge', 'ml.m7i.24xlarge', 'ml.m7i.2xlarge', 'ml.m7i.48xlarge', 'ml.m7i.4xlarge',
  'ml.m7i.8xlarge', 'ml.m7i.large', 'ml.m7i.xlarge', 'ml.p4d.24xlarge', 'ml.p4de.24xlarge', 'ml.p5.48xlarge',
  'ml.p5.4xlarge', 'ml.p5e.48xlarge', 'ml.p5en.48xlarge', 'ml.p6-b200.48xlarge', 'ml.p6-b300.48xlarge', 'ml.p6e-gb200.36xlarge',
  'ml.r5d.16xlarge', 'ml.r6i.12xlarge', 'ml.r6i.16xlarge', 'ml.r6i.24xlarge', 'ml.r6i.2xlarge', 'ml.r6i.32xlarge',
  'ml.r6i.4xlarge', 'ml.r6i.8xlarge', 'ml.r6i.large', 'ml.r6i.xlarge', 'ml.r7i.12xlarge', 'ml.r7i.16xlarge',
  'ml.r7i.24xlarge', 'ml.r7i.2xlarge', 'ml.r7i.48xlarge', 'ml.r7i.4xlarge', 'ml.r7i.8xlarge', 'ml.r7i.large',
  'ml.r7i.xlarge', 'ml.t3.2xlarge', 'ml.t3.large', 'ml.t3.medium', 'ml.t3.xlarge', 'ml.trn1.32xlarge',
  'ml.trn1n.32xlarge', 'ml.trn2.3xlarge', 'ml.trn2.48xlarge',
];

/**
 * The HyperPod instance types whose EC2 type supports Elastic Fabric Adapter: those of
 * {@link HYPERPOD_INSTANCE_TYPES} that eksctl's generated EC2 instance table marks
 * `EFASupported: true` (eksctl-io/eksctl `pkg/utils/instance/instance_types.go` at 99984ad, generated
 * from EC2 DescribeInstanceTypes `EfaSupported`; the EC2 User Guide's "Supported instance types" for
 * EFA lists the same families). `ml.p6e-gb200.36xlarge` and `ml.trn2.3xlarge` are not in that table,
 * so they are not listed here.
 */
export const EFA_INSTANCE_TYPES: readonly string[] = [
  'ml.c5n.18xlarge', 'ml.c5n.9xlarge', 'ml.c6i.32xlarge', 'ml.g5.12xlarge', 'ml.g5.16xlarge', 'ml.g5.24xlarge',
  'ml.g5.48xlarge', 'ml.g5.8xlarge', 'ml.g6.12xlarge', 'ml.g6.16xlarge', 'ml.g6.24xlarge', 'ml.g6.48xlarge',
  'ml.g6.8xlarge', 'ml.g6e.12xlarge', 'ml.g6e.16xlarge', 'ml.g6e.24xlarge', 'ml.g6e.48xlarge', 'ml.g6e.8xlarge',
  'ml.g7e.12xlarge', 'ml.g7e.24xlarge', 'ml.g7e.48xlarge', 'ml.g7e.8xlarge', 'ml.gr6.8xlarge', 'ml.i3en.12xlarge',
  'ml.i3en.24xlarge', 'ml.m6i.32xlarge', 'ml.m7i.48xlarge', 'ml.p4d.24xlarge', 'ml.p4de.24xlarge', 'ml.p5.48xlarge',
  'ml.p5.4xlarge', 'ml.p5e.48xlarge', 'ml.p5en.48xlarge', 'ml.p6-b200.48xlarge', 'ml.p6-b300.48xlarge', 'ml.r6i.32xlarge',
  'ml.r7i.48xlarge', 'ml.trn1.32xlarge', 'ml.trn1n.32xlarge', 'ml.trn2.48xlarge',
];
