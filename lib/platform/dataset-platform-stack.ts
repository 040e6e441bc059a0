import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { TrainingNetwork } from '../network';

/** Properties of a {@link DatasetPlatformStack}. */
export interface DatasetPlatformStackProps extends StackProps {}

/**
 * The dataset platform of one region: what `cdk deploy` creates once per region.
 * Other stacks import its constructs through the public handles.
 */
export class DatasetPlatformStack extends Stack {
  /** The VPC, subnets and security groups that training jobs, file systems and Lambdas share. */
  public readonly network: TrainingNetwork;

  constructor(scope: Construct, id: string, props: DatasetPlatformStackProps = {}) {
    super(scope, id, props);
    this.network = new TrainingNetwork(this, 'Network');
  }
}
