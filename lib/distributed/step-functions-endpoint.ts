import { Annotations, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { TrainingNetwork } from '../network';

/**
 * The function that starts conversions (the ingestion converter) calls the Step Functions API. In
 * isolated subnets that needs an interface endpoint for `states`; without one StartExecution times
 * out and large uploads are never converted. Warns at synth when none exists in the stack.
 */
export function warnIfStepFunctionsUnreachable(scope: IConstruct, network: TrainingNetwork): void {
  const isolated = new Set(network.vpc.isolatedSubnets.map((s) => s.subnetId));
  const subnets = network.trainingSubnetList();
  if (subnets.length === 0 || !subnets.every((s) => isolated.has(s.subnetId))) return;
  const stack = Stack.of(scope);
  const hasEndpoint = stack.node.findAll().some((node) => node instanceof ec2.CfnVPCEndpoint && /\.states$/.test(String(stack.resolve(node.serviceName))));
  if (!hasEndpoint) {
    Annotations.of(scope).addWarningV2('cdk-sagemaker-datasets:distributedStepFunctionsEndpoint',
      'The ingestion converter runs in isolated subnets without a Step Functions (states) interface endpoint, so it cannot start the distributed ' +
      'conversion of zips above singleFunctionMaxZipSize. Add an interface endpoint for ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS to the ' +
      'training subnets (reachable from network.endpointSecurityGroup), or give the subnets egress.');
  }
}
