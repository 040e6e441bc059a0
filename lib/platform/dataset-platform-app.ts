import { App, AppProps } from 'aws-cdk-lib';
import { ComplianceChecks } from './compliance-checks';
import { DatasetPlatformStack } from './dataset-platform-stack';
import { UnsupportedRegionError, unsupportedRegionsMessage } from '../regions/platform-regions';
import { parseRegions, platformStackName } from './regions';

/**
 * The deployable app: one {@link DatasetPlatformStack} per region of the `regions` context
 * (default `us-east-1,cn-north-1`), account-agnostic, with the cdk-nag packs as validation plugins.
 * Regions where the platform cannot run (no SageMaker) are refused together, in one message,
 * before any stack is built.
 */
export class DatasetPlatformApp extends App {
  /** The stacks, in the order of the `regions` context. */
  public readonly stacks: DatasetPlatformStack[];

  constructor(props: AppProps = {}) {
    super(props);
    const regions = parseRegions(this.node.tryGetContext('regions'));
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
      }));
    ComplianceChecks.addTo(this);
  }
}
