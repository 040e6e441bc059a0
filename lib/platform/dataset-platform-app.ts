import { App, AppProps } from 'aws-cdk-lib';
import { HyperPodClusterOptions } from '../hyperpod';
import { ComplianceChecks } from './compliance-checks';
import { DatasetPlatformStack } from './dataset-platform-stack';
import { UnsupportedRegionError, unsupportedRegionsMessage } from '../regions/platform-regions';
import { parseRegions, platformStackName } from './regions';
import { Tenant } from '../tenancy';
import { throwUnscoped } from '../validation';

/** Properties of a {@link DatasetPlatformApp}. */
export interface DatasetPlatformAppProps extends AppProps {
  /**
   * The platform's tenants, in every region's stack.
   * @default - one tenant, Tenant.accountDefault()
   */
  readonly tenants?: Tenant[];

  /**
   * Where every region's stack publishes its handles as SSM parameters (parameters are regional, so
   * one prefix serves all regions); team stacks pass it to `DatasetPlatformHandles.fromParameters`.
   * @default '/cdk-sagemaker-datasets/<stack name>' (the stack name is `DatasetPlatform-<region>`)
   */
  readonly parameterPrefix?: string;

  /**
   * Exports every region's handle outputs as `<exportNamePrefix>-<Handle>` for `Fn.importValue`
   * (exports are regional, so one prefix serves all regions).
   * @default - the outputs are not exported
   */
  readonly exportNamePrefix?: string;
}

/**
 * The deployable app: one {@link DatasetPlatformStack} per region of the `regions` context
 * (default `us-east-1,cn-north-1`), account-agnostic, with the cdk-nag packs as validation plugins.
 * Regions where the platform cannot run (no SageMaker) are refused together, in one message,
 * before any stack is built. `-c hyperPod=true` adds {@link EXAMPLE_HYPERPOD_CLUSTER} to the stacks of
 * the regions that offer HyperPod.
 */
export class DatasetPlatformApp extends App {
  /** The stacks, in the order of the `regions` context. */
  public readonly stacks: DatasetPlatformStack[];

  constructor(props: DatasetPlatformAppProps = {}) {
    super(props);
    const regions = parseRegions(this.node.tryGetContext('regions'));
    const hyperPod = parseHyperPodFlag(this.node.tryGetContext('hyperPod')) ? EXAMPLE_HYPERPOD_CLUSTER : undefined;
    // One message for every refused region, before any stack is built.
    const refusal = unsupportedRegionsMessage(regions);
    if (refusal) {
      throw new UnsupportedRegionError(refusal);
    }
    this.stacks = regions.map((region) =>
      // Account-agnostic: the same template deploys to any account of the region's partition.
      new DatasetPlatformStack(this, platformStackName(region), {
        env: { region },
        description: `cdk-sagemaker-datasets: dataset platform for SageMaker training (${region})`,
        hyperPod,
        tenants: props.tenants,
        parameterPrefix: props.parameterPrefix,
        exportNamePrefix: props.exportNamePrefix,
      }));
    ComplianceChecks.addTo(this);
  }
}

/**
 * The example app's HyperPod cluster: a Slurm controller (ml.m5.xlarge) and two EFA workers
 * (ml.g5.8xlarge, one NVIDIA A10G each, multithreading off) in the partition `gpu`.
 */
export const EXAMPLE_HYPERPOD_CLUSTER: HyperPodClusterOptions = {
  controller: { instanceType: 'ml.m5.xlarge' },
  workers: [{ name: 'gpu', instanceType: 'ml.g5.8xlarge', instanceCount: 2, efa: true, threadsPerCore: 1 }],
};

/** Reads the `hyperPod` context value: `true`/`false` (string from `-c`, or boolean from cdk.json); unset is false. */
export function parseHyperPodFlag(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  return throwUnscoped('InvalidHyperPodContext', `Context 'hyperPod' must be true or false (got ${JSON.stringify(value)}); e.g. npx cdk synth -c hyperPod=true.`);
}
