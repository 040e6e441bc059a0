// The public API only: classes, interfaces and enums (jsii has no free functions or constants).
export { HyperPodCluster, HyperPodNodeRecovery } from './hyperpod-cluster';
export type { HyperPodClusterOptions, HyperPodClusterProps, HyperPodResultsOptions } from './hyperpod-cluster';
export { HyperPodDeepHealthCheck, HyperPodSlurmNodeType } from './instance-groups';
export type { HyperPodInstanceGroupOptions, HyperPodWorkerGroupOptions } from './instance-groups';
export { LifecycleScripts } from './lifecycle-scripts';
export type { ClusterSettings, LifecycleScriptsProps } from './lifecycle-scripts';
