import { App, AppProps } from 'aws-cdk-lib';
import { addComplianceChecks } from './compliance-checks';
import { DatasetPlatformStack } from './dataset-platform-stack';
import { parseRegions, platformStackName } from './regions';

/**
 * The deployable app: one {@link DatasetPlatformStack} per region of the `regions` context,
 * account-agnostic, with the cdk-nag packs as validation plugins.
 */
export function createPlatformApp(props: AppProps = {}): App {
  const app = new App(props);
  for (const region of parseRegions(app.node.tryGetContext('regions'))) {
    // Account-agnostic: the same template deploys to any account of the region's partition.
    new DatasetPlatformStack(app, platformStackName(region), {
      env: { region },
      description: `cdk-sagemaker-datasets: dataset platform for SageMaker training (${region})`,
    });
  }
  addComplianceChecks(app);
  return app;
}
